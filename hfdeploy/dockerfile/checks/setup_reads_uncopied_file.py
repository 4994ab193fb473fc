"""DF023: `pip install .` runs setup.py before a file it reads is copied in."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Severity
from hfdeploy.dockerfile.copies import copies
from hfdeploy.dockerfile.stage import DOCKERFILE, build_runtime

if TYPE_CHECKING:
    from hfdeploy.project import Project


class SetupReadsUncopiedFile(Check):
    """## What it does
    Reports a `pip install .` (or `-e .`) whose `setup.py` opens a file at build time
    (`open("requirements.txt")`, `open("README.md")`) that no earlier `COPY` has brought into
    the image.

    ## Why is this bad?
    `setup.py` runs inside the image at that step: the build stops with
    `FileNotFoundError: [Errno 2] No such file or directory: 'requirements.txt'`. A common cause is
    copying only `setup.py` first, to cache the dependency layer.

    ## Example
    ```dockerfile
    COPY setup.py .
    RUN pip install .
    COPY . .
    ```

    Use instead:
    ```dockerfile
    COPY setup.py requirements.txt README.md ./
    RUN pip install .
    COPY . .
    ```

    ## Fix safety
    No fix: the files to copy first depend on what else `setup.py` needs.
    """

    code = "DF023"
    name = "setup-reads-uncopied-file"
    severity = Severity.ERROR

    def run(self, project: Project) -> Iterator[Diagnostic]:
        from hfdeploy.image import image
        from hfdeploy.image.model import setup_reads

        model = image(project)
        if model.generated or model.dockerfile is None:
            return
        for install in model.installs:
            if install.project is None or install.step is None or install.stage is None:
                continue
            for source in model.sources(install):
                if source.kind != "setup" or source.path is None or source.path.name != "setup.py":
                    continue
                view = build_runtime(model.dockerfile, install.stage)
                index = next(i for i, s in enumerate(view.steps) if s.ins is install.step.ins)
                earlier = [c for c in copies(view) if view.steps.index(c.step) < index]
                base = source.path.parent
                for read, line in setup_reads(project, source.path):
                    repo = posixpath.normpath(str(base / read))
                    if any(c.brings(repo) for c in earlier):
                        continue
                    where = (
                        "no COPY brings it in"
                        if not project.exists(repo)
                        else "it is copied in only later"
                    )
                    yield self.diagnostic(
                        f"`{install.tool} install {install.project}` runs {source.path}, which opens `{read}` (line {line}) "
                        f"at build time, but {where}: the build fails with FileNotFoundError",
                        path=DOCKERFILE,
                        span=install.step.ins.span,
                    )
