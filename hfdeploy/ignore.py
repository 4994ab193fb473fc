"""Gitignore-style patterns, for walking a project that is not a git checkout and for
reading `.dockerignore` (same syntax for the parts that matter here)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Pattern:
    regex: re.Pattern[str]
    negated: bool
    dir_only: bool
    source: str


def _translate(glob: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(glob):
        c = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("/**", i) and i + 3 == len(glob):
            out.append("/.*")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            end = glob.find("]", i + 1)
            if end == -1:
                out.append(re.escape(c))
                i += 1
            else:
                body = glob[i + 1 : end].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end + 1
        elif c == "\\" and i + 1 < len(glob):
            out.append(re.escape(glob[i + 1]))
            i += 2
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


@lru_cache(maxsize=4096)
def compile_pattern(
    line: str, *, anchored_always: bool = False, recursive: bool = True
) -> Pattern | None:
    """Compile one ignore line; None for blanks and comments.

    `anchored_always` gives .dockerignore semantics, where every pattern is relative to the
    build context root (Docker uses Go's filepath.Match, with `**` added). `recursive=False`
    gives .gitattributes semantics, where a pattern naming a directory does not cover the
    files below it.
    """
    text = line.rstrip("\n").rstrip("\r")
    if not text.strip() or text.lstrip().startswith("#"):
        return None
    text = text.strip() if anchored_always else text.rstrip()
    negated = text.startswith("!")
    if negated:
        text = text[1:]
    if anchored_always:
        text = text.lstrip("/")
        while text.startswith("./"):
            text = text[2:]
    dir_only = text.endswith("/")
    text = text.rstrip("/")
    if not text:
        return None
    anchored = anchored_always or "/" in text
    text = text.lstrip("/")
    prefix = "" if anchored else "(?:.*/)?"
    # A pattern that names a directory also covers everything below it.
    below = "(?:/.*)?" if recursive else ""
    regex = re.compile(f"^{prefix}{_translate(text)}{below}$", re.DOTALL)
    return Pattern(regex, negated, dir_only, line)


class IgnoreRules:
    """An ordered list of patterns; the last matching one decides, as in git and Docker."""

    def __init__(self, lines: list[str] | tuple[str, ...] = (), *, dockerignore: bool = False):
        self.dockerignore = dockerignore
        self.patterns: list[Pattern] = []
        for line in lines:
            pattern = compile_pattern(line, anchored_always=dockerignore)
            if pattern is not None:
                self.patterns.append(pattern)

    def ignored(self, path: str, *, is_dir: bool = False) -> bool:
        result = False
        for pattern in self.patterns:
            if pattern.dir_only and not is_dir and not self._under_dir_match(pattern, path):
                continue
            if pattern.regex.match(path):
                result = not pattern.negated
        return result

    @staticmethod
    def _under_dir_match(pattern: Pattern, path: str) -> bool:
        # `build/` matches a file only through one of its parent directories.
        parts = path.split("/")
        return any(pattern.regex.match("/".join(parts[:i])) for i in range(1, len(parts)))
