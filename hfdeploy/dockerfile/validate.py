"""The values the dockerfile domain writes are validated by the core choke point
(`hfdeploy/values.py`); this module keeps the names its callers import."""

from __future__ import annotations

from hfdeploy.values import (
    PATTERNS as PATTERNS,
)
from hfdeploy.values import (
    UnsafeValue as UnsafeValue,
)
from hfdeploy.values import (
    is_valid as is_valid,
)
from hfdeploy.values import (
    require as require,
)
from hfdeploy.values import (
    require_port as require_port,
)
