"""Checks of the environment domain, in code order."""

from __future__ import annotations

from hfdeploy.check import Check
from hfdeploy.environment.checks.committed_env_file import CommittedEnvFile
from hfdeploy.environment.checks.env_example_missing import EnvExampleMissing
from hfdeploy.environment.checks.env_file_absent_on_space import EnvFileAbsentOnSpace
from hfdeploy.environment.checks.hard_coded_secret_default import HardCodedSecretDefault
from hfdeploy.environment.checks.hf_space_url_not_injected import HfSpaceUrlNotInjected
from hfdeploy.environment.checks.placeholder_secret_default import PlaceholderSecretDefault
from hfdeploy.environment.checks.required_environment_variable import RequiredEnvironmentVariable
from hfdeploy.environment.checks.secret_literal_in_code import SecretLiteralInCode

CHECKS: tuple[type[Check], ...] = (
    RequiredEnvironmentVariable,  # EV001
    CommittedEnvFile,  # EV002
    EnvFileAbsentOnSpace,  # EV003
    HfSpaceUrlNotInjected,  # EV004
    EnvExampleMissing,  # EV005
    HardCodedSecretDefault,  # EV010
    PlaceholderSecretDefault,  # EV011
    SecretLiteralInCode,  # EV012
)
