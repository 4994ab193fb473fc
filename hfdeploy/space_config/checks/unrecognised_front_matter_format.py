"""SC015: an `emoji` that is not an emoji, or a `startup_duration_timeout` that is not a
duration."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Severity
from hfdeploy.project import Project
from hfdeploy.space_config.frontmatter import Status, front_matter
from hfdeploy.space_config.schema import DURATION

# Joiners, variation selectors, keycap and tag characters that glue emoji sequences together.
_EMOJI_PARTS = {"\u200d", "\ufe0f", "\ufe0e", "\u20e3"}


def looks_like_emoji(text: str) -> bool:
    """True when every character is a pictographic symbol or part of an emoji sequence."""
    text = text.strip()
    if not text:
        return False
    for char in text:
        if char in _EMOJI_PARTS or "\U000e0020" <= char <= "\U000e007f":
            continue
        if char in "0123456789#*" and "\u20e3" in text:  # keycaps: 1️⃣ #️⃣
            continue
        if unicodedata.category(char) in ("So", "Sk", "Sm") or "\U0001f1e6" <= char <= "\U0001f1ff":
            continue
        return False
    return True


class UnrecognisedFrontMatterFormat(Check):
    """## What it does
    Warns about an `emoji` that is not an emoji (a word or a `:rocket:` shortcode) and a
    `startup_duration_timeout` that does not read as a duration such as `30m`, `1h` or `1h30m`.

    ## Why is this bad?
    The reference documents these formats only by example, so they are warnings, but a
    non-emoji `emoji` has been blamed for "Missing configuration in README", and a timeout the
    Hub cannot read leaves the default of 30 minutes.

    ## Example
    ```yaml
    emoji: rocket
    startup_duration_timeout: 1 hour
    ```

    Use instead:
    ```yaml
    emoji: 🚀
    startup_duration_timeout: 1h
    ```
    """

    code = "SC015"
    name = "unrecognised-front-matter-format"
    severity = Severity.WARNING

    def run(self, project: Project) -> Iterator[Diagnostic]:
        matter = front_matter(project)
        if matter.status is not Status.OK:
            return
        emoji = matter.get("emoji")
        if emoji is not None and isinstance(emoji.value, str) and not looks_like_emoji(emoji.value):
            yield self.diagnostic(
                f"`emoji` should be a single emoji, not `{emoji.shown}`",
                path=matter.path,
                span=emoji.value_span,
            )
        timeout = matter.get("startup_duration_timeout")
        value = timeout.value if timeout is not None else None
        if timeout is not None and isinstance(value, str) and not DURATION.fullmatch(value.strip()):
            yield self.diagnostic(
                f"`startup_duration_timeout` should be a duration such as `30m` or `1h`, "
                f"not `{timeout.shown}`",
                path=matter.path,
                span=timeout.value_span,
            )
