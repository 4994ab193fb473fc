"""SC009: a front matter value is outside what its key allows (hardware, storage, header,
OAuth scopes, custom headers, OAuth expiry, base path)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Fix, FixAvailability
from hfdeploy.project import Project
from hfdeploy.space_config.edits import replace_value
from hfdeploy.space_config.frontmatter import Entry, FrontMatter, Status, front_matter, requote
from hfdeploy.space_config.schema import (
    CUSTOM_HEADERS,
    ENUMS,
    MAX_OAUTH_EXPIRATION_MINUTES,
    OAUTH_SCOPES,
)


class InvalidFrontMatterValue(Check):
    """## What it does
    Reports values outside what the Spaces configuration reference allows:
    `suggested_hardware` (`cpu-basic`, `t4-small`, `a10g-large`, ...), `suggested_storage`
    (`small`, `medium`, `large`), `header` (`mini`, `default`), `hf_oauth_scopes` entries,
    `custom_headers` (only the three cross-origin policies, lower case, with their allowed
    values), `hf_oauth_expiration_minutes` above 43200 (30 days) or below 1, and a `base_path`
    that does not start with `/`.

    ## Why is this bad?
    The Hub validates these keys against fixed lists and rejects the push with a
    `"<key>" must be one of [...]` error.

    ## Example
    ```yaml
    suggested_hardware: T4-Small
    base_path: docs
    ```

    Use instead:
    ```yaml
    suggested_hardware: t4-small
    base_path: /docs
    ```

    ## Fix safety
    Safe where it applies: a value that is valid once lower-cased is lower-cased, and `/` is
    put in front of a `base_path`. Other values are reported without a fix.
    """

    code = "SC009"
    name = "invalid-front-matter-value"
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        matter = front_matter(project)
        if matter.status is not Status.OK:
            return
        for key, allowed in ENUMS.items():
            entry = matter.get(key)
            if entry is not None and isinstance(entry.value, str) and entry.value not in allowed:
                yield self._one_of(matter, entry, allowed)
        yield from self._scopes(matter)
        yield from self._custom_headers(matter)
        entry = matter.get("hf_oauth_expiration_minutes")
        value = entry.value if entry is not None else None
        in_range = not isinstance(value, int) or 1 <= value <= MAX_OAUTH_EXPIRATION_MINUTES
        if entry is not None and not isinstance(value, bool) and not in_range:
            yield self.diagnostic(
                f'"hf_oauth_expiration_minutes" must be between 1 and '
                f"{MAX_OAUTH_EXPIRATION_MINUTES} (30 days), not {value}",
                path=matter.path,
                span=entry.value_span,
            )
        entry = matter.get("base_path")
        if entry is not None and isinstance(entry.value, str) and not entry.value.startswith("/"):
            fixed = "/" + entry.value.strip()
            yield self.diagnostic(
                f"`base_path` must start with `/`, not `{entry.shown}`",
                path=matter.path,
                span=entry.value_span,
                fix=replace_value(matter, entry, requote(entry, fixed), f"Write `{fixed}`"),
            )

    def _one_of(self, matter: FrontMatter, entry: Entry, allowed: tuple[str, ...]) -> Diagnostic:
        lower = str(entry.value).strip().lower()
        fix: Fix | None = None
        if lower in allowed:
            fix = replace_value(matter, entry, requote(entry, lower), f"Write `{lower}`")
        return self.diagnostic(
            f'"{entry.key}" must be one of [{", ".join(allowed)}], not `{entry.shown}`',
            path=matter.path,
            span=entry.value_span,
            fix=fix,
        )

    def _scopes(self, matter: FrontMatter) -> Iterator[Diagnostic]:
        entry = matter.get("hf_oauth_scopes")
        if entry is None or not isinstance(entry.value, list):
            return
        for scope in entry.value:
            if isinstance(scope, str) and scope not in OAUTH_SCOPES:
                yield self.diagnostic(
                    f"`hf_oauth_scopes` has an unknown scope `{scope}`",
                    path=matter.path,
                    span=entry.span_of(scope),
                    notes=(f"Allowed: {', '.join(OAUTH_SCOPES)}.",),
                )

    def _custom_headers(self, matter: FrontMatter) -> Iterator[Diagnostic]:
        entry = matter.get("custom_headers")
        if entry is None or not isinstance(entry.value, Mapping):
            return
        for name, value in entry.value.items():
            allowed = CUSTOM_HEADERS.get(str(name))
            if allowed is None:
                problem = f"`custom_headers` cannot set `{name}`"
                note = f"Allowed headers (lower case): {', '.join(CUSTOM_HEADERS)}."
            elif value not in allowed:
                choices = ", ".join(allowed)
                problem = f"`custom_headers` `{name}` must be one of [{choices}], not `{value}`"
                note = "Header names and values are lower case."
            else:
                continue
            yield self.diagnostic(
                problem, path=matter.path, span=entry.span_of(str(name)), notes=(note,)
            )
