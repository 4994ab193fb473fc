"""The placeholder value `verify` gives a required variable nobody set: a valid value of the type
the environment domain says the app parses it as (with its bounds, length and pattern), that
reaches nothing (`.invalid` hosts never resolve, RFC 2606)."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hfdeploy.environment.kinds import ValueType

PLACEHOLDER_PREFIX = "hfdeploy-placeholder-"
PLACEHOLDER_HOST = "hfdeploy-placeholder.invalid"
PLACEHOLDER_URL = f"https://{PLACEHOLDER_HOST}/"
SCRATCH_DIR = "/tmp"  # exists and is writable in every image
EXISTING_FILE = "/etc/hosts"  # the engine writes it into every container
# Services a DSN names: default port and path.
_SERVICES: dict[str, tuple[int | None, str]] = {
    "postgres": (5432, "/placeholder"),
    "postgresql": (5432, "/placeholder"),
    "cockroachdb": (26257, "/placeholder"),
    "mysql": (3306, "/placeholder"),
    "mariadb": (3306, "/placeholder"),
    "clickhouse": (9000, "/placeholder"),
    "mongodb": (27017, "/placeholder"),
    "redis": (6379, "/0"),
    "rediss": (6379, "/0"),
    "amqp": (5672, "/"),
    "amqps": (5671, "/"),
    "kafka": (9092, ""),
    "nats": (4222, ""),
    "snowflake": (None, "/placeholder"),
}


def value_for(name: str, kind: ValueType, data_dir: str | None = None) -> str:
    """A text the app's own validation of `kind` accepts. `data_dir`: an existing directory
    the image names (its DATA_DIR), for directory-typed settings."""
    k = kind.kind
    if k in ("int", "float"):
        return _number(kind)
    if k == "bool":
        return "false"
    if k == "url":
        return _url(name, kind)
    if k == "email":
        local = (PLACEHOLDER_PREFIX + name.lower().replace("_", "-"))[:64]
        return f"{local}@example.com"  # email-validator refuses special-use names like .invalid
    if k == "choice" and kind.choices:
        first = kind.choices[0]
        return str(first).lower() if isinstance(first, bool) else str(first)
    if k == "uuid":
        return f"00000000-0000-{kind.version or 4}000-8000-000000000000"
    if k == "datetime":
        return "2000-01-01T00:00:00" + ("" if kind.timezone is False else "+00:00")
    if k == "date":
        return "2000-01-01"
    if k == "time":
        return "00:00:00"
    if k == "duration":
        return "PT1S"
    if k in ("directory", "path"):
        return data_dir or SCRATCH_DIR
    if k == "file":
        return EXISTING_FILE
    if k == "new path":
        return f"{SCRATCH_DIR}/{PLACEHOLDER_PREFIX}{name.lower()}"
    if k == "ip address":
        return "::1" if kind.version == 6 else "127.0.0.1"
    if k == "ip network":
        return "::1/128" if kind.version == 6 else "127.0.0.0/8"
    if k == "ip interface":
        return "::1/128" if kind.version == 6 else "127.0.0.1/8"
    if k == "list":
        return _list(name, kind)
    if k == "dict":
        return "{}"
    return _text(name, kind)


def _number(kind: ValueType) -> str:
    """The first of 1, the bounds themselves, and a point between them that all bounds allow."""
    integer = kind.kind == "int"
    step = 1 if integer else 0.5
    candidates: list[float] = [1]
    for bound in (kind.ge, kind.le):
        if bound is not None:
            candidates.append(bound)
    if kind.gt is not None:
        candidates.append(kind.gt + step)
    if kind.lt is not None:
        candidates.append(kind.lt - step)
    low = kind.ge if kind.ge is not None else kind.gt
    high = kind.le if kind.le is not None else kind.lt
    if low is not None and high is not None:
        candidates.append((low + high) / 2)
    if kind.multiple_of:
        m = kind.multiple_of
        candidates = [c2 for c in candidates for c2 in (c // m * m, (c // m + 1) * m)]
    candidates.append(0)

    def allowed(value: float) -> bool:
        return (
            (kind.ge is None or value >= kind.ge)
            and (kind.gt is None or value > kind.gt)
            and (kind.le is None or value <= kind.le)
            and (kind.lt is None or value < kind.lt)
            and (
                not kind.multiple_of
                or abs(value / kind.multiple_of - round(value / kind.multiple_of)) < 1e-9
            )
            and (not integer or value == int(value))
        )

    chosen = next((c for c in candidates if allowed(c)), candidates[0])
    if integer:
        return str(int(chosen))
    return repr(float(chosen))


def _url(name: str, kind: ValueType) -> str:
    if not kind.schemes:
        return PLACEHOLDER_URL + name.lower()
    scheme = kind.schemes[0]
    family = scheme.split("+")[0]
    if family == "file":
        return f"file://{SCRATCH_DIR}"
    if family in _SERVICES:
        port, path = _SERVICES[family]
        where = f"{PLACEHOLDER_HOST}:{port}" if port else PLACEHOLDER_HOST
        auth = "" if family in ("kafka", "nats") else "user:password@"
        return f"{scheme}://{auth}{where}{path}"
    return f"{scheme}://{PLACEHOLDER_HOST}/{name.lower()}"


def _list(name: str, kind: ValueType) -> str:
    count = kind.min_length or 0
    if count <= 0:
        return "[]"
    item = kind.item
    if item is None:
        return json.dumps([PLACEHOLDER_PREFIX + name] * count)
    text = value_for(name, item)
    element: Any = text
    if item.kind in ("int", "float", "list", "dict"):
        element = json.loads(text)
    elif item.kind == "bool":
        element = False
    return json.dumps([element] * count)


def _text(name: str, kind: ValueType) -> str:
    value = PLACEHOLDER_PREFIX + name
    if kind.pattern is not None:
        example = pattern_example(kind.pattern, kind.min_length or 0)
        if example is not None:
            return example
    if kind.min_length is not None and len(value) < kind.min_length:
        value = value.ljust(kind.min_length, "0")
    if kind.max_length is not None and len(value) > kind.max_length:
        value = value[: max(kind.max_length, 0)]
    return value


def pattern_example(pattern: str, min_length: int = 0) -> str | None:
    """A short text the regular expression matches in full, at least `min_length` long when the
    pattern allows it; None when the pattern uses what this cannot build (lookarounds, ...)."""
    try:
        compiled = re.compile(pattern)
        parsed = _parse(pattern)
    except (re.error, ValueError, ImportError):
        return None
    for extra in (0, min_length, 64):
        try:
            text = _build(parsed, {}, extra)
        except _Unbuildable:
            return None
        if compiled.fullmatch(text) and len(text) >= min_length:
            return text
    return None


class _Unbuildable(Exception):
    pass


def _parse(pattern: str) -> Any:
    try:
        from re import _parser as sre_parse  # type: ignore[attr-defined]  # Python >= 3.11
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_parse
    return sre_parse.parse(pattern)


def _build(items: Any, groups: dict[int, str], extra: int) -> str:
    """The shortest expansion of a parsed pattern, with `extra` more repetitions in each
    unbounded repeat (to reach a minimum length)."""
    out = []
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "NOT_LITERAL":
            out.append("a" if chr(arg) != "a" else "b")
        elif name == "ANY":
            out.append("a")
        elif name == "IN":
            out.append(_in(arg))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = arg
            count = low
            if extra and (high is None or str(high) == "MAXREPEAT" or high > low):
                limit = 4096 if high is None or str(high) == "MAXREPEAT" else int(high)
                count = min(max(low, extra), limit)
            out.append(_build(sub, groups, 0) * count)
        elif name == "SUBPATTERN":
            group, sub = arg[0], arg[-1]
            text = _build(sub, groups, extra)
            if group is not None:
                groups[group] = text
            out.append(text)
        elif name == "ATOMIC_GROUP":
            out.append(_build(arg, groups, extra))
        elif name == "BRANCH":
            out.append(_build(arg[1][0], groups, extra))
        elif name == "GROUPREF":
            out.append(groups.get(arg, ""))
        elif name == "AT":
            continue  # ^ $ \b \A \Z: nothing to add
        elif name == "CATEGORY":
            out.append(_category(str(arg)))
        else:  # lookarounds, conditionals
            raise _Unbuildable(name)
    return "".join(out)


def _category(name: str) -> str:
    if "NOT_DIGIT" in name:
        return "a"
    if "DIGIT" in name:
        return "0"
    if "NOT_SPACE" in name:
        return "a"
    if "SPACE" in name:
        return " "
    if "NOT_WORD" in name:
        return "-"
    return "a"  # WORD


def _in(items: Any) -> str:
    negate = any(str(op) == "NEGATE" for op, _ in items)
    if negate:
        excluded = {chr(a) for op, a in items if str(op) == "LITERAL"}
        for op, a in items:
            if str(op) == "RANGE":
                excluded |= {chr(c) for c in range(a[0], a[1] + 1)}
        return next(c for c in "a0-_xZ~ " if c not in excluded)
    for op, a in items:
        kind = str(op)
        if kind == "LITERAL":
            return chr(a)
        if kind == "RANGE":
            return chr(a[0])
        if kind == "CATEGORY":
            return _category(str(a))
    raise _Unbuildable("IN")
