"""SC008: a front matter value has the wrong type (a number where a string goes, a string
where a list goes, ...)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Fix, FixAvailability, Span
from hfdeploy.project import Project
from hfdeploy.space_config.edits import replace_value
from hfdeploy.space_config.frontmatter import Entry, FrontMatter, Status, front_matter, yaml_scalar
from hfdeploy.space_config.schema import (
    DOCKER_IRRELEVANT,
    INTEGER_KEYS,
    LIST_KEYS,
    MAPPING_KEYS,
    STRING_KEYS,
    STRING_OR_LIST_KEYS,
)

# Keys whose values have a check of their own (SC003 sdk, SC004 colours, SC005 app_port).
OWN_CHECKS = {"sdk", "colorFrom", "colorTo", "app_port"}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _problem(key: str, value: Any) -> str | None:
    """What is wrong with `value`'s type for `key`, or None."""
    if key in STRING_KEYS and not isinstance(value, str):
        return "a string"
    if key in INTEGER_KEYS and not _is_int(value):
        return "an integer"
    if key in LIST_KEYS and not _is_str_list(value):
        return "a list of strings"
    if key in STRING_OR_LIST_KEYS and not (isinstance(value, str) or _is_str_list(value)):
        return "a string or a list of strings"
    if key in MAPPING_KEYS and not (
        isinstance(value, Mapping) and all(isinstance(v, str) for v in value.values())
    ):
        return "a mapping of strings to strings"
    return None


def _fix(matter: FrontMatter, entry: Entry, wanted: str) -> Fix | None:
    """Only a scalar that is plainly the wrong kind of scalar has an obvious repair."""
    scalar = entry.style is None and not isinstance(entry.value, (list, Mapping)) and entry.text
    if wanted == "a string" and scalar and entry.value is not None:
        return replace_value(matter, entry, yaml_scalar(entry.text), f"Quote `{entry.text}`")
    if wanted == "an integer" and isinstance(entry.value, str) and entry.value.strip().isdigit():
        number = str(int(entry.value.strip()))
        return replace_value(matter, entry, number, f"Write `{entry.key}: {number}`")
    return None


class FrontMatterValueWrongType(Check):
    """## What it does
    Reports a front matter value of the wrong type for its key: `title`, `emoji`,
    `short_description`, `base_path`, `header`, ... must be strings; `models`, `datasets`,
    `tags`, `hf_oauth_scopes` and `preload_from_hub` lists of strings;
    `hf_oauth_expiration_minutes` an integer; `hf_oauth_authorized_org` and `license` a string
    or a list; `custom_headers` a mapping of strings.

    ## Why is this bad?
    The Hub validates each key's type and rejects the push with messages such as
    `"tags" must be an array`. YAML types are easy to get wrong by accident: `title: 2048` is a
    number and `tags: fastapi, api` is one string.

    ## Example
    ```yaml
    title: 2048
    tags: fastapi, api
    hf_oauth_expiration_minutes: "600"
    ```

    Use instead:
    ```yaml
    title: "2048"
    tags: [fastapi, api]
    hf_oauth_expiration_minutes: 600
    ```

    ## Fix safety
    Safe where it applies: a number or boolean where a string goes is quoted exactly as
    written, and a quoted whole number where an integer goes is unquoted. Lists and mappings
    are left to you.
    """

    code = "SC008"
    name = "front-matter-value-wrong-type"
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        matter = front_matter(project)
        if matter.status is not Status.OK:
            return
        for key, entry in matter.entries.items():
            if key in OWN_CHECKS or key in DOCKER_IRRELEVANT:
                continue
            wanted = _problem(key, entry.value)
            if wanted is None:
                continue
            item = _non_string_item(entry)
            yield self.diagnostic(
                f"`{key}` must be {wanted}, not `{entry.shown}`"
                if item is None
                else f"`{key}` must be {wanted}; item `{item[0]}` is not a string",
                path=matter.path,
                span=entry.value_span if item is None else item[1],
                fix=_fix(matter, entry, wanted),
            )


def _non_string_item(entry: Entry) -> tuple[str, Span] | None:
    """The first item of a list of scalars that is not a string (`- 42`), with where it is."""
    if not isinstance(entry.value, list) or len(entry.parts) != len(entry.value):
        return None
    return next(
        (
            part
            for item, part in zip(entry.value, entry.parts, strict=False)
            if not isinstance(item, str)
        ),
        None,
    )
