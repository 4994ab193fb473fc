"""The project-wide fix for one signature with a parameter without a default after a default:
its plan applied to the signature plus every call site rewritten, and whatever makes it unsafe."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.diagnostics import Applicability, Edit, Fix
from hfdeploy.pysource.calls import Call, find_references
from hfdeploy.pysource.param_order import Plan, Rewrite, rewrite_call
from hfdeploy.signatures import Signature

if TYPE_CHECKING:
    from hfdeploy.project import Project


@dataclass(frozen=True)
class ProjectFix:
    fix: Fix
    notes: tuple[str, ...]


def where(project: Project, path: PurePosixPath, offset: int) -> str:
    source = project.source(path)
    line, col = source.line_col(offset) if source is not None else (0, 0)
    return f"{path}:{line}:{col}"


def build_fix(project: Project, path: PurePosixPath, sig: Signature, plan: Plan) -> ProjectFix:
    edits = [Edit(path, span, text) for span, text in plan.edits]
    unsafe: list[str] = []
    rewritten: list[str] = []
    if sig.name is None:
        unsafe.append(
            "this lambda is passed as a value, so whoever calls it may pass the "
            "changed parameters by position"
        )
    refs = find_references(project, path, sig)
    for call in refs.calls:
        loc = where(project, call.path, call.at)
        text = project.text(call.path) or ""
        result: Rewrite | str = (
            rewrite_call(plan, call.args, call.implicit, text)
            if call.args is not None
            else "has arguments that cannot be read"
        )
        if isinstance(result, str):
            unsafe.append(f"{loc}: this call {result}; rewrite it by hand")
            continue
        if result.reordered:
            unsafe.append(
                f"{loc}: the call's arguments are reordered, so they are evaluated in another order"
            )
        if result.edits:
            rewritten.append(loc)
            edits.extend(Edit(call.path, span, new) for span, new in result.edits)
    for call in refs.unknown_calls:
        if _reaches_change(plan, call):
            unsafe.append(
                f"{where(project, call.path, call.at)}: `.{sig.name}(...)` is called on an object "
                "that cannot be resolved statically, with positional arguments the fix changes"
            )
    for value_path, offset in refs.values:
        unsafe.append(
            f"{where(project, value_path, offset)}: `{sig.name}` is passed as a value, so its "
            "callers cannot be checked"
        )
    for hidden_path, offset in refs.hidden:
        unsafe.append(
            f"{where(project, hidden_path, offset)}: this f-string seems to call `{sig.name}`, "
            "and this Python cannot look inside f-strings"
        )
    notes = []
    if rewritten:
        how = "for the new order" if plan.moved else "to pass the changed parameters by keyword"
        notes.append(f"The fix also rewrites calls {how} at: " + ", ".join(rewritten))
    notes.extend(f"Unsafe: {reason}" for reason in unsafe)
    applicability = Applicability.UNSAFE if unsafe else Applicability.SAFE
    return ProjectFix(Fix(plan.title, tuple(edits), applicability), tuple(notes))


def _reaches_change(plan: Plan, call: Call) -> bool:
    if call.args is None:
        return True
    if any(arg.kind == "star" for arg in call.args):
        return True
    count = sum(1 for arg in call.args if arg.kind == "positional")
    return call.implicit + count > plan.first_affected
