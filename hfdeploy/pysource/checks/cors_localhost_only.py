from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity
from hfdeploy.pycode import import_os_edit, located
from hfdeploy.pysource.app_modules import bound_names
from hfdeploy.pysource.startup import startup

if TYPE_CHECKING:
    from hfdeploy.project import Project

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "[::1]", "::1"})
SPACE_ORIGIN = '*(["https://" + os.environ["SPACE_HOST"]] if "SPACE_HOST" in os.environ else [])'


def origins_list(tree: ast.Module, call: ast.Call) -> ast.List | ast.Tuple | None:
    """The `allow_origins=` value as a list/tuple literal (directly, or through a module-level
    name bound to one)."""
    value = next((k.value for k in call.keywords if k.arg == "allow_origins"), None)
    if isinstance(value, ast.Name):
        stmt = bound_names(tree).get(value.id)
        value = stmt.value if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 else None
    return value if isinstance(value, (ast.List, ast.Tuple)) else None


def is_local_origin(origin: str) -> bool:
    host = urlsplit(origin).hostname or ""
    return host in LOCAL_HOSTS or host.startswith("127.") or host.endswith(".localhost")


class CorsLocalhostOnly(Check):
    """## What it does
    Reports `CORSMiddleware` whose `allow_origins` lists only local development origins
    (`http://localhost:3000`, `http://127.0.0.1:5173`), with no pattern and no `*`.

    ## Why is this bad?
    On a Space the app is reached at `https://<owner>-<name>.hf.space`. A browser page on any
    origin but the ones listed (a frontend on another Space or host) gets no
    `Access-Control-Allow-Origin` answer: every `fetch` fails with `blocked by CORS policy`,
    while `curl` and the local set-up work.

    ## Example
    ```python
    from fastapi import FastAPI
    from fastapi.middleware.cors import CORSMiddleware

    app = FastAPI()
    app.add_middleware(CORSMiddleware, allow_origins=["http://localhost:3000"])
    ```

    Use instead:
    ```python
    import os

    from fastapi import FastAPI
    from fastapi.middleware.cors import CORSMiddleware

    app = FastAPI()
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["http://localhost:3000", *(["https://" + os.environ["SPACE_HOST"]] if "SPACE_HOST" in os.environ else [])],
    )
    ```
    (`SPACE_HOST`, `<owner>-<name>.hf.space`, is set by the Space at run time.)

    ## Fix safety
    Safe: the Space's own origin is added, read from `SPACE_HOST` at run time, so nothing
    changes where the variable is unset (locally); `import os` is added when missing. Origins
    that are not a list literal get no fix: add the Space's origin where they are defined.
    """

    code = "PY010"
    name = "cors-localhost-only"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        for use in startup(project).cors:
            module = located(project, use.path)
            if module is None or not isinstance(use.node, ast.Call):
                continue
            call = use.node
            if any(k.arg == "allow_origin_regex" for k in call.keywords):
                continue
            listed = origins_list(module.tree, call)
            if listed is None or not listed.elts:
                continue
            values = [e.value for e in listed.elts if isinstance(e, ast.Constant)]
            if len(values) != len(listed.elts) or not all(isinstance(v, str) for v in values):
                continue
            if not all(is_local_origin(str(v)) for v in values):
                continue
            span = module.span(listed)
            end = span.end - 1  # the closing bracket
            before = module.text[span.start + 1 : end].rstrip()
            at = span.start + 1 + len(before)
            last = listed.elts[-1]
            if last.lineno != listed.lineno:  # one element a line: add a line
                indent = module.indent_of(last) or ""
                nl = module.source.newline
                text = f"{'' if before.endswith(',') else ','}{nl}{indent}{SPACE_ORIGIN},"
            else:
                text = ("" if before.endswith(",") else ", ") + SPACE_ORIGIN
            edits = [Edit.insert(use.path, at, text)]
            os_edit = import_os_edit(module)
            if os_edit is not None:
                edits.append(os_edit)
            shown = ", ".join(f"`{v!s}`" for v in values if isinstance(v, str))
            yield self.diagnostic(
                f"CORS allows only {shown}: a browser on the Space's origin "
                "(`https://<owner>-<name>.hf.space`) or any other deployed origin is refused "
                "(`blocked by CORS policy`)",
                path=use.path,
                span=module.span(call),
                fix=Fix("Allow the Space's origin (from `SPACE_HOST`)", tuple(edits)),
            )
