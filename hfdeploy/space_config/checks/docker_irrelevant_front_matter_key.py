"""SC012: front matter keys that only SDK-managed Spaces use (`sdk_version`, `app_file`,
`python_version`, `app_build_command`)."""

from __future__ import annotations

from collections.abc import Iterator

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, FixAvailability, Severity
from hfdeploy.project import Project
from hfdeploy.space_config.edits import remove_entry
from hfdeploy.space_config.frontmatter import Status, front_matter
from hfdeploy.space_config.schema import DOCKER_IRRELEVANT


class DockerIrrelevantFrontMatterKey(Check):
    """## What it does
    Reports `sdk_version`, `app_file`, `python_version` and `app_build_command` in the front
    matter of a Docker Space.

    ## Why is this bad?
    They configure Gradio and static Spaces. A Docker Space always builds the root
    `Dockerfile` and gets Python from its `FROM` image, so these keys do nothing and suggest
    otherwise (a `python_version: 3.9` next to `FROM python:3.11-slim` is misleading, and
    `python_version: 3.10` is even read as the number 3.1).

    ## Example
    ```yaml
    sdk: docker
    sdk_version: 4.7.1
    app_file: app/main.py
    ```

    Use instead:
    ```yaml
    sdk: docker
    ```

    ## Fix safety
    Safe: the fix deletes the key's line(s), which a Docker Space ignores. It is not offered
    when the key shares a line with other keys (`{sdk: docker, app_file: x}`).
    """

    code = "SC012"
    name = "docker-irrelevant-front-matter-key"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        matter = front_matter(project)
        if matter.status is not Status.OK:
            return
        for key, why in DOCKER_IRRELEVANT.items():
            entry = matter.get(key)
            if entry is None:
                continue
            yield self.diagnostic(
                f"`{key}` means nothing for a Docker Space: {why}",
                path=matter.path,
                span=entry.key_span,
                fix=remove_entry(matter, entry, f"Remove `{key}`"),
            )
