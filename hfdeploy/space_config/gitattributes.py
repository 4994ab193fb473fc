"""Which paths `.gitattributes` files store with Git LFS (Xet uses the same `filter=lfs`).

Follows gitattributes(5): patterns match as in `.gitignore`, relative to the directory of
their file, but without negation and without a directory pattern covering the files below it;
a later line overrides an earlier one, a deeper file overrides a shallower one; `[attr]name`
macros are honoured in the top-level file only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from hfdeploy.ignore import compile_pattern
from hfdeploy.project import Project

ATTRIBUTES_FILE = ".gitattributes"
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"\s*(.*)$', re.DOTALL)


@dataclass(frozen=True)
class _Rule:
    base: str  # directory holding the .gitattributes file, "" at the top
    regex: re.Pattern[str]
    lfs: bool  # filter=lfs, or (False) another filter / filter unset


@dataclass(frozen=True)
class LfsRules:
    rules: tuple[_Rule, ...]  # shallow files first, then in line order: the last match wins

    def stores(self, path: str) -> bool:
        """True when git adds `path` through the LFS filter instead of as a plain blob."""
        stored = False
        for rule in self.rules:
            sub = path
            if rule.base:
                if not path.startswith(rule.base + "/"):
                    continue
                sub = path[len(rule.base) + 1 :]
            if rule.regex.match(sub):
                stored = rule.lfs
        return stored


def _unquote(body: str) -> str:
    # git C-quotes unusual names: \" \\ \t and octal bytes of UTF-8 (\303\251).
    try:
        raw = body.encode("utf-8").decode("unicode_escape").encode("latin-1")
    except (UnicodeDecodeError, UnicodeEncodeError):
        return body  # an escape git would not write: take the text as it is
    return raw.decode("utf-8", errors="replace")


def _split(line: str) -> tuple[str, list[str]] | None:
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    quoted = _QUOTED.match(text)
    if quoted:
        return _unquote(quoted.group(1)), quoted.group(2).split()
    pattern, *attributes = text.split()
    return pattern, attributes


def _filter_state(attributes: list[str], macros: dict[str, bool]) -> bool | None:
    """True for filter=lfs, False for any other filter setting, None when untouched."""
    state: bool | None = None
    for token in attributes:
        name, _, value = token.lstrip("-!").partition("=")
        unset = token[:1] in "-!"
        if name == "filter":
            state = not unset and value == "lfs"
        elif name in macros:
            state = not unset and macros[name]
    return state


def _rules_of(base: str, text: str, macros: dict[str, bool]) -> list[_Rule]:
    rules = []
    for line in text.splitlines():
        parts = _split(line)
        if parts is None:
            continue
        pattern, attributes = parts
        if pattern.startswith("[attr]"):
            state = _filter_state(attributes, macros)
            if not base and state is not None:
                macros[pattern[len("[attr]") :]] = state
            continue
        lfs = _filter_state(attributes, macros)
        compiled = compile_pattern(pattern, recursive=False)
        # Negated patterns are an error git skips; `dir/` patterns match no file.
        if lfs is None or compiled is None or compiled.negated or compiled.dir_only:
            continue
        rules.append(_Rule(base, compiled.regex, lfs))
    return rules


def lfs_rules(project: Project) -> LfsRules:
    """The LFS rules of every `.gitattributes` in the repository (memoised)."""

    def build() -> LfsRules:
        names = set(project.tracked) | {str(p) for p in project.files()}
        files = sorted(
            (PurePosixPath(n) for n in names if PurePosixPath(n).name == ATTRIBUTES_FILE),
            key=lambda p: (len(p.parts), str(p)),
        )
        macros: dict[str, bool] = {}
        rules: list[_Rule] = []
        for path in files:
            text = project.text(path)
            if text is not None:
                base = "" if str(path.parent) == "." else str(path.parent)
                rules.extend(_rules_of(base, text, macros))
        return LfsRules(tuple(rules))

    return project.memo("gitattributes-lfs", build)
