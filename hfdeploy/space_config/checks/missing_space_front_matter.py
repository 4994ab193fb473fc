"""SC001: README.md, or the YAML block at its top, is missing or empty."""

from __future__ import annotations

from collections.abc import Iterator

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Span
from hfdeploy.project import Project
from hfdeploy.space_config.frontmatter import README, Status, front_matter
from hfdeploy.space_config.new_front_matter import (
    front_matter_block,
    front_matter_lines,
    new_readme,
)

NOTE = 'Without it the Space stops at "Configuration error: Missing configuration in README".'


class MissingSpaceFrontMatter(Check):
    """## What it does
    Reports a project without a root `README.md`, a `README.md` that does not start with a
    `---` YAML block, or a block with nothing in it.

    ## Why is this bad?
    A Space is configured only by the YAML front matter at the very top of the root
    `README.md`. Without it the Space goes to `CONFIG_ERROR` ("Missing configuration in
    README") and never builds.

    ## Example
    ```markdown
    # Taskboard API
    A REST API for our team board.
    ```

    Use instead:
    ```markdown
    ---
    title: Taskboard API
    emoji: 🚀
    colorFrom: blue
    colorTo: indigo
    sdk: docker
    app_port: 7860
    pinned: false
    ---

    # Taskboard API
    A REST API for our team board.
    ```

    ## Fix safety
    Safe. The fix writes the block above the existing text (or creates `README.md`), with the
    title taken from `pyproject.toml` or the directory name and `app_port` set to the port the
    Dockerfile checks use; the rest of the README is kept byte for byte.
    """

    code = "SC001"
    name = "missing-space-front-matter"
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        matter = front_matter(project)
        if matter.status is Status.NO_README:
            yield self._no_readme(project)
        elif matter.status is Status.NO_BLOCK:
            assert matter.source is not None
            text = matter.source.text
            block = front_matter_block(project, matter.newline)
            if text and not text.startswith(("\n", "\r\n")):
                block += matter.newline
            yield self.diagnostic(
                "README.md does not start with a `---` front matter block configuring the Space",
                path=README,
                span=Span(0, 0),
                fix=Fix("Add Docker Space front matter", (Edit.insert(README, 0, block),)),
                notes=(NOTE,),
            )
        elif matter.status is Status.EMPTY:
            assert matter.body is not None and matter.block is not None
            lines = "".join(line + matter.newline for line in front_matter_lines(project))
            yield self.diagnostic(
                "README.md front matter is empty",
                path=README,
                span=Span(matter.block.start, matter.block.start),
                fix=Fix(
                    "Fill in Docker Space front matter",
                    (Edit.insert(README, matter.body.end, lines),),
                ),
                notes=(NOTE,),
            )

    def _no_readme(self, project: Project) -> Diagnostic:
        if project.exists(README):
            # There but unreadable (not UTF-8, binary, too large; HF001 says which): the Hub
            # cannot read a configuration from it either, and no fix should overwrite it.
            return self.diagnostic(
                "README.md cannot be read as UTF-8 text, so the Space configuration in it "
                "cannot be read",
                path=README,
                notes=("Save README.md as UTF-8 text.", NOTE),
            )
        other = next(
            (p for p in project.files() if str(p).lower() == "readme.md" and p != README), None
        )
        if other is not None:
            # Writing README.md next to readme.md would overwrite it on a case-insensitive disk.
            return self.diagnostic(
                f"`{other}` is not read by the Hub: the Space configuration must be in `README.md`",
                path=other,
                span=Span(0, 0),
                notes=(f"Rename it: `git mv {other} README.md`.", NOTE),
            )
        return self.diagnostic(
            "No README.md: a Space is configured by the front matter at the top of README.md",
            path=README,
            fix=Fix(
                "Create README.md with Docker Space front matter",
                (Edit.create(README, new_readme(project)),),
            ),
            notes=(NOTE,),
        )
