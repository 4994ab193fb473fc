"""Checks of the dockerfile domain, in code order."""

from __future__ import annotations

from hfdeploy.check import Check
from hfdeploy.dockerfile.checks.app_file_not_in_image import AppFileNotInImage
from hfdeploy.dockerfile.checks.apt_get_as_non_root import AptGetAsNonRoot
from hfdeploy.dockerfile.checks.base_image_python_mismatch import BaseImagePythonMismatch
from hfdeploy.dockerfile.checks.build_step_uses_data import BuildStepUsesData
from hfdeploy.dockerfile.checks.compiled_requirements_not_installed import (
    CompiledRequirementsNotInstalled,
)
from hfdeploy.dockerfile.checks.copy_source_missing import CopySourceMissing
from hfdeploy.dockerfile.checks.copy_without_chown import CopyWithoutChown
from hfdeploy.dockerfile.checks.dockerfile_does_not_parse import DockerfileDoesNotParse
from hfdeploy.dockerfile.checks.dockerignore_incomplete import DockerignoreIncomplete
from hfdeploy.dockerfile.checks.dotenv_copied_into_image import DotenvCopiedIntoImage
from hfdeploy.dockerfile.checks.env_set_to_empty import EnvSetToEmpty
from hfdeploy.dockerfile.checks.exec_form_not_json import ExecFormNotJson
from hfdeploy.dockerfile.checks.final_stage_is_development import FinalStageIsDevelopment
from hfdeploy.dockerfile.checks.local_import_not_on_path import LocalImportNotOnPath
from hfdeploy.dockerfile.checks.lock_not_installed import LockNotInstalled
from hfdeploy.dockerfile.checks.missing_cmd import MissingCmd
from hfdeploy.dockerfile.checks.missing_dockerfile import MissingDockerfile
from hfdeploy.dockerfile.checks.missing_home import MissingHome
from hfdeploy.dockerfile.checks.model_downloaded_at_start import ModelDownloadedAtStart
from hfdeploy.dockerfile.checks.packages_txt_not_installed import PackagesTxtNotInstalled
from hfdeploy.dockerfile.checks.pip_cache_not_disabled import PipCacheNotDisabled
from hfdeploy.dockerfile.checks.port_differs_from_app_port import PortDiffersFromAppPort
from hfdeploy.dockerfile.checks.port_variable_not_expanded import PortVariableNotExpanded
from hfdeploy.dockerfile.checks.proxy_headers_not_trusted import ProxyHeadersNotTrusted
from hfdeploy.dockerfile.checks.reload_in_server_command import ReloadInServerCommand
from hfdeploy.dockerfile.checks.requirements_installed_after_copy import (
    RequirementsInstalledAfterCopy,
)
from hfdeploy.dockerfile.checks.runs_as_root import RunsAsRoot
from hfdeploy.dockerfile.checks.secret_as_build_arg import SecretAsBuildArg
from hfdeploy.dockerfile.checks.secret_in_dockerfile import SecretInDockerfile
from hfdeploy.dockerfile.checks.secret_value_in_dockerfile import SecretValueInDockerfile
from hfdeploy.dockerfile.checks.server_app_not_in_image import ServerAppNotInImage
from hfdeploy.dockerfile.checks.server_bound_to_localhost import ServerBoundToLocalhost
from hfdeploy.dockerfile.checks.server_not_installed import ServerNotInstalled
from hfdeploy.dockerfile.checks.server_not_installed_for_user import ServerNotInstalledForUser
from hfdeploy.dockerfile.checks.setup_reads_uncopied_file import SetupReadsUncopiedFile
from hfdeploy.dockerfile.checks.user_scripts_not_on_path import UserScriptsNotOnPath
from hfdeploy.dockerfile.checks.workdir_not_writable import WorkdirNotWritable
from hfdeploy.dockerfile.checks.write_denied_at_runtime import WriteDeniedAtRuntime

CHECKS: tuple[type[Check], ...] = (
    MissingDockerfile,  # DF001
    DockerfileDoesNotParse,  # DF046
    BaseImagePythonMismatch,  # DF002
    RunsAsRoot,  # DF003
    WorkdirNotWritable,  # DF004
    ServerBoundToLocalhost,  # DF005
    PortDiffersFromAppPort,  # DF006
    PortVariableNotExpanded,  # DF007
    ReloadInServerCommand,  # DF008
    RequirementsInstalledAfterCopy,  # DF009
    PipCacheNotDisabled,  # DF010
    DotenvCopiedIntoImage,  # DF011
    DockerignoreIncomplete,  # DF012
    SecretInDockerfile,  # DF013
    MissingCmd,  # DF014
    CopyWithoutChown,  # DF015
    MissingHome,  # DF016
    UserScriptsNotOnPath,  # DF017
    LockNotInstalled,  # DF018
    ServerNotInstalled,  # DF019
    ExecFormNotJson,  # DF040
    FinalStageIsDevelopment,  # DF020
    CopySourceMissing,  # DF021
    ServerNotInstalledForUser,  # DF022
    SetupReadsUncopiedFile,  # DF023
    CompiledRequirementsNotInstalled,  # DF024
    SecretValueInDockerfile,  # DF030
    ServerAppNotInImage,  # DF025
    LocalImportNotOnPath,  # DF045
    WriteDeniedAtRuntime,  # DF031
    ModelDownloadedAtStart,  # DF032
    AptGetAsNonRoot,  # DF033
    PackagesTxtNotInstalled,  # DF034
    ProxyHeadersNotTrusted,  # DF035
    AppFileNotInImage,  # DF036
    SecretAsBuildArg,  # DF037
    BuildStepUsesData,  # DF038
    EnvSetToEmpty,  # DF047
)
