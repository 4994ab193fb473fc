"""The values the dockerfile domain writes are validated by the core choke point
(`hfdeploy/values.py`); this module keeps the names its callers import."""

from __future__ import annotations

from hfdeploy.values import (
    PATTERNS as PATTERNS,
    UnsafeValue as UnsafeValue,
    is_valid as is_valid,
    require as require,
    require_port as require_port,
)
