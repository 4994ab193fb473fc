"""SC006: `short_description` is longer than the 60 characters the Hub allows."""

from __future__ import annotations

from collections.abc import Iterator

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, FixAvailability
from hfdeploy.project import Project
from hfdeploy.space_config.edits import replace_value
from hfdeploy.space_config.frontmatter import Status, front_matter, requote
from hfdeploy.space_config.schema import MAX_SHORT_DESCRIPTION

ELLIPSIS = "…"
# Left off the end of a shortened text before the ellipsis, so it does not end "API, …".
_TRAILING = " \t,;:.-–—(/&+"


def js_length(text: str) -> int:
    """Length as JavaScript counts it (UTF-16 code units): the Hub's validator runs on Node,
    so an emoji counts twice."""
    return len(text.encode("utf-16-le")) // 2


def shorten(text: str, limit: int = MAX_SHORT_DESCRIPTION) -> str:
    """`text` on one line, cut at a word boundary and ended with "…" to fit `limit`."""
    text = " ".join(text.split())
    if js_length(text) <= limit:
        return text
    budget = limit - js_length(ELLIPSIS)
    cut, used = 0, 0
    for char in text:
        used += js_length(char)
        if used > budget:
            break
        cut += 1
    head = text[:cut]
    if not text[cut].isspace() and " " in head:
        head = head[: head.rfind(" ")]
    return head.rstrip(_TRAILING) + ELLIPSIS


class ShortDescriptionTooLong(Check):
    """## What it does
    Reports a `short_description` longer than 60 characters (counted as JavaScript counts
    them, so an emoji takes two).

    ## Why is this bad?
    The Hub rejects the push: `"short_description" length must be less than or equal to 60
    characters long`. The limit is enforced by the server but not stated in the reference.

    ## Example
    ```yaml
    short_description: A small task management REST API built with FastAPI, SQLModel and JWT auth
    ```

    Use instead:
    ```yaml
    short_description: A small task management REST API built with FastAPI…
    ```

    ## Fix safety
    Safe: it changes only this one line of prose, and without it the Hub refuses the whole
    push. The text is cut at the last word boundary that fits 59 characters, trailing
    punctuation is dropped and "…" is added; the original stays in the diff and in git history,
    so review the wording.
    """

    code = "SC006"
    name = "short-description-too-long"
    fix_availability = FixAvailability.ALWAYS

    def run(self, project: Project) -> Iterator[Diagnostic]:
        matter = front_matter(project)
        entry = matter.get("short_description") if matter.status is Status.OK else None
        if entry is None or not isinstance(entry.value, str):
            return
        length = js_length(entry.value)
        if length <= MAX_SHORT_DESCRIPTION:
            return
        short = shorten(entry.value)
        yield self.diagnostic(
            f"`short_description` is {length} characters long; the Hub allows at most "
            f"{MAX_SHORT_DESCRIPTION}",
            path=matter.path,
            span=entry.value_span,
            fix=replace_value(
                matter, entry, requote(entry, short), "Shorten it to fit 60 characters"
            ),
        )
