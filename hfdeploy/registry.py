"""Every check, by domain, and selection of checks by code prefix."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from hfdeploy.check import Check
from hfdeploy.errors import ConfigError, UsageError

DOMAINS = ("PY", "RQ", "SC", "DF", "DB", "EV")  # rule prefixes, in report order


def domain_checks(prefix: str) -> tuple[type[Check], ...]:
    """The checks of one domain, importing only that domain (so `hfdeploy --version` and a
    cached re-run do not pay for loading every check)."""
    if prefix == "PY":
        from hfdeploy.pysource.checks import CHECKS
    elif prefix == "RQ":
        from hfdeploy.requirements.checks import CHECKS
    elif prefix == "SC":
        from hfdeploy.space_config.checks import CHECKS
    elif prefix == "DF":
        from hfdeploy.dockerfile.checks import CHECKS
    elif prefix == "DB":
        from hfdeploy.database.checks import CHECKS
    elif prefix == "EV":
        from hfdeploy.environment.checks import CHECKS
    else:
        return ()
    return CHECKS


def all_checks() -> tuple[type[Check], ...]:
    return tuple(check for prefix in DOMAINS for check in domain_checks(prefix))


def checks_by_code(codes: Iterable[str]) -> list[Check] | None:
    """Instances of the checks with exactly these codes, importing only their domains; None
    when a code names no check."""
    found = []
    for code in codes:
        check = next((c for c in domain_checks(code[:2]) if c.code == code), None)
        if check is None:
            return None
        found.append(check())
    return found


TOOL_CODES = {
    "HF000": "A check crashed; the others still ran. Please report it.",
    "HF001": "A file could not be read (binary, not UTF-8, too large, permission denied).",
    "HF002": "A fix would have left a Python file that no longer parses; it was not applied.",
    "HF003": "Fixes did not settle after repeated rounds; what settled was kept.",
    "HF004": "An interrupted `fix --write` left a multi-file fix half-written; `fix --write` "
    "completes it.",
}


def runtime_rules() -> dict[str, Any]:
    """The RT codes `hfdeploy verify` reports (not checks: they come from running the image)."""
    from hfdeploy.verify.findings import RULES

    return dict(RULES)


def syntax_error(path: PurePosixPath, text: str) -> str | None:
    """Why a domain's own parser (not Python's: the fixer asks that itself) rejects `text` as
    the file at `path`, or None: `fix` never leaves such a file broken, nor edits one that
    already is (an edit would land inside what broke it)."""
    if path.name == "Dockerfile" and len(path.parts) == 1:
        from hfdeploy.dockerfile.parse import syntax_error as dockerfile_error

        return dockerfile_error(text)
    return None


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


@dataclass(frozen=True)
class Selection:
    """The checks a command line and `[tool.hfdeploy]` choose by code prefix (the command line's
    select replaces the configuration's; ignores add up). Resolved only when the checks must
    run, so a cached re-run imports just the checks that are never cached."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    config_select: tuple[str, ...] = ()
    config_ignore: tuple[str, ...] = ()

    def checks(self) -> list[Check]:
        try:
            chosen = normalise_codes(self.select) or normalise_codes(self.config_select)
            dropped = normalise_codes(self.config_ignore) + normalise_codes(self.ignore)
        except UsageError as exc:
            if not self.select and not self.ignore:
                raise ConfigError(f"pyproject.toml [tool.hfdeploy]: {exc}") from None
            raise
        return selected_checks(chosen, dropped)

    def may_include(self, prefix: str) -> bool:
        """Whether some check whose code starts with `prefix` may be selected (no import)."""
        chosen = self.select or self.config_select
        codes = [c.strip().upper() for entry in chosen for c in entry.split(",") if c.strip()]
        return not codes or any(c.startswith(prefix) or prefix.startswith(c) for c in codes)

    def key(self) -> list[str]:
        """The command line's part (the configuration is part of every cache key already)."""
        return ["select", *sorted(self.select), "ignore", *sorted(self.ignore)]
