"""RQ016: a version range that no installable release satisfies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from packaging.specifiers import Specifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Severity
from hfdeploy.requirements.declared import dependency_set
from hfdeploy.requirements.lookup import index_view

if TYPE_CHECKING:
    from hfdeploy.project import Project


class NoReleaseInRange(Check):
    """## What it does
    Reports a requirement whose version range no release can satisfy: a range that contradicts
    itself (`requests>=2.0,<1.0`), a range that matches no release on the index, or a range
    whose every matching release was yanked.

    Exact `==` pins are left to RQ003 (never released) and RQ004 (yanked).

    ## Why is this bad?
    pip ignores yanked releases unless a requirement pins one exactly, so the build fails with
    `ERROR: Could not find a version that satisfies the requirement ...` and
    `No matching distribution found`, and the Space shows a build error.

    ## Example
    ```text
    somepackage>=1.0,<1.2   # 1.0 and 1.1 were both yanked
    ```

    Use instead:
    ```text
    somepackage>=1.2
    ```
    """

    code = "RQ016"
    name = "no-release-in-range"
    severity = Severity.ERROR
    cacheable = False
    cacheable_offline = True  # reads only the index cache offline (recorded)

    def run(self, project: Project) -> Iterator[Diagnostic]:
        reported: set[tuple[object, int]] = set()
        for req in dependency_set(project).requirements:
            if req.url or req.pin is not None or not str(req.specifier):
                continue
            if contradicts(req.specifier):
                reported.add((req.path, req.line))
                yield self.diagnostic(
                    f"`{req.name}{req.specifier}` allows no version at all: pip fails with "
                    f"`No matching distribution found for {req.name}{req.specifier}`",
                    path=req.path,
                    span=req.span,
                )
        view = index_view(project)
        for req in view.checked:
            if req.pin is not None or not str(req.specifier) or (req.path, req.line) in reported:
                continue
            found = view.found(req)
            if found is None or not found:
                continue
            matching = [v for v in found if req.specifier.contains(v, prereleases=None)]
            if not matching:
                latest = [str(v) for v in list(found)[-3:]]
                yield self.diagnostic(
                    f"No release of `{req.name}` matches `{req.specifier}`: pip fails with "
                    f"`No matching distribution found for {req.name}{req.specifier}`",
                    path=req.path,
                    span=req.span,
                    notes=[f"the newest releases are {', '.join(latest)}"],
                )
            elif all(found[v].yanked for v in matching):
                later = [v for v, r in found.items() if v > max(matching) and not r.yanked]
                notes = [
                    f"yanked: {', '.join(str(v) for v in matching[-5:])}"
                    + (
                        f" (reason given: {found[matching[-1]].yank_reason})"
                        if found[matching[-1]].yank_reason
                        else ""
                    )
                ]
                if later:
                    notes.append(f"the next release that is not yanked is {later[0]}")
                yield self.diagnostic(
                    f"Every release of `{req.name}` that `{req.specifier}` allows was yanked, "
                    "and pip skips yanked releases unless pinned exactly: the build fails with "
                    f"`No matching distribution found for {req.name}{req.specifier}`",
                    path=req.path,
                    span=req.span,
                    notes=notes,
                )


def contradicts(specifier: SpecifierSet) -> bool:
    """True when no version can satisfy every clause (`>=2.0,<1.0`, `==1.0,!=1.0`)."""
    lower: tuple[Version, bool] | None = None  # (version, inclusive)
    upper: tuple[Version, bool] | None = None
    candidates: list[Version] = []
    for spec in specifier:
        try:
            version = Version(spec.version.replace(".*", ""))
        except InvalidVersion:
            return False  # arbitrary equality and the like: do not judge
        candidates.append(version)
        bounds = _bounds(spec, version)
        if bounds is None:
            continue
        low, high = bounds
        if low is not None and (
            lower is None or low[0] > lower[0] or (low[0] == lower[0] and not low[1])
        ):
            lower = low
        if high is not None and (
            upper is None or high[0] < upper[0] or (high[0] == upper[0] and not high[1])
        ):
            upper = high
    if lower is None or upper is None:
        return False
    if lower[0] > upper[0]:
        return True
    if lower[0] == upper[0]:
        if not (lower[1] and upper[1]):
            return True
        return not specifier.contains(lower[0], prereleases=True)
    return False


def _bounds(
    spec: Specifier, version: Version
) -> tuple[tuple[Version, bool] | None, tuple[Version, bool] | None] | None:
    op = spec.operator
    if op == ">=":
        return (version, True), None
    if op == ">":
        return (version, False), None
    if op == "<=":
        return None, (version, True)
    if op == "<":
        return None, (version, False)
    if op == "==" and not spec.version.endswith(".*"):
        return (version, True), (version, True)
    if op == "~=":
        parts = version.release[:-1]
        if not parts:
            return None
        upper = Version(".".join(map(str, (*parts[:-1], parts[-1] + 1))))
        return (version, True), (upper, False)
    return None
