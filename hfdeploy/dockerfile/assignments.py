"""`NAME=value` pairs of ENV and ARG instructions, with their positions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hfdeploy.dockerfile.parse import Instruction


@dataclass(frozen=True)
class Assignment:
    """One `NAME=value` of an ENV or ARG instruction; offsets index into `Instruction.text`."""

    name: str
    value: str | None
    name_start: int
    value_start: int | None
    value_end: int | None


def assignments(ins: Instruction) -> list[Assignment]:
    """ENV `a=b c="d e"` (or legacy `ENV a b c`) and ARG `a[=b]` pairs."""
    words = ins.shell_words()
    if not words:
        return []
    if ins.keyword == "ENV" and "=" not in words[0].value:
        first, rest = words[0], words[1:]
        if not rest:
            return [Assignment(first.value, "", first.start, None, None)]
        value = ins.text[rest[0].start : rest[-1].end]
        value_text = " ".join(w.value for w in rest)
        return [Assignment(first.value, value_text, first.start, rest[0].start, rest[-1].end)]
    out = []
    for word in words:
        name, eq, value = word.value.partition("=")
        if not eq:
            out.append(Assignment(name, None, word.start, None, None))
            continue
        split = len(name) + 1
        if split < len(word.value):
            value_start, _ = word.span_of(split, len(word.value))
            out.append(Assignment(name, value, word.start, value_start, word.end))
        else:
            out.append(Assignment(name, "", word.start, word.end, word.end))
    return out


def arg_pairs(ins: Instruction) -> list[tuple[str, str | None]]:
    return [(a.name, a.value) for a in assignments(ins)]
