"""SC003: the front matter does not say `sdk: docker`."""

from __future__ import annotations

from collections.abc import Iterator

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, FixAvailability
from hfdeploy.project import Project
from hfdeploy.space_config.edits import insert_line, replace_value
from hfdeploy.space_config.frontmatter import Status, front_matter, requote
from hfdeploy.space_config.schema import KNOWN_SDKS, SDK_DOCKER


class SpaceSdkNotDocker(Check):
    """## What it does
    Reports front matter whose `sdk` is missing or is anything but `docker` (`gradio`,
    `static`, the retired `streamlit`, a misspelling, `Docker` in capitals).

    ## Why is this bad?
    `sdk: docker` is what makes the Hub build the repository's Dockerfile. With `sdk: gradio`
    the Hub looks for a Gradio app file and never starts the FastAPI server; without `sdk` or
    with an unknown value the push is rejected or the Space shows a configuration error.

    ## Example
    ```yaml
    sdk: gradio
    sdk_version: 4.7.1
    ```

    Use instead:
    ```yaml
    sdk: docker
    ```

    ## Fix safety
    Safe: hfdeploy deploys FastAPI apps as Docker Spaces, and the Dockerfile checks make sure
    there is a Dockerfile to build. The fix replaces only the value (keeping its quotes) or adds
    an `sdk: docker` line at the end of the block.
    """

    code = "SC003"
    name = "space-sdk-not-docker"
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        matter = front_matter(project)
        if matter.status is not Status.OK:
            return
        entry = matter.get("sdk")
        if entry is None:
            yield self.diagnostic(
                "README.md front matter has no `sdk`: a FastAPI Space needs `sdk: docker`",
                path=matter.path,
                span=matter.block,
                fix=insert_line(matter, f"sdk: {SDK_DOCKER}", "Add `sdk: docker`"),
            )
            return
        if entry.value == SDK_DOCKER:
            return
        notes = []
        if isinstance(entry.value, str) and entry.value.strip().lower() == SDK_DOCKER:
            message = f"`sdk: {entry.value}` must be written `docker`"
        elif entry.value == "streamlit":
            message = "`sdk: streamlit` is retired and would not run the FastAPI server"
        elif isinstance(entry.value, str) and entry.value in KNOWN_SDKS:
            message = (
                f"`sdk: {entry.value}` makes a {entry.value} Space, which never builds the "
                "Dockerfile; a FastAPI app needs `sdk: docker`"
            )
        else:
            message = f"`sdk: {entry.shown}` is not an SDK the Hub knows; use `sdk: docker`"
            notes.append(f"Known values: {', '.join(KNOWN_SDKS)}.")
        text = requote(entry, SDK_DOCKER) if isinstance(entry.value, str) else SDK_DOCKER
        yield self.diagnostic(
            message,
            path=matter.path,
            span=entry.value_span,
            fix=replace_value(matter, entry, text, "Set `sdk: docker`"),
            notes=notes,
        )
