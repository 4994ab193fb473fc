"""DF040: exec-form arrays that are not JSON, read loosely for the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from hfdeploy.dockerfile.checks.exec_form_not_json import looks_like_array, read_loose_array
from tests.dockerfile.helpers import findings, fixed, replace_cmd


@pytest.mark.parametrize(
    ("body", "items"),
    [
        ('[uvicorn, "main:app"]', ["uvicorn", "main:app"]),
        ("['python', 'app.py']", ["python", "app.py"]),
        ("[\u201cpython\u201d, \u201capp.py\u201d]", ["python", "app.py"]),
        ('["a", "b",]', ["a", "b"]),
        ('["say \\"hi\\""]', ['say "hi"']),
        ('[uvicorn main:app, "x"]', None),
        ("['unclosed, 'x']", None),
        ('["a" "b"]', None),
    ],
)
def test_loose_array_reading(body: str, items: list[str] | None) -> None:
    assert read_loose_array(body)[0] == items


@pytest.mark.parametrize(
    ("args", "expected"),
    [("[ -f x ]", False), ("[ -d x ] || mkdir x", False), ('["a"]', True), ("[a, b]", True)],
)
def test_array_shape(args: str, expected: bool) -> None:
    assert looks_like_array(args) is expected


@pytest.mark.parametrize("keyword", ["CMD", "ENTRYPOINT", "RUN"])
def test_each_exec_keyword_is_caught_and_fixed(tmp_path: Path, keyword: str) -> None:
    line = f"{keyword} [python, '-c', 'print(1)']"
    dockerfile = replace_cmd(
        line + '\nCMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7860"]'
    )
    assert [d.code for d in findings(tmp_path, "DF040", dockerfile)] == ["DF040"]
    assert f'{keyword} ["python", "-c", "print(1)"]' in fixed(tmp_path, "DF040", dockerfile)


def test_fixed_cmd_is_then_read_by_the_server_checks(tmp_path: Path) -> None:
    dockerfile = replace_cmd("CMD [uvicorn, main:app, --host, 127.0.0.1, --port, 7860]")
    assert findings(tmp_path, "DF005", dockerfile) == []  # unreadable: nothing to say yet
    after = fixed(tmp_path, "DF040", dockerfile)
    assert [d.code for d in findings(tmp_path, "DF005", after)] == ["DF005"]


def test_bare_variable_name_becomes_a_variable_that_df007_then_repairs(tmp_path: Path) -> None:
    dockerfile = replace_cmd(
        'ENV PORT=8000\nCMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", PORT]'
    )
    [found] = findings(tmp_path, "DF040", dockerfile)
    assert found.fix is not None and '"$PORT"' in found.fix.edits[0].replacement
    assert "`PORT` is written as the variable `$PORT`" in found.notes[0]
    after = fixed(tmp_path, "DF040,DF007", dockerfile)
    assert after.rstrip().endswith('"--port", "7860"]')
