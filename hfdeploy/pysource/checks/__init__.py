"""Checks of the pysource domain, in code order."""

from __future__ import annotations

from hfdeploy.check import Check
from hfdeploy.pysource.checks.param_without_default_after_default import (
    ParamWithoutDefaultAfterDefault,
)
from hfdeploy.pysource.checks.syntax_error import PythonSyntaxError
from hfdeploy.pysource.checks.undefined_name_at_import import UndefinedNameAtImport

CHECKS: tuple[type[Check], ...] = (
    ParamWithoutDefaultAfterDefault,
    PythonSyntaxError,
    UndefinedNameAtImport,
)
