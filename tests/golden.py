"""Golden cases: tests/cases/<CODE>/<case>/{before/, after/, expected.txt[, case.json]}.

Each case: copy before/ to a temp dir, check it (rendered text == expected.txt), fix it with
--write (tree == after/, or == before/ when there is no after/), fix again (nothing changes),
and check the fixed tree (no safe fix left; declared fixability honoured).

case.json (optional): {"git": true} to make the tree a committed git repo first,
{"select": "DB,EV"} to select other codes than the folder name, {"unsafe": true},
{"python": "3.12"}.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from hfdeploy.diagnostics import FixAvailability
from hfdeploy.registry import check_by_code
from hfdeploy.report import render_text
from tests.support import check_tree, fix_tree, git_init, project_for, read_tree

CASES = Path(__file__).parent / "cases"


@dataclass
class Case:
    dir: Path

    @property
    def id(self) -> str:
        return f"{self.dir.parent.name}/{self.dir.name}"

    @property
    def settings(self) -> dict[str, object]:
        file = self.dir / "case.json"
        return json.loads(file.read_text()) if file.exists() else {}

    @property
    def select(self) -> str:
        code = self.dir.parent.name
        return str(self.settings.get("select", "" if code == "repos" else code))


def all_cases() -> list[Case]:
    return [Case(d) for d in sorted(CASES.glob("*/*")) if (d / "before").is_dir()]


def prepare(case: Case, tmp: Path) -> Path:
    root = tmp / "repo"
    shutil.copytree(case.dir / "before", root, symlinks=True)
    if case.settings.get("git"):
        git_init(root)
    return root


def options(case: Case) -> dict[str, object]:
    return {"python": case.settings["python"]} if "python" in case.settings else {}


def rendered(case: Case, root: Path) -> str:
    diags = check_tree(root, case.select, **options(case))
    return render_text(project_for(root), diags)


def run_case(case: Case, tmp: Path, *, update: bool = False) -> None:
    root = prepare(case, tmp)
    text = rendered(case, root)
    expected_file = case.dir / "expected.txt"
    if update:
        expected_file.write_text(text, encoding="utf-8")
    assert text == expected_file.read_text(encoding="utf-8"), f"{case.id}: check output differs"

    diags = check_tree(root, case.select, **options(case))
    for diag in diags:
        check = check_by_code(diag.code)
        if check is None:
            continue
        if diag.fix is not None:
            assert check.fix_availability is not FixAvailability.NEVER, (
                f"{diag.code} declares no fix"
            )
        elif check.fix_availability is FixAvailability.ALWAYS:
            raise AssertionError(f"{diag.code} declares fix 'always' but offered none")

    unsafe = bool(case.settings.get("unsafe"))
    fix_tree(root, case.select, unsafe=unsafe, **options(case))
    fixed = read_tree(root)
    after = case.dir / ("after" if (case.dir / "after").is_dir() else "before")
    if update and after.name == "after":
        shutil.rmtree(after)
        shutil.copytree(root, after, ignore=shutil.ignore_patterns(".git"))
    assert fixed == read_tree(after), f"{case.id}: fixed tree differs from {after.name}/"

    again = fix_tree(root, case.select, unsafe=unsafe, write=False, **options(case))
    assert not again.changes, (
        f"{case.id}: a second fix still changes {sorted(map(str, again.changes))}"
    )
    left = check_tree(root, case.select, **options(case))
    safe_left = [d for d in left if d.fix is not None and d.fix.applicability.value == "safe"]
    assert not safe_left, f"{case.id}: fixable findings remain: {[d.code for d in safe_left]}"
