"""EV004: the app reads `HF_SPACE_URL`, which Spaces do not set."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity
from hfdeploy.environment.reads import EnvRead, env_reads
from hfdeploy.environment.settings import is_str_annotation
from hfdeploy.project import Project
from hfdeploy.pycode import import_os_edit
from hfdeploy.space import DEFAULT_APP_PORT

VARIABLE = "HF_SPACE_URL"
LOCAL_URL = f"http://localhost:{DEFAULT_APP_PORT}"


def derived_url(local: str) -> str:
    """The Space's public URL from `SPACE_HOST` (injected, no scheme), else `local`."""
    return f'("https://" + os.environ["SPACE_HOST"]) if "SPACE_HOST" in os.environ else {local}'


class HfSpaceUrlNotInjected(Check):
    """## What it does
    Finds code that reads `HF_SPACE_URL` from the environment without deriving it from
    `SPACE_HOST`.

    ## Why is this bad?
    Spaces do not set `HF_SPACE_URL` (nor `PORT`). They set `SPACE_HOST`, the public host name
    without a scheme (`owner-name.hf.space`). Code expecting `HF_SPACE_URL` gets None or a
    `KeyError`, or builds links and CORS origins pointing at a local default.

    ## Example
    ```python
    BASE_URL = os.environ["HF_SPACE_URL"]
    ```

    Use instead:
    ```python
    BASE_URL = os.environ.get(
        "HF_SPACE_URL",
        ("https://" + os.environ["SPACE_HOST"]) if "SPACE_HOST" in os.environ else "http://localhost:7860",
    )
    ```

    ## Fix safety
    Safe for `os.environ[...]`, `os.getenv(...)`, `os.environ.get(...)` and `str` settings
    fields: `HF_SPACE_URL` still wins when set, and off a Space the read gives what it gave
    before (its default, or None for `getenv` without one); only `os.environ[...]` and a
    required field, which failed there, fall back to `http://localhost:7860`.
    """

    code = "EV004"
    name = "hf-space-url-not-injected"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        for read in env_reads(project):
            if read.name != VARIABLE:
                continue
            if read.default is not None and "SPACE_HOST" in read.module.segment(read.default):
                continue
            yield self.diagnostic(
                f"`{VARIABLE}` is not set on a Space: derive the URL from `SPACE_HOST` (the Space's "
                "host name, injected at run time)",
                path=read.module.path,
                span=read.module.span(read.node),
                fix=_fix(read),
            )


def _fix(read: EnvRead) -> Fix | None:
    module, node = read.module, read.node
    if read.has_default and read.default is not None:
        local = module.segment(read.default)  # any expression: it stays the local fallback
    elif read.kind in ("getenv", "environ.get"):
        local = "None"  # off a Space the read still gives None, as before
    else:
        local = f'"{LOCAL_URL}"'  # a KeyError or a required field: a value is needed
    default = derived_url(local)
    if read.kind == "environ" and isinstance(node, ast.Subscript):
        edit = Edit(
            module.path,
            module.span(node),
            f"{module.segment(node.value)}.get({module.segment(node.slice)}, {default})",
        )
    elif (
        read.kind in ("getenv", "environ.get")
        and isinstance(node, ast.Call)
        and len(node.args) <= 2
        and not node.keywords
    ):
        edit = Edit(
            module.path,
            module.span(node),
            f"{module.segment(node.func)}({module.segment(node.args[0])}, {default})",
        )
    elif read.kind == "settings" and isinstance(node, ast.AnnAssign):
        if node.value is None and is_str_annotation(node.annotation):
            edit = Edit.insert(module.path, module.span(node.annotation).end, f" = {default}")
        elif isinstance(node.value, ast.Constant) and is_str_annotation(
            node.annotation, optional=True
        ):
            edit = Edit(module.path, module.span(node.value), default)
        else:
            return None
    else:
        return None
    os_edit = import_os_edit(module)
    edits = (edit,) if os_edit is None else (edit, os_edit)
    return Fix(f"Derive `{VARIABLE}` from `SPACE_HOST`", edits)
