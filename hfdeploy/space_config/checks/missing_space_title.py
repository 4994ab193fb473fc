"""SC013: the front matter has no `title`."""

from __future__ import annotations

from collections.abc import Iterator

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Fix, FixAvailability, Severity
from hfdeploy.project import Project
from hfdeploy.space_config.edits import insert_line, replace_value
from hfdeploy.space_config.frontmatter import Status, front_matter, yaml_scalar
from hfdeploy.space_config.new_front_matter import project_title


class MissingSpaceTitle(Check):
    """## What it does
    Reports front matter without a `title`, or with an empty one.

    ## Why is this bad?
    The title is what the Space's page and cards show, and the app reads it at run time as
    `SPACE_TITLE`. Without it the Hub falls back to the repository name.

    ## Example
    ```yaml
    sdk: docker
    ```

    Use instead:
    ```yaml
    title: Taskboard API
    sdk: docker
    ```

    ## Fix safety
    Safe: the fix adds `title:` with the project's name from `pyproject.toml` (or the
    directory name) as the first key.
    """

    code = "SC013"
    name = "missing-space-title"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        matter = front_matter(project)
        if matter.status is not Status.OK:
            return
        entry = matter.get("title")
        if entry is not None and (not isinstance(entry.value, str) or entry.value.strip()):
            return  # present; a non-string title is SC008's finding
        title = yaml_scalar(project_title(project))
        fix: Fix | None
        if entry is None:
            fix = insert_line(matter, f"title: {title}", "Add a title", first=True)
        else:
            fix = replace_value(matter, entry, title, "Fill in the title")
        yield self.diagnostic(
            "README.md front matter has no `title`",
            path=matter.path,
            span=entry.value_span if entry is not None else matter.block,
            fix=fix,
        )
