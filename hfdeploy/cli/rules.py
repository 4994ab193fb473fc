"""`hfdeploy rules` lists every rule; `hfdeploy explain CODE` prints one rule's documentation."""

from __future__ import annotations

import json

import typer

from hfdeploy.cli.common import guarded
from hfdeploy.diagnostics import FixAvailability
from hfdeploy.errors import UsageError
from hfdeploy.registry import TOOL_CODES, all_checks, check_by_code, runtime_rules


def register(app: typer.Typer) -> None:
    app.command("rules", help="List every rule code with its severity, fixability and summary.")(
        rules
    )
    app.command(
        "explain", help="Print a rule's documentation: what it does, why, example, fix safety."
    )(explain)


@guarded
def rules(
    as_json: bool = typer.Option(False, "--json", help="Print the table as JSON."),
    markdown: bool = typer.Option(
        False, "--markdown", help="Print the table as Markdown (README)."
    ),
) -> None:
    rows = [
        {
            "code": c.code,
            "name": c.name,
            "severity": str(c.severity),
            "fix": c.fix_availability.value,
            "summary": c.summary(),
        }
        for c in sorted(all_checks(), key=lambda c: c.code)
    ]
    rows += [
        {
            "code": r.code,
            "name": r.name,
            "severity": str(r.severity),
            "fix": "never",
            "summary": r.summary,
        }
        for r in runtime_rules().values()
    ]
    rows += [
        {"code": code, "name": "tool", "severity": "error", "fix": "never", "summary": text}
        for code, text in TOOL_CODES.items()
    ]
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    if markdown:
        print("| code | name | severity | fix | what it reports |\n|---|---|---|---|---|")
        for r in rows:
            summary = r["summary"].replace("|", "\\|")
            print(f"| `{r['code']}` | {r['name']} | {r['severity']} | {r['fix']} | {summary} |")
        return
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        fix = {"always": "fix", "sometimes": "fix?", "never": ""}[r["fix"]]
        print(f"{r['code']}  {r['name']:<{width}}  {r['severity']:<7}  {fix:<4}  {r['summary']}")


@guarded
def explain(
    code: str = typer.Argument(..., help="A rule code such as PY001, or its name."),
) -> None:
    if code.upper() in TOOL_CODES:
        print(f"{code.upper()}: {TOOL_CODES[code.upper()]}")
        return
    runtime = runtime_rules().get(code.upper())
    if runtime is not None:
        print(
            f"# {runtime.code} {runtime.name} ({runtime.severity}, reported by `hfdeploy verify`)\n"
        )
        print(runtime.summary)
        return
    check = check_by_code(code)
    if check is None:
        raise UsageError(f"unknown rule {code!r}; `hfdeploy rules` lists them")
    fixability = {
        FixAvailability.ALWAYS: "always fixable",
        FixAvailability.SOMETIMES: "sometimes fixable",
        FixAvailability.NEVER: "not fixable automatically",
    }[check.fix_availability]
    print(f"# {check.code} {check.name} ({check.severity}, {fixability})\n")
    print(check.documentation())
