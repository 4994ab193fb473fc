from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity
from hfdeploy.dockerfile.base_image import python_base
from hfdeploy.dockerfile.checks.apt_get_as_non_root import APT
from hfdeploy.dockerfile.edits import whole_lines
from hfdeploy.dockerfile.packages_txt import PACKAGES_TXT, packages_txt
from hfdeploy.dockerfile.stage import DOCKERFILE, Runtime, is_root, run_commands, runtime
from hfdeploy.dockerfile.validate import is_valid

if TYPE_CHECKING:
    from hfdeploy.project import Project


def apt_installed(rt: Runtime) -> set[str]:
    """Package names the final stage's `apt-get install` commands name."""
    names: set[str] = set()
    for step in rt.of("RUN"):
        for cmd in run_commands(step.ins):
            args = [w.value for w in cmd]
            if not args or posixpath.basename(args[0]) not in APT or "install" not in args:
                continue
            after = args[args.index("install") + 1 :]
            names.update(a.split("=", 1)[0] for a in after if not a.startswith("-"))
    return names


class PackagesTxtNotInstalled(Check):
    """## What it does
    Reports a `packages.txt` whose Debian packages the Dockerfile does not install.

    ## Why is this bad?
    `packages.txt` is read only by the Gradio and Streamlit SDKs. A Docker Space builds the
    Dockerfile and nothing else, so `ffmpeg`, `libgl1` or `tesseract-ocr` listed there are
    missing from the image, and the app fails when it calls them
    (`FileNotFoundError: [Errno 2] No such file or directory: 'ffmpeg'`,
    `ImportError: libGL.so.1: cannot open shared object file`).

    ## Example
    `packages.txt` lists `ffmpeg`; the Dockerfile has no `apt-get install ffmpeg`.

    Use instead:
    ```dockerfile
    FROM python:3.11-slim
    RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*
    ```

    ## Fix safety
    Safe on a Debian-based image (the official python images): the fix adds that `RUN` right
    after the final stage's `FROM`, where the build still runs as root. Package names that are
    not plain Debian names get no fix.
    """

    code = "DF034"
    name = "packages-txt-not-installed"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        rt = runtime(project)
        listed = packages_txt(project)
        if rt is None or not listed:
            return
        if any("packages.txt" in s.ins.text for s in rt.steps if s.ins.keyword != "FROM"):
            return  # installed from the file (`xargs apt-get install < packages.txt`)
        have = apt_installed(rt)
        missing = [p.name for p in listed if p.name not in have]
        if not missing:
            return
        names = " ".join(missing)
        yield self.diagnostic(
            f"`packages.txt` lists {', '.join(f'`{n}`' for n in missing)}, which a Docker "
            "Space never installs and the Dockerfile does not either",
            path=PACKAGES_TXT,
            fix=_fix(rt, missing),
            notes=(f"Add `RUN apt-get update && apt-get install -y {names}` before `USER`",),
        )


def _fix(rt: Runtime, missing: list[str]) -> Fix | None:
    base = python_base(rt)
    if (
        base is None
        or "alpine" in base.variant
        or not all(is_valid("apt-package", n) for n in missing)
    ):
        return None
    first = rt.dockerfile.chain()[0].instructions[0]
    following = rt.steps[rt.steps.index(next(s for s in rt.steps if s.ins is first)) + 1 :]
    if following and not is_root(following[0].user):
        return None
    text = rt.dockerfile.text
    at = whole_lines(text, first.span).end
    nl = "\r\n" if "\r\n" in text else "\n"
    lead = nl if not text[:at].endswith("\n") else ""
    line = (
        f"{lead}RUN apt-get update && apt-get install -y --no-install-recommends "
        f"{' '.join(missing)} && rm -rf /var/lib/apt/lists/*{nl}"
    )
    return Fix("Install `packages.txt` in the Dockerfile", (Edit.insert(DOCKERFILE, at, line),))
