"""Checks of the requirements domain, in code order."""

from __future__ import annotations

from hfdeploy.check import Check
from hfdeploy.requirements.checks.conflicting_pins import ConflictingPins
from hfdeploy.requirements.checks.dependency_not_on_index import DependencyNotOnIndex
from hfdeploy.requirements.checks.index_unreachable import IndexUnreachable
from hfdeploy.requirements.checks.invalid_requirement import InvalidRequirement
from hfdeploy.requirements.checks.lock_tool_floats import LockToolFloats
from hfdeploy.requirements.checks.named_install_floats import NamedInstallFloats
from hfdeploy.requirements.checks.no_release_in_range import NoReleaseInRange
from hfdeploy.requirements.checks.no_wheel_for_target import NoWheelForTarget
from hfdeploy.requirements.checks.package_not_on_index import PackageNotOnIndex
from hfdeploy.requirements.checks.project_not_pip_buildable import ProjectNotPipBuildable
from hfdeploy.requirements.checks.psycopg_without_libpq import PsycopgWithoutLibpq
from hfdeploy.requirements.checks.python_version_excluded import PythonVersionExcluded
from hfdeploy.requirements.checks.stale_or_missing_lock import StaleOrMissingLock
from hfdeploy.requirements.checks.undeclared_runtime_dependency import UndeclaredRuntimeDependency
from hfdeploy.requirements.checks.unread_dependency_file import UnreadDependencyFile
from hfdeploy.requirements.checks.unreleased_version_pin import UnreleasedVersionPin
from hfdeploy.requirements.checks.yanked_pin import YankedPin

CHECKS: tuple[type[Check], ...] = (
    InvalidRequirement,
    PackageNotOnIndex,
    UnreleasedVersionPin,
    YankedPin,
    NoWheelForTarget,
    PythonVersionExcluded,
    ConflictingPins,
    IndexUnreachable,
    StaleOrMissingLock,
    NamedInstallFloats,  # RQ013
    UnreadDependencyFile,
    UndeclaredRuntimeDependency,
    PsycopgWithoutLibpq,  # RQ015
    NoReleaseInRange,  # RQ016
    ProjectNotPipBuildable,
    DependencyNotOnIndex,  # RQ017
    LockToolFloats,  # RQ018
)
