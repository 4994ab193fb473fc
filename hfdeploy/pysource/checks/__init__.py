"""Checks of the pysource domain, in code order."""

from __future__ import annotations

from hfdeploy.check import Check
from hfdeploy.pysource.checks.cookie_blocked_in_iframe import CookieBlockedInIframe
from hfdeploy.pysource.checks.cors_localhost_only import CorsLocalhostOnly
from hfdeploy.pysource.checks.param_without_default_after_default import (
    ParamWithoutDefaultAfterDefault,
)
from hfdeploy.pysource.checks.relative_import_in_top_level_module import (
    RelativeImportInTopLevelModule,
)
from hfdeploy.pysource.checks.syntax_error import PythonSyntaxError
from hfdeploy.pysource.checks.undefined_name_at_import import UndefinedNameAtImport

CHECKS: tuple[type[Check], ...] = (
    ParamWithoutDefaultAfterDefault,  # PY001
    PythonSyntaxError,  # PY002
    UndefinedNameAtImport,  # PY003
    RelativeImportInTopLevelModule,  # PY004
    CorsLocalhostOnly,  # PY010
    CookieBlockedInIframe,  # PY011
)
