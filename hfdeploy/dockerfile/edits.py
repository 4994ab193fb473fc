"""The Dockerfile domain's text-edit helpers, shared by every check whose fix edits the
Dockerfile (and by other domains' fixes that remove or insert a Dockerfile line)."""

from __future__ import annotations

from hfdeploy.diagnostics import Span


def whole_lines(text: str, span: Span) -> Span:
    """The lines `span` covers, with their newline."""
    start = text.rfind("\n", 0, span.start) + 1
    end = text.find("\n", span.end)
    return Span(start, len(text) if end == -1 else end + 1)
