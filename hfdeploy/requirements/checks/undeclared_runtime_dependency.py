"""RQ011: a third-party module the app imports that no dependency installs."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import (
    Applicability,
    Diagnostic,
    Fix,
    FixAvailability,
    Severity,
    Span,
)
from hfdeploy.image import installed
from hfdeploy.requirements.declared import dependency_set
from hfdeploy.requirements.deps import add_requirement_edit
from hfdeploy.requirements.imports import (
    EXTRAS,
    app_python_files,
    imported_tops_in_text,
    local_names,
    third_party_imports,
    used_extras,
)
from hfdeploy.requirements.lookup import installed_modules
from hfdeploy.requirements.providers import (
    COMMONLY_TRANSITIVE,
    provided,
    suggested_distribution,
)

if TYPE_CHECKING:
    from hfdeploy.project import Project

# Distributions whose absence FastAPI itself names in its error, and that nothing else
# provides under that import name: adding them changes nothing but the failing feature.
_SAFE_ADDITIONS = frozenset({"python-multipart"})
# Said when the image installs packages whose own dependencies are not known (no lock).
_UNLESS = " — unless a dependency of the declared packages installs it (no lock lists them all: `hfdeploy fix --write` makes one)"


class UndeclaredRuntimeDependency(Check):
    """## What it does
    Reports a third-party module that the app's code imports but that the image does not
    install, and FastAPI features that need an optional package the image does not install
    (`Form(...)` needs python-multipart, `Jinja2Templates` jinja2, `SessionMiddleware`
    itsdangerous, `EmailStr` email-validator).

    "Installed" is what the image model (hfdeploy/image) says the image installs: only the
    sources its install steps really read (a `backend/requirements.txt` beside the root one does
    not count unless the Dockerfile installs it), including `poetry.lock`, `uv.lock` and
    `pdm.lock` when the image installs through those tools. A module counts as provided when a
    known distribution ships it, when the wheel of an installed distribution's release holds it
    (its file list, read from the package index through range requests and cached), or, for
    a distribution whose file list is unknown (offline), when the module's name is a whole
    part of the distribution's name (`fastapi_cache` in `fastapi-cache2`, `argon2` in
    `argon2-cffi`, `agents` in `openai-agents`).

    Severity follows the evidence: an error when the import runs while the app loads (a
    module-level import in a module the app's import graph reaches from the served app) and the
    whole installed set is known (a lock, or packages whose dependencies hfdeploy knows); a
    warning otherwise (a script, a function-level import, a module the app never imports, or a
    declared package whose own dependencies may bring the module).

    ## Why is this bad?
    The image installs only what its install steps name. The import fails in the container with
    `ModuleNotFoundError` (or FastAPI refuses the route) and the Space shows "Runtime error",
    although the app ran on the developer's machine, where the package happened to be installed.

    ## Example
    ```python
    from jose import jwt   # requirements.txt: fastapi, uvicorn
    ```

    Use instead:
    ```text
    fastapi
    uvicorn
    python-jose
    ```

    ## Fix safety
    Appends the distribution to the requirements file the image installs, when the import name
    maps to a known distribution. Adding `python-multipart` (FastAPI's own error names it, and
    it provides nothing else) is safe. Any other addition is unsafe: the new line is unpinned
    (the lock step pins it), and the package may need a different version than the one the code
    was written against.
    """

    code = "RQ011"
    name = "undeclared-runtime-dependency"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        from hfdeploy.image import image
        from hfdeploy.pysource.import_graph import start_modules

        deps = dependency_set(project)
        if deps.install_file is None or not deps.files or deps.files[0].path != deps.install_file:
            return  # nothing declared, or the install file is unreadable: other checks say so
        if not image(project).distributions().readable:
            return  # the image installs what hfdeploy cannot name (conda, wheels, variables)
        if any(project.exists(n) for n in ("environment.yml", "environment.yaml")):
            return
        found = installed(project)
        graph = start_modules(project)
        local = local_names(project)

        # Names whose package is missing: a file that mentions none of them is never parsed,
        # which keeps this check off the cost of a large project's check.
        def maybe_missing(module: str) -> bool:
            """The cheap part of the answer (the table only): a superset of what is missing."""
            if provided(module, found.distributions, guessed=frozenset()):
                return False
            return found.complete or module not in COMMONLY_TRANSITIVE

        extra_names = {
            name for (_module, name), need in EXTRAS.items() if maybe_missing(need.module)
        }
        verdicts: dict[str, bool] = {}  # the same few names recur in every file
        shipped: list[dict[str, frozenset[str]]] = []

        def modules() -> dict[str, frozenset[str]]:
            """What the declared distributions' wheels install (index file lists, cached),
            read only once a module looks missing."""
            if not shipped:
                shipped.append(installed_modules(project, [r for r in deps.direct if r.checkable]))
            return shipped[0]

        def _missing(module: str, dists: frozenset[str], complete: bool) -> bool:
            if provided(module, dists, guessed=frozenset()):
                return False
            known = modules()
            if any(module in mods for mods in known.values()):
                return False
            unknown = frozenset(d for d in dists if d.split("[", 1)[0] not in known)
            if provided(module, dists, guessed=unknown):
                return False
            # An unknown declared package may pull in a common module: stay quiet then.
            return complete or module not in COMMONLY_TRANSITIVE

        def missing(top: str) -> bool:
            if top not in verdicts:
                verdicts[top] = maybe_missing(top) and _missing(
                    top, found.distributions, found.complete
                )
            return verdicts[top]

        reported: set[str] = set()
        for path in app_python_files(project):
            text = project.text(path) or ""
            if "import" not in text:
                continue
            suspects = [top for top in imported_tops_in_text(text, local) if missing(top)]
            if not suspects and not any(name in text for name in extra_names):
                continue
            tree = project.python_ast(path)
            if tree is None:
                continue
            for extra in used_extras(tree):
                key = f"extra:{extra.need.distribution}"
                if key in reported or not missing(extra.need.module):
                    continue
                reported.add(key)
                at_start = path in graph.files
                yield self._finding(
                    project,
                    path,
                    extra.node,
                    extra.need.distribution,
                    Severity.ERROR if at_start and found.complete else Severity.WARNING,
                    f"`{extra.need.feature}` in {path} needs {extra.need.distribution}, which the image does "
                    f"not install: {extra.need.consequence}"
                    + (
                        ""
                        if at_start
                        else " (when this module is imported; the app does not import it at start)"
                    )
                    + ("" if found.complete else _UNLESS),
                )
            for imp in third_party_imports(tree, local):
                if imp.module in reported or not missing(imp.module):
                    continue
                reported.add(imp.module)
                dist = suggested_distribution(imp.module)
                known = f" ({dist})" if dist else ""
                if graph.at_start(path, imp.node.lineno):
                    yield self._finding(
                        project,
                        path,
                        imp.node,
                        dist,
                        Severity.ERROR if found.complete else Severity.WARNING,
                        f"`{path}` imports `{imp.module}`, but the image does not install it{known}: the app "
                        f"fails at start with ModuleNotFoundError: No module named '{imp.module}'"
                        + ("" if found.complete else _UNLESS),
                    )
                else:
                    yield self._finding(
                        project,
                        path,
                        imp.node,
                        dist,
                        Severity.WARNING,
                        f"`{path}` imports `{imp.module}`, but the image does not install it{known}: "
                        f"ModuleNotFoundError: No module named '{imp.module}' when that import runs "
                        "(the app does not import it at start)",
                    )

    def _finding(
        self,
        project: Project,
        path: PurePosixPath,
        node: ast.stmt,
        dist: str | None,
        severity: Severity,
        message: str,
    ) -> Diagnostic:
        source = project.source(path)
        span = _statement_span(source.text, node) if source else None
        fix = _append_fix(project, dist) if dist else None
        what = f"`{dist}`" if dist else "the distribution that provides it"
        notes = [] if fix else [f"add {what} to the dependencies the image installs"]
        return self.diagnostic(
            message, path=path, span=span, fix=fix, notes=notes, severity=severity
        )


def _statement_span(text: str, node: ast.stmt) -> Span:
    """The first line of the statement (enough to locate it and to suppress it)."""
    lines = text.splitlines(keepends=True)
    start = sum(len(line) for line in lines[: node.lineno - 1])
    line = lines[node.lineno - 1] if node.lineno - 1 < len(lines) else ""
    return Span(start, start + len(line.rstrip("\r\n")))


def _append_fix(project: Project, dist: str) -> Fix | None:
    edit = add_requirement_edit(project, dist)
    if edit is None:
        return None
    safety = Applicability.SAFE if dist in _SAFE_ADDITIONS else Applicability.UNSAFE
    return Fix(f"Add `{dist}` to {edit.path}", (edit,), safety)
