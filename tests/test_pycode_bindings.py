"""pycode.bindings / bound_names: the one answer to "which names hold this expression"."""

from __future__ import annotations

import ast
from pathlib import PurePosixPath

import pytest

from hfdeploy.pycode import Located, bindings, bound_names
from hfdeploy.source import SourceFile


def _pairs(code: str) -> list[tuple[str, str]]:
    node = ast.parse(code).body[0]
    if isinstance(node, ast.Expr):
        node = node.value
    return [(name, ast.unparse(value)) for name, value in bindings(node)]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("x = f()", [("x", "f()")]),
        ("x = y = f()", [("x", "f()"), ("y", "f()")]),
        ("x: int = f()", [("x", "f()")]),
        ("x: int", []),
        ("(x := f())", [("x", "f()")]),
        ("a, b = f(), g()", [("a", "f()"), ("b", "g()")]),
        ("[a, b] = (f(), g())", [("a", "f()"), ("b", "g()")]),
        ("a, (b, c) = f(), [g(), h()]", [("a", "f()"), ("b", "g()"), ("c", "h()")]),
        ("a, b = pair", []),  # the value is not a literal tuple: nothing known
        ("a, b = f(), g(), h()", []),  # unequal lengths raise at run time
        ("a, *b = f(), g(), h()", []),
        ("self.x, y = f(), g()", [("y", "g()")]),
        ("x += f()", []),
    ],
)
def test_bindings(code: str, expected: list[tuple[str, str]]) -> None:
    assert _pairs(code) == expected


def test_bound_names_climbs_out_of_the_literal_tuple() -> None:
    text = "import os\nuser, pw = os.environ['U'], os.environ['P']\nboth = [os.getenv('A')]\n"
    module = Located(SourceFile(PurePosixPath("m.py"), text), ast.parse(text))
    reads = [n for n in ast.walk(module.tree) if isinstance(n, (ast.Subscript, ast.Call))]
    names = {ast.unparse(n): bound_names(module, n) for n in reads}
    assert names["os.environ['U']"] == ["user"]
    assert names["os.environ['P']"] == ["pw"]
    assert names["os.getenv('A')"] == []  # an element of a list value, not a name's value
