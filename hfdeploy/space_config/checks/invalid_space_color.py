"""SC004: `colorFrom` / `colorTo` is not one of the eight colours the Hub accepts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, FixAvailability
from hfdeploy.project import Project
from hfdeploy.space_config.edits import replace_value
from hfdeploy.space_config.frontmatter import Status, front_matter, requote
from hfdeploy.space_config.schema import COLOR_KEYS, COLORS, FALLBACK_COLOR, NEAREST_COLOR


def nearest_color(value: Any) -> str:
    """The allowed colour closest to `value`: itself in lower case, a known neighbour
    (`orange` → `yellow`, `teal` → `blue`, `light-green` → `green`), else `gray`."""
    if not isinstance(value, str):
        return FALLBACK_COLOR
    name = value.strip().lower().replace("-", "").replace("_", "").replace(" ", "")
    for prefix in ("light", "dark", "pale", "deep", "bright"):
        if name.startswith(prefix) and name != prefix:
            name = name[len(prefix) :]
            break
    if name in COLORS:
        return name
    return NEAREST_COLOR.get(name, FALLBACK_COLOR)


class InvalidSpaceColor(Check):
    """## What it does
    Reports a `colorFrom` or `colorTo` that is not `red`, `yellow`, `green`, `blue`, `indigo`,
    `purple`, `pink` or `gray`.

    ## Why is this bad?
    The Hub rejects the push: `"colorFrom" must be one of [red, yellow, green, blue, indigo,
    purple, pink, gray]`. Common CSS names such as `orange`, `teal` or `cyan`, capitals and
    hex codes are all refused.

    ## Example
    ```yaml
    colorFrom: orange
    colorTo: Teal
    ```

    Use instead:
    ```yaml
    colorFrom: yellow
    colorTo: blue
    ```

    ## Fix safety
    Safe: the colours only paint the Space's thumbnail. The fix lower-cases a valid name, maps
    common names to the nearest allowed one (orange, amber, gold, brown → yellow; cyan, teal,
    sky, navy → blue; lime, emerald, olive, mint → green; violet, magenta, lavender → purple;
    fuchsia, rose → pink; crimson, maroon → red; grey, slate, silver, black, white → gray) and
    uses `gray` for anything else.
    """

    code = "SC004"
    name = "invalid-space-color"
    fix_availability = FixAvailability.ALWAYS

    def run(self, project: Project) -> Iterator[Diagnostic]:
        matter = front_matter(project)
        if matter.status is not Status.OK:
            return
        for key in COLOR_KEYS:
            entry = matter.get(key)
            if entry is None or entry.value in COLORS:
                continue
            color = nearest_color(entry.value)
            text = requote(entry, color) if isinstance(entry.value, str) else color
            shown = entry.shown
            yield self.diagnostic(
                f'"{key}" must be one of [{", ".join(COLORS)}], not `{shown}`',
                path=matter.path,
                span=entry.value_span,
                fix=replace_value(matter, entry, text, f"Replace `{shown}` with `{color}`"),
            )
