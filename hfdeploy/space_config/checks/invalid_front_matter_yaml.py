"""SC002: the front matter block is not closed, is not valid YAML, or is not a mapping."""

from __future__ import annotations

from collections.abc import Iterator

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Span
from hfdeploy.project import Project
from hfdeploy.space_config.frontmatter import Status, front_matter


class InvalidFrontMatterYaml(Check):
    """## What it does
    Reports README.md front matter that opens with `---` but is never closed by a second
    `---` line, that is not valid YAML (bad indentation, tabs, an unclosed quote or bracket, a
    duplicated key), or that is not a `key: value` mapping.

    ## Why is this bad?
    The Hub validates the block on every push. A block it cannot read is rejected
    ("YAML Metadata Error") or leaves the Space in `CONFIG_ERROR`.

    ## Example
    ```markdown
    ---
    title: Taskboard: the API
    sdk: docker
    ---
    ```

    Use instead:
    ```markdown
    ---
    title: "Taskboard: the API"
    sdk: docker
    ---
    ```
    """

    code = "SC002"
    name = "invalid-front-matter-yaml"

    def run(self, project: Project) -> Iterator[Diagnostic]:
        matter = front_matter(project)
        offset = matter.error_offset if matter.error_offset is not None else 0
        at = Span(offset, offset)
        if matter.status is Status.UNCLOSED:
            yield self.diagnostic(
                "README.md front matter opened with `---` is never closed by a `---` line",
                path=matter.path,
                span=at,
                notes=("Add a line `---` after the last `key: value` line.",),
            )
        elif matter.status is Status.INVALID_YAML:
            yield self.diagnostic(
                f"README.md front matter is not valid YAML: {matter.error}",
                path=matter.path,
                span=at,
                notes=("The Hub rejects the push or shows a configuration error.",),
            )
        elif matter.status is Status.NOT_MAPPING:
            yield self.diagnostic(
                f"README.md front matter must be `key: value` lines, but {matter.error}",
                path=matter.path,
                span=at,
            )
