"""Every check, by domain, and selection of checks by code prefix."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from hfdeploy.check import Check
from hfdeploy.errors import UsageError


def all_checks() -> tuple[type[Check], ...]:
    # Imported here so `hfdeploy --version` does not pay for loading every check.
    from hfdeploy.database.checks import CHECKS as DATABASE
    from hfdeploy.dockerfile.checks import CHECKS as DOCKERFILE
    from hfdeploy.environment.checks import CHECKS as ENVIRONMENT
    from hfdeploy.pysource.checks import CHECKS as PYSOURCE
    from hfdeploy.requirements.checks import CHECKS as REQUIREMENTS
    from hfdeploy.space_config.checks import CHECKS as SPACE_CONFIG

    return PYSOURCE + REQUIREMENTS + SPACE_CONFIG + DOCKERFILE + DATABASE + ENVIRONMENT


TOOL_CODES = {
    "HF000": "A check crashed; the others still ran. Please report it.",
    "HF001": "A file could not be read (binary, not UTF-8, too large, permission denied).",
    "HF002": "A fix would have left a Python file that no longer parses; it was not applied.",
    "HF003": "Fixes did not settle after repeated rounds; what settled was kept.",
}


def runtime_rules() -> dict[str, Any]:
    """The RT codes `hfdeploy verify` reports (not checks: they come from running the image)."""
    from hfdeploy.verify.findings import RULES

    return dict(RULES)


def check_by_code(code: str) -> type[Check] | None:
    code = code.upper()
    return next((c for c in all_checks() if c.code == code or c.name == code.lower()), None)


def _specificity(code: str, prefixes: Iterable[str]) -> int:
    """1 + length of the longest prefix in `prefixes` that `code` starts with; 0 for none."""
    return max((len(p) + 1 for p in prefixes if code.startswith(p)), default=0)


def normalise_codes(values: Iterable[str]) -> tuple[str, ...]:
    known = {c.code for c in all_checks()} | set(TOOL_CODES)
    out = []
    for value in values:
        for part in value.split(","):
            part = part.strip().upper()
            if not part:
                continue
            if part != "ALL" and not any(code.startswith(part) for code in known):
                raise UsageError(f"unknown rule code or prefix: {part!r} (see `hfdeploy rules`)")
            out.append("" if part == "ALL" else part)
    return tuple(out)


def is_selected(code: str, select: tuple[str, ...], ignore: tuple[str, ...]) -> bool:
    """Most specific prefix wins, as in flake8: `--select PY --ignore PY001` drops PY001,
    `--select PY001 --ignore PY` keeps it; on a tie, ignore wins."""
    chosen = _specificity(code, select) if select else 1
    return _specificity(code, ignore) < chosen


def selected_checks(select: tuple[str, ...], ignore: tuple[str, ...]) -> list[Check]:
    return [cls() for cls in all_checks() if is_selected(cls.code, select, ignore)]
