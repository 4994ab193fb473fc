"""Shell words with their positions, and Dockerfile-style variable expansion.

Words keep the offset of every character of their value, so a value found inside quotes, or
inside the string of `sh -c "..."`, still maps back to the exact text to edit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

OPERATORS = ("&&", "||", ";;", ";", "|", "&", "\n")


@dataclass(frozen=True)
class Word:
    value: str  # unquoted text
    positions: tuple[int, ...]  # offset of each character of `value` in the scanned text
    start: int  # first character of the word as written (a quote included)
    end: int  # one past its last character as written
    operator: bool = False  # `&&`, `;`, `|`, ... rather than a word

    def span_of(self, begin: int, end: int) -> tuple[int, int]:
        """Offsets, in the scanned text, of value[begin:end] (a non-empty slice)."""
        return self.positions[begin], self.positions[end - 1] + 1

    def remap(self, positions: tuple[int, ...]) -> Word:
        """This word with offsets translated through `positions` (a nested scan's map)."""
        pos = tuple(positions[p] for p in self.positions)
        last = len(positions) - 1
        start = positions[min(self.start, last)] if positions else 0
        end = positions[min(self.end - 1, last)] + 1 if positions and self.end > 0 else start
        return Word(self.value, pos, start, end, self.operator)


def split_words(text: str) -> list[Word]:
    """POSIX-shell-like word splitting (quotes, backslashes, operators) that never raises.

    `$(...)`, backticks and `${...}` stay inside the word they appear in; redirections such as
    `>&2` read as ordinary words, which is all the callers need.
    """
    words: list[Word] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r" or text.startswith("\\\n", i):
            i += 1 if c != "\\" else 2
            continue
        if c == "#":
            nl = text.find("\n", i)
            i = n if nl == -1 else nl
            continue
        op = _operator_at(text, i)
        if op is not None:
            words.append(Word(op, tuple(range(i, i + len(op))), i, i + len(op), operator=True))
            i += len(op)
            continue
        start = i
        value: list[str] = []
        pos: list[int] = []
        while i < n and text[i] not in " \t\r" and _operator_at(text, i) is None:
            c = text[i]
            if c == "'":
                close = text.find("'", i + 1)
                close = n if close == -1 else close
                value.extend(text[i + 1 : close])
                pos.extend(range(i + 1, close))
                i = close + 1
            elif c == '"':
                i += 1
                while i < n and text[i] != '"':
                    if text[i] == "\\" and i + 1 < n and text[i + 1] in '"\\$`\n':
                        i += 1
                    value.append(text[i])
                    pos.append(i)
                    i += 1
                i += 1
            elif c == "\\" and text.startswith("\\\n", i):
                i += 2  # a line continuation
            elif c == "\\" and i + 1 < n:
                value.append(text[i + 1])
                pos.append(i + 1)
                i += 2
            elif c == "$" and text.startswith("${", i) and text.find("}", i) != -1:
                close = text.find("}", i)
                value.extend(text[i : close + 1])
                pos.extend(range(i, close + 1))
                i = close + 1
            else:
                value.append(c)
                pos.append(i)
                i += 1
        words.append(Word("".join(value), tuple(pos), start, min(i, n)))
    return words


def _operator_at(text: str, i: int) -> str | None:
    op = next((o for o in OPERATORS if text.startswith(o, i)), None)
    # `>&2`, `2>&1`, `&>file` are redirections, not the background operator.
    if op == "&" and ((i > 0 and text[i - 1] in "<>") or text.startswith("&>", i)):
        return None
    return op


def commands(words: list[Word]) -> list[list[Word]]:
    """Split a word list into simple commands at `&&`, `||`, `;`, `|`, `&`."""
    out: list[list[Word]] = [[]]
    for word in words:
        if word.operator:
            out.append([])
        else:
            out[-1].append(word)
    return [c for c in out if c]


_VARIABLE = re.compile(
    r"\$(?:(?P<plain>[A-Za-z_][A-Za-z0-9_]*)"
    r"|\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-+])(?P<word>[^}]*))?\})"
)


def expand(text: str, env: Mapping[str, str]) -> str:
    """Expand `$X`, `${X}`, `${X:-default}`, `${X:+alt}` as Docker does for ARG/ENV values."""

    def repl(m: re.Match[str]) -> str:
        name = m.group("plain") or m.group("name")
        value = env.get(name)
        op = m.group("op")
        if op in (":-", "-"):
            use_default = value is None or (op == ":-" and value == "")
            return m.group("word") if use_default else value or ""
        if op in (":+", "+"):
            present = value is not None and (op == "+" or value != "")
            return m.group("word") if present else ""
        return value or ""

    return _VARIABLE.sub(repl, text)


@dataclass(frozen=True)
class Reference:
    """A `$NAME` / `${NAME...}` found in a text."""

    name: str
    default: str | None  # the `:-`/`-` word, when there is one
    start: int
    end: int
    default_start: int | None  # offset of the default word, for editing it


def references(text: str) -> list[Reference]:
    out = []
    for m in _VARIABLE.finditer(text):
        name = m.group("plain") or m.group("name")
        has_default = m.group("op") in (":-", "-")
        out.append(
            Reference(
                name,
                m.group("word") if has_default else None,
                m.start(),
                m.end(),
                m.start("word") if has_default else None,
            )
        )
    return out
