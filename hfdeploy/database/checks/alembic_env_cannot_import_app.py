"""DB011: Alembic's `env.py` imports the app package, which is not on `sys.path` where alembic runs."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from hfdeploy.check import Check
from hfdeploy.database.alembic import AlembicSetup, alembic_setups
from hfdeploy.database.start import image_start
from hfdeploy.diagnostics import (
    Applicability,
    Diagnostic,
    Edit,
    Fix,
    FixAvailability,
    Severity,
    Span,
)
from hfdeploy.project import Project
from hfdeploy.pycode import located

_SECTION = re.compile(r"^\[alembic\][ \t]*\r?$", re.MULTILINE)
_SYS_PATH_OPTION = re.compile(
    r"^[ \t]*prepend_sys_path[ \t]*[=:][ \t]*(?P<value>.*?)[ \t]*\r?$", re.MULTILINE
)


class AlembicEnvCannotImportApp(Check):
    """## What it does
    Finds an Alembic `env.py` that imports a package of the project (`from app.models import
    Base`) which is not importable where `alembic` runs: the package sits next to `alembic.ini`
    (or under `src/`), but `alembic.ini` has no `prepend_sys_path` naming that directory, the
    project is not installed as a package (`pip install .`, `poetry install`, `uv sync`),
    `env.py` does not extend `sys.path` itself, the image sets no `PYTHONPATH` and does not run
    `python -m alembic` (which puts the working directory on `sys.path`). Only the Alembic setup
    the image runs at start is looked at: the root `alembic.ini` for the Dockerfile `fix`
    generates, or the one an existing Dockerfile's start command (or its script) runs.

    ## Why is this bad?
    The `alembic` command is a console script: Python puts the script's own directory on
    `sys.path`, not the working directory. `env.py` then fails with
    `ModuleNotFoundError: No module named 'app'`, `alembic upgrade head` fails at start, and
    the database has no tables: either the container stops, or (when the start command goes on
    regardless) every route fails with `no such table`.

    ## Example
    ```ini
    [alembic]
    script_location = alembic
    ```

    Use instead:
    ```ini
    [alembic]
    script_location = alembic
    prepend_sys_path = .
    ```

    ## Fix safety
    Safe: adds (or extends) `prepend_sys_path` in the `[alembic]` section with the directory
    holding the package, relative to where alembic runs, as Alembic's own template does.
    """

    code = "DB011"
    name = "alembic-env-cannot-import-app"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        if _installed_as_package(project) or _image_sets_pythonpath(project):
            return
        for setup in alembic_setups(project):
            if setup.env is None or not _run_by_image(project, setup):
                continue
            found = _unimportable(project, setup)
            if found is None:
                continue
            module, directory, span = found
            fix_edit = _sys_path_edit(project, setup, directory)
            fix = (
                Fix(
                    f"Add `{directory}` to `prepend_sys_path` in {setup.ini}",
                    (fix_edit,),
                    Applicability.SAFE,
                )
                if fix_edit is not None
                else None
            )
            where = "the directory of alembic.ini" if directory == "." else f"`{directory}/`"
            yield self.diagnostic(
                f"`{setup.env}` imports `{module}`, which lives in {where}, but {setup.ini} has "
                f"no `prepend_sys_path = {directory}`: `alembic upgrade head` fails with "
                f"`ModuleNotFoundError: No module named '{module}'` and the database gets no tables",
                path=setup.env,
                span=span,
                fix=fix,
                notes=(
                    (
                        "The `alembic` console script puts its own directory on sys.path, not "
                        "the working directory."
                    ),
                ),
            )


def _run_by_image(project: Project, setup: AlembicSetup) -> bool:
    """The image runs this Alembic setup at start: the generated Dockerfile runs the root
    `alembic.ini`; an existing one, what its start command (or a script it runs) names."""
    start = image_start(project)
    if start is None:
        return setup.ini == PurePosixPath("alembic.ini")
    if not start.runs_alembic:
        return False
    return setup.ini.parent == PurePosixPath(".") or str(setup.ini.parent) in start.text


def _installed_as_package(project: Project) -> bool:
    try:
        from hfdeploy.dockerfile.inputs import install_plan
    except ImportError:
        return False
    return install_plan(project).is_pyproject


def _image_sets_pythonpath(project: Project) -> bool:
    """The image makes the app importable another way: `PYTHONPATH`, `python -m alembic` (the
    working directory is on sys.path then), or an install of the project itself."""
    try:
        from hfdeploy.dockerfile.stage import run_commands, runtime
    except ImportError:
        return False
    rt = runtime(project)
    if rt is None:
        return False
    if rt.env.get("PYTHONPATH"):
        return True
    starts = " ".join(s.ins.args for s in rt.steps if s.ins.keyword in ("CMD", "ENTRYPOINT"))
    if "-m alembic" in starts:
        return True
    for step in rt.of("RUN"):
        for cmd in run_commands(step.ins):
            words = [w.value for w in cmd]
            if words[:2] == ["poetry", "install"] and "--no-root" not in words:
                return True
            if words[:2] == ["uv", "sync"] and "--no-install-project" not in words:
                return True
            if (
                "install" in words
                and any(w in (".", "-e") for w in words)
                and "pip" in " ".join(words[:3])
            ):
                return True
    return False


def _unimportable(project: Project, setup: AlembicSetup) -> tuple[str, str, Span] | None:
    """(module, directory it needs on sys.path, the import) for the first project package that
    env.py imports and that alembic cannot find."""
    assert setup.env is not None
    env = located(project, setup.env)
    if env is None or "sys.path" in env.text:
        return None  # unparsable, or env.py manages its own path
    tree = env.tree
    base = setup.ini.parent
    listed = {str(p) for p in setup.sys_path}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for dotted in names:
            top = dotted.split(".")[0]
            if project.exists(setup.env.parent / f"{top}.py"):
                continue  # next to env.py: alembic loads env.py with its directory importable
            for directory in (".", "src"):
                root = base / directory
                if project.exists(root / top / "__init__.py") or project.exists(root / f"{top}.py"):
                    if directory in listed or str(PurePosixPath(directory)) in listed:
                        return None
                    if directory == "." and ({"./", "%(here)s", "%(here)s/"} & listed):
                        return None
                    return top, directory, env.span(node)
    return None


# Alembic's `path_separator` option; without it, legacy splitting also splits on `:`.
_SEPARATORS = {"os": ":", "colon": ":", "space": " ", "comma": ",", "semicolon": ";"}


def _option(text: str, key: str, start: int, end: int) -> str:
    found = re.search(
        rf"^[ \t]*{key}[ \t]*[=:][ \t]*(?P<value>.*?)[ \t]*\r?$", text[start:end], re.MULTILINE
    )
    return found.group("value") if found else ""


def _sys_path_edit(project: Project, setup: AlembicSetup, directory: str) -> Edit | None:
    text = project.text(setup.ini)
    if text is None:
        return None
    section = _SECTION.search(text)
    if section is None:
        return None
    nl = "\r\n" if "\r\n" in text else "\n"
    rest = text[section.end() :]
    end = re.search(r"^\[", rest, re.MULTILINE)
    body_end = section.end() + (end.start() if end else len(rest))
    option = _SYS_PATH_OPTION.search(text, section.end(), body_end)
    if option is not None:
        value = option.group("value")
        separator = _SEPARATORS.get(_option(text, "path_separator", section.end(), body_end), ":")
        return Edit(
            setup.ini,
            Span(option.start("value"), option.end("value")),
            f"{directory}{separator}{value}" if value else directory,
        )
    # After the section header (and after `script_location`, when it is there).
    location = re.search(
        r"^[ \t]*script_location[ \t]*[=:].*$", text[section.end() : body_end], re.MULTILINE
    )
    at = section.end() + (location.end() if location else 0)
    return Edit.insert(
        setup.ini,
        at,
        f"{nl}# Let env.py import the app's package (alembic runs as a console script).{nl}"
        f"prepend_sys_path = {directory}",
    )
