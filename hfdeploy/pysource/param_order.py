"""Repair plans for a signature with a parameter without a default after one with a default:
the new signature (bare `*` where possible, else a stable reorder) and how a positional call
written for the declared order is rewritten so every argument binds the same parameter."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hfdeploy.diagnostics import Span
from hfdeploy.pysource.calls import Argument
from hfdeploy.signatures import (
    Param,
    ParamKind,
    Signature,
    find_offence,
    positional,
    positional_only_count,
)

TextEdit = tuple[Span, str]


@dataclass(frozen=True)
class Plan:
    old_order: tuple[str, ...]  # positional parameters as declared
    new_order: tuple[str, ...]  # positional parameters after the fix; the rest are keyword-only
    positional_only: frozenset[str]
    has_varargs: bool
    keyword_only: tuple[str, ...]  # made keyword-only by a bare `*`
    moved: tuple[str, ...]  # moved before the parameters with defaults
    edits: tuple[TextEdit, ...]  # on the defining file

    @property
    def first_affected(self) -> int:
        """Index of the first positional parameter whose position changes."""
        i = 0
        while i < len(self.new_order) and self.new_order[i] == self.old_order[i]:
            i += 1
        return i

    @property
    def title(self) -> str:
        parts = []
        if self.moved:
            parts.append(f"Move {_names(self.moved)} before the parameters with defaults")
        if self.keyword_only:
            verb = "make" if parts else "Make"
            parts.append(f"{verb} {_names(self.keyword_only)} keyword-only")
        return " and ".join(parts)


def _names(names: tuple[str, ...]) -> str:
    return ", ".join(f"`{n}`" for n in names)


def _stable_partition(params: list[Param]) -> list[Param]:
    return [p for p in params if not p.has_default] + [p for p in params if p.has_default]


def make_plan(sig: Signature, text: str) -> Plan | None:
    """None when no bare `*` or reorder inside the positional-only section can repair it
    (`def f(a=1, /, b, *args)`)."""
    offence = find_offence(sig.params)
    if offence is None:
        return None
    region = positional(sig.params)
    split = positional_only_count(sig.params)
    has_varargs = any(p.kind is ParamKind.VARARGS for p in sig.params)
    star_before: Param | None
    if offence.index >= split and not has_varargs:
        arranged, star_before = region, region[offence.index]
    else:
        head, rest = _stable_partition(region[:split]), region[split:]
        if any(p.has_default for p in head):
            missing = next((p for p in rest if not p.has_default), None)
            if missing is not None and has_varargs:
                return None
            arranged, star_before = head + rest, missing
        else:
            arranged, star_before = head + _stable_partition(rest), None
    cut = arranged.index(star_before) if star_before is not None else len(arranged)
    edits: list[TextEdit] = [
        (slot.span, text[p.span.start : p.span.end])
        for slot, p in zip(region, arranged, strict=True)
        if slot is not p
    ]
    if star_before is not None:
        edits.append(
            (Span(star_before.span.start, star_before.span.start), _star_text(text, star_before))
        )
        old_star = next((p for p in sig.params if p.kind is ParamKind.BARE_STAR), None)
        if old_star is not None:
            edits.append((_star_removal(text, old_star), ""))
    moved = tuple(
        p.name
        for slot, p in zip(region, arranged, strict=True)
        if slot is not p and not p.has_default
    )
    return Plan(
        old_order=tuple(p.name for p in region),
        new_order=tuple(p.name for p in arranged[:cut]),
        positional_only=frozenset(p.name for p in region[:split]),
        has_varargs=has_varargs,
        keyword_only=tuple(p.name for p in arranged[cut:]),
        moved=moved,
        edits=tuple(edits),
    )


def _star_text(text: str, before: Param) -> str:
    """`*, ` inline; `*,` on its own line when the parameter starts its line."""
    line_start = text.rfind("\n", 0, before.span.start) + 1
    indent = text[line_start : before.span.start]
    if line_start and indent.strip(" \t") == "":
        newline = "\r\n" if text[line_start - 2 : line_start] == "\r\n" else "\n"
        return "*," + newline + indent
    return "*, "


def _star_removal(text: str, star: Param) -> Span:
    """The old bare `*` with its comma: the whole line when `*,` is alone on it."""
    comma = re.compile(r"[ \t]*,[ \t]*").match(text, star.span.end)
    end = comma.end() if comma else star.span.end
    line_start = text.rfind("\n", 0, star.span.start) + 1
    newline = re.compile(r"\r?\n").match(text, end)
    if text[line_start : star.span.start].strip(" \t") == "" and newline:
        return Span(line_start, newline.end())
    return Span(star.span.start, end)


@dataclass(frozen=True)
class Rewrite:
    edits: tuple[TextEdit, ...]
    reordered: bool  # an argument expression now runs at another point of the call


def rewrite_call(plan: Plan, args: tuple[Argument, ...], implicit: int, text: str) -> Rewrite | str:
    """Edits that make a call written for the declared order bind the same parameters after
    the fix, or the reason it cannot be done statically."""
    old, new = plan.old_order[implicit:], plan.new_order[implicit:]
    if plan.old_order[:implicit] != plan.new_order[:implicit]:
        return "its implicit first argument would bind another parameter"
    slots: list[Argument] = []
    for arg in args:
        if arg.kind == "star":
            if len(slots) < len(old):
                return "unpacks `*` arguments into the parameters being changed"
            break
        if arg.kind == "positional":
            slots.append(arg)
    spill = len(slots) > len(old) or any(a.kind == "star" for a in args)
    if len(slots) <= plan.first_affected - implicit and not spill:
        return Rewrite((), False)
    bound = dict(zip(old, slots, strict=False))  # fewer arguments than parameters, or more
    if spill:
        if not plan.has_varargs or len(new) != len(old):
            return "passes more positional arguments than the function takes"
        placed = [(bound[name], False, name) for name in new]
        slots = slots[: len(old)]
    else:
        keep = 0
        while keep < len(slots) and keep < len(new) and new[keep] == old[keep]:
            keep += 1
        rest = old[keep : len(slots)]
        by_position = tuple(n for n in new[keep:] if n in rest and n in plan.positional_only)
        if new[keep : keep + len(by_position)] != by_position:
            return "positional-only parameters would change places"
        placed = [(bound[n], False, n) for n in new[:keep] + by_position]
        placed += [(bound[n], True, n) for n in rest if n not in by_position]
    given = {arg.name for arg in args if arg.kind == "keyword" and arg.name is not None}
    clash = sorted(given & {name for _, as_keyword, name in placed if as_keyword})
    if clash:
        return f"already passes `{clash[0]}` by keyword as well as by position"
    edits: list[TextEdit] = []
    reordered = False
    for slot, (arg, as_keyword, name) in zip(slots, placed, strict=True):
        body = text[arg.span.start : arg.span.end]
        if as_keyword:
            body = f"{name}=({body})" if arg.needs_parens else f"{name}={body}"
        if arg is slot and not as_keyword:
            continue
        if arg is slot and not arg.needs_parens:
            edits.append((Span(slot.span.start, slot.span.start), f"{name}="))
        else:
            edits.append((slot.span, body))
        reordered = reordered or (arg is not slot and not arg.pure)
    return Rewrite(tuple(edits), reordered)
