"""The C tokenizer path of `tokenize_text` (3.11) gives exactly the tokens of the stdlib's
pure-Python `tokenize` path, or steps aside (None) where it cannot."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hfdeploy import pytokens
from hfdeploy.pytokens import _c_tokens, _python_tokens, tokenize_text

needs_c = pytest.mark.skipif(
    pytokens._C_TOKENIZER is None, reason="no C tokenizer path on this Python"
)
ROOT = Path(__file__).resolve().parent.parent

TRICKY = [
    "x = 1\n",
    "x = 1",  # no final newline: NEWLINE "" one past the end
    "",
    "# only a comment",
    "def f(a, b=1):  # trailing comment\n    return a   \n",
    "x = 1\r\ny = 2\r\n",  # CRLF: the NEWLINE token is "\r\n"
    's = """a\r\nb"""\r\nt = 1\r\n',  # CRLF inside a string keeps its bytes
    'name = "é" + f"{x}ü"; z = 1\n',  # columns in characters, not UTF-8 bytes
    'x = """é\nü""" + y\n',  # a multi-line token ending on a non-ASCII line
    "straße = 1\nπ = straße\n",
    "async def f():\n    await g()\n    async with a as b:\n        pass\n",
    "x = (1,\n     2)\nif x:\n\tpass\n",
    "x = 1 + \\\n    2\n",
    "class A:\n    @staticmethod\n    def f(x: int = 1, *, y): ...\n",
    "f = lambda a=1, b: a\n",
    "x = 1if y else 2\n",  # warns in the C tokenizer; same tokens
    "\x0cdef f():\n    pass\n",
    "x = [\n    1,  # c\n]\n\n\n",
    "if True:\n    x = 1\n  y = 2\n",  # bad dedent: the Python path restarts, C steps aside
    "x = 'unterminated\ny = 2\n",
    "x = $ + 1\n",
    "x = 1\ry = 2\n",  # a lone CR: lines would be numbered differently
    "x\u0301 = 1\n",  # combining mark: `tokenize` splits the name
    "def f(a=1, b):\n    return a, b\n",
]


@needs_c
@pytest.mark.parametrize("text", TRICKY)
def test_c_tokens_equal_python_tokens_or_step_aside(text: str) -> None:
    fast = _c_tokens(text)
    if fast is not None:
        assert fast == _python_tokens(text)
    assert tokenize_text(text) == (fast if fast is not None else _python_tokens(text))


@needs_c
def test_c_tokens_are_used_and_equal_on_the_project_sources() -> None:
    """Every Python file of hfdeploy and of the golden cases (hundreds of real-looking
    modules, some with PY001 errors): the same tokens, and the C path answers nearly all."""
    files = sorted((ROOT / "hfdeploy").rglob("*.py")) + sorted((ROOT / "tests").rglob("*.py"))
    answered = 0
    for path in files:
        text = path.read_text("utf-8")
        fast = _c_tokens(text)
        if fast is not None:
            answered += 1
            assert fast == _python_tokens(text), path
    assert answered >= 0.95 * len(files)


LINE_PARTS = st.sampled_from(
    [
        "x",
        " = ",
        "1",
        "'s'",
        '"é"',
        "f'{a}'",
        "(",
        ")",
        "[",
        "]",
        ",",
        ":",
        " # note",
        "\\\n",
        "\n",
        "\r\n",
        "    ",
        "\t",
        "def f(a=1, b):",
        "lambda q=2, r: q",
        "async ",
        "await ",
        '"""x\ny"""',
        "π",
        "->",
        "...",
        "**",
        "$",
    ]
)


@needs_c
@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(LINE_PARTS, max_size=40))
def test_c_tokens_equal_python_tokens_on_generated_text(parts: list[str]) -> None:
    text = "".join(parts)
    fast = _c_tokens(text)
    if fast is not None:
        assert fast == _python_tokens(text)


def test_the_c_path_is_taken_only_where_it_was_shown_equal() -> None:
    assert (pytokens._C_TOKENIZER is not None) == (sys.version_info[:2] == (3, 11))
