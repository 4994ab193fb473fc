"""SC014: a front matter key the Spaces configuration reference does not define."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from hfdeploy.check import Check
from hfdeploy.diagnostics import Applicability, Diagnostic, Edit, Fix, FixAvailability, Severity
from hfdeploy.project import Project
from hfdeploy.space_config.frontmatter import Status, front_matter
from hfdeploy.space_config.schema import IGNORED_KEYS, KNOWN_KEYS


def _squash(key: str) -> str:
    return key.lower().replace("_", "").replace("-", "")


def intended_key(key: str) -> str | None:
    """The known key `key` is probably a misspelling of (`app-port`, `colourFrom`, `AppPort`)."""
    squashed = _squash(key).replace("colour", "color")
    for known in KNOWN_KEYS:
        if _squash(known) == squashed:
            return known
    close = difflib.get_close_matches(key, sorted(KNOWN_KEYS), n=1, cutoff=0.8)
    return close[0] if close else None


class UnknownFrontMatterKey(Check):
    """## What it does
    Reports top-level front matter keys that are not in the Spaces configuration reference.
    A key that looks like a misspelt known key (`app-port`, `colourFrom`, `short_desc`) is a
    warning; `hardware` (ignored: hardware is chosen in the Space settings) is a warning;
    anything else is information.

    ## Why is this bad?
    The Hub ignores keys it does not know, so a misspelt `app-port: 8000` leaves the Space on
    the default port 7860 while the server listens on 8000, and the Space never starts.

    ## Example
    ```yaml
    app-port: 8000
    ```

    Use instead:
    ```yaml
    app_port: 8000
    ```

    ## Fix safety
    Unsafe: the fix renames a key to the known key it resembles, which is a guess.
    """

    code = "SC014"
    name = "unknown-front-matter-key"
    severity = Severity.INFO
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        matter = front_matter(project)
        if matter.status is not Status.OK:
            return
        for key, entry in matter.entries.items():
            if key in KNOWN_KEYS:
                continue
            if key in IGNORED_KEYS:
                yield self.diagnostic(
                    f"`{key}` is ignored by the Hub: {IGNORED_KEYS[key]}",
                    path=matter.path,
                    span=entry.key_span,
                    severity=Severity.WARNING,
                )
                continue
            meant = intended_key(key)
            if meant is None:
                yield self.diagnostic(
                    f"`{key}` is not a Spaces configuration key; the Hub ignores it",
                    path=matter.path,
                    span=entry.key_span,
                )
                continue
            fix = None
            if meant not in matter.entries:
                edit = Edit(matter.path, entry.key_span, meant)
                fix = Fix(f"Rename `{key}` to `{meant}`", (edit,), Applicability.UNSAFE)
            yield self.diagnostic(
                f"`{key}` is not a Spaces configuration key; did you mean `{meant}`?",
                path=matter.path,
                span=entry.key_span,
                fix=fix,
                severity=Severity.WARNING,
            )
