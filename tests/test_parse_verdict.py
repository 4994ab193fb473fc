"""The parse pass's verdict (does the file parse, and if not, why) is learned without building
the tree (`pyparse.parses`, through `symtable`): it must be exactly what `ast.parse` says."""

from __future__ import annotations

import ast
import random
import warnings
from pathlib import PurePosixPath

import pytest

from hfdeploy.pyparse import parses
from hfdeploy.syntax_scan import _syntax_worker, compile_error

SNIPPETS = [
    "",
    "x = 1\n",
    "def f(a, b=1):\n    return a\n",
    "def f(a=1, b):\n    return a\n",  # PY001: does not parse
    "def f(:\n",
    "nonlocal x\n",  # the symbol table rejects it; it parses
    "def f(a, a):\n    pass\n",  # duplicate argument: parses
    "def f():\n    global x\n    x = 1\n    global x\n",
    "x = 1\nfrom __future__ import annotations\n",  # a compiler error, not a parse error
    "from __future__ import braces\n",
    "return 1\n",
    "yield 1\n",
    "await x\n",
    "class C:\n    nonlocal y\n",
    "x = '\\d'\n",  # an invalid escape: a warning only
    "x = 1\0\n",  # a null byte
    "[x for x in range(3)] = 1\n",
    "f(**x, *y)\n",
    "def g():\n    x = 1\n    def h():\n        nonlocal x\n        x = 2\n",
    "x = " + "(" * 250 + "1" + ")" * 250 + "\n",
    "x = " + "-" * 5000 + "1\n",
    "x = 1" + "+1" * 100000 + "\n",
    "if True:\n  x = 1\n    y = 2\n",
    "match x:\n    case 1:\n        pass\n",
    "type X = int\n",  # newer syntax than 3.11
]


def _exact(text: str, name: str = "m.py") -> tuple[str, object] | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, name, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        return type(exc).__name__, exc.args
    return None


@pytest.mark.parametrize("text", SNIPPETS)
def test_the_verdict_is_what_ast_parse_says(text: str) -> None:
    expected = _exact(text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert not parses(text, "m.py") or expected is None
    got = compile_error(PurePosixPath("m.py"), text)
    if expected is None:
        assert got is None
    else:
        assert got is not None
        if expected[0] == "SyntaxError":
            assert got.args == expected[1]


def test_generated_texts_get_the_verdict_of_ast_parse() -> None:
    pieces = [
        "def f(",
        "a",
        "=1",
        ", ",
        "b",
        "):\n",
        "    ",
        "return a\n",
        "nonlocal a\n",
        "(",
        ")",
        "lambda: ",
        "x\n",
        "global a\n",
        "yield\n",
        "[",
        "]",
        "'s'",
        "\n",
    ]
    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        expected = _exact(text)
        got = compile_error(PurePosixPath("m.py"), text)
        assert (got is None) == (expected is None), repr(text)
        if got is not None and expected is not None and expected[0] == "SyntaxError":
            assert got.args == expected[1], repr(text)


def test_a_worker_share_gives_the_verdicts_and_summaries_of_the_exact_parse(tmp_path) -> None:
    texts = {
        "ok.py": "x = 1\n",
        "order.py": "def f(a=1, b):\n    return a\n",
        "both.py": "def f(a=1, b):\n    return a\ndef g(:\n",
        "scope.py": "nonlocal x\n",
    }
    for name, text in texts.items():
        (tmp_path / name).write_text(text)
    out = {row[0]: row for row in _syntax_worker((str(tmp_path), sorted(texts), 1 << 20, True))}
    for name, text in texts.items():
        expected = _exact(text, name)
        verdict = out[name][2]
        assert (verdict is None) == (expected is None), name
        if expected is not None:
            assert verdict == (expected[1][0], expected[1][1]), name
    # PY001's blanked text: parses in order.py; in both.py fails at `def g(:`, as ast.parse says
    assert out["order.py"][4][1] is None
    why = out["both.py"][4][1]
    assert isinstance(why, SyntaxError)
    blanked = texts["both.py"].replace("=1", "  ")
    assert why.args == _exact(blanked, "both.py")[1]
    assert out["ok.py"][4] is None and out["scope.py"][4] is None
