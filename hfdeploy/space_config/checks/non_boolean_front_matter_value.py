"""SC007: a boolean key (`pinned`, `fullWidth`, `hf_oauth`, `disable_embedding`) holds a
string or number instead of `true` / `false`."""

from __future__ import annotations

from collections.abc import Iterator

from ruamel.yaml.scalarbool import ScalarBoolean

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, FixAvailability
from hfdeploy.project import Project
from hfdeploy.space_config.edits import replace_value
from hfdeploy.space_config.frontmatter import Status, front_matter
from hfdeploy.space_config.schema import BOOLEAN_KEYS, BOOLEAN_WORDS


class NonBooleanFrontMatterValue(Check):
    """## What it does
    Reports `pinned`, `fullWidth`, `hf_oauth` or `disable_embedding` set to anything but a YAML
    boolean: a quoted `"true"`, `yes`/`no`/`on`/`off`, a number.

    ## Why is this bad?
    The Hub reads the front matter as YAML 1.2, where `yes` and `"true"` are strings, and
    validates these keys as booleans. Python's PyYAML (YAML 1.1) reads `yes` as true, so the
    same file means different things to different tools; a string is refused or ignored.

    ## Example
    ```yaml
    pinned: "false"
    hf_oauth: yes
    ```

    Use instead:
    ```yaml
    pinned: false
    hf_oauth: true
    ```

    ## Fix safety
    Safe: a value spelling a boolean (`true`, `yes`, `on`, `false`, `no`, `off` in any case,
    quoted or not) becomes that boolean. Other values are reported without a fix.
    """

    code = "SC007"
    name = "non-boolean-front-matter-value"
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        matter = front_matter(project)
        if matter.status is not Status.OK:
            return
        for key in BOOLEAN_KEYS:
            entry = matter.get(key)
            if entry is None or isinstance(entry.value, (bool, ScalarBoolean)):
                continue
            meant = (
                BOOLEAN_WORDS.get(entry.value.strip().lower())
                if isinstance(entry.value, str)
                else None
            )
            fix = None
            if meant is not None:
                word = "true" if meant else "false"
                fix = replace_value(matter, entry, word, f"Write `{key}: {word}`")
            yield self.diagnostic(
                f"`{key}` must be `true` or `false`, not `{entry.shown}`",
                path=matter.path,
                span=entry.value_span,
                fix=fix,
            )
