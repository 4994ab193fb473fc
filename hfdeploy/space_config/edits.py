"""Fixes on README.md front matter as text splices: replace a value, drop an entry's lines,
insert a line. Every other byte of the README stays as it was."""

from __future__ import annotations

from hfdeploy.diagnostics import Applicability, Edit, Fix
from hfdeploy.space_config.frontmatter import Entry, FrontMatter, replacement_at


def replace_value(
    matter: FrontMatter,
    entry: Entry,
    value_text: str,
    title: str,
    applicability: Applicability = Applicability.SAFE,
) -> Fix:
    """Put `value_text` (already YAML) in place of `entry`'s value."""
    edit = Edit(matter.path, entry.value_span, replacement_at(entry, value_text))
    return Fix(title, (edit,), applicability)


def remove_entry(matter: FrontMatter, entry: Entry, title: str) -> Fix | None:
    """Delete the entry's lines; None when it shares a line with something else (`{a: 1, b: 2}`)."""
    if entry.line_span is None:
        return None
    return Fix(title, (Edit(matter.path, entry.line_span, ""),))


def insert_line(matter: FrontMatter, line: str, title: str, *, first: bool = False) -> Fix | None:
    """Add `line` as a new top-level entry, at the end of the block (or first, for `title`)."""
    offset = matter.insertion_offset()
    if offset is None:
        return None
    if first and matter.entries:
        earliest = min(matter.entries.values(), key=lambda e: e.key_span.start)
        if earliest.line_span is not None:
            offset = earliest.line_span.start
    # The body always ends where the closing `---` line starts, so `offset` starts a line.
    text = f"{matter.indent}{line}{matter.newline}"
    return Fix(title, (Edit.insert(matter.path, offset, text),))
