"""RQ003: an exact pin to a version the project never released."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Applicability, Diagnostic, Edit, Fix, FixAvailability, Severity
from hfdeploy.requirements.conflicts import replacement_fits
from hfdeploy.requirements.lookup import index_view
from hfdeploy.requirements.releases import nearest_release, neighbours

if TYPE_CHECKING:
    from hfdeploy.project import Project


class UnreleasedVersionPin(Check):
    """## What it does
    Reports an exact pin (`==X`) to a version that the index has never had, and lists the
    nearest releases that exist.

    ## Why is this bad?
    pip fails with "Could not find a version that satisfies the requirement" and the Space
    build stops. `cryptography==41.0.8` is a typical case: the 41.0 line ends at 41.0.7.

    ## Example
    ```text
    cryptography==41.0.8
    ```

    Use instead:
    ```text
    cryptography==41.0.7
    ```

    ## Fix safety
    The pin is replaced by the nearest release on the same line of releases: the highest
    existing release below it with the same major.minor (`41.0.8` → `41.0.7`), else the lowest
    above it on that line (`2.1.0` → `2.1.1`); only final, not yanked releases whose
    Requires-Python admits the target are candidates. Only the version text is replaced. The
    fix is safe when that release has a wheel for the target and agrees with the other pins'
    metadata (PEP 658); otherwise it is unsafe. Pins with `--hash` are not rewritten: their
    hashes would no longer match.
    """

    code = "RQ003"
    name = "unreleased-version-pin"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES
    cacheable = False
    cacheable_offline = True  # reads only the index cache offline (recorded)

    def run(self, project: Project) -> Iterator[Diagnostic]:
        view = index_view(project)
        for req in view.checked:
            found = view.found(req)
            pin = req.pin
            if found is None or pin is None or pin in found:
                continue
            nearby = ", ".join(str(v) for v in neighbours(pin, found)) or "none"
            notes = [f"releases nearest to {pin}: {nearby}"]
            fix = None
            target = nearest_release(pin, found, view.python)
            if target is None:
                notes.append(
                    f"no release on the {pin.major}.{pin.minor if len(pin.release) > 1 else 0} line installs here; choose one by hand"
                )
            elif req.hashes:
                notes.append("the line has --hash options; update the pin and its hashes together")
            elif req.version_span is not None:
                reason = replacement_fits(project, req, req.name, target)
                if reason:
                    notes.append(f"the fix is unsafe: {reason}")
                fix = Fix(
                    f"Pin `{req.name}` to {target.version}",
                    (Edit(req.path, req.version_span, str(target.version)),),
                    Applicability.UNSAFE if reason else Applicability.SAFE,
                )
            yield self.diagnostic(
                f"`{req.name}=={pin}` was never released",
                path=req.path,
                span=req.span,
                fix=fix,
                notes=notes,
            )
