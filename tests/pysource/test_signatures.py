"""PY001: the tolerant signature scanner, the parameter-order fix and its call-site rewrites."""

from __future__ import annotations

import ast
import json
import pickle
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest

from hfdeploy.diagnostics import Applicability
from hfdeploy.project import Project
from hfdeploy.pytokens import tokenize_text
from hfdeploy.registry import selected_checks
from hfdeploy.runner import run_checks
from hfdeploy.signatures import find_offence, scan_signatures
from tests.support import check_tree, codes, fix_tree, make_tree, project_for, read_tree


def offences(src: str) -> list[tuple[str, str, str]]:
    found = []
    for sig in scan_signatures(tokenize_text(src)):
        offence = find_offence(sig.params)
        if offence is not None:
            found.append((sig.name or "<lambda>", offence.param.name, offence.follows.name))
    return found


ROUTE = """\
@router.get("/items/{item_id}")
async def read_item(
    item_id: int,
    q: Optional[str] = Query(None, max_length=50),  # filter, e.g. "a, b"
    db: Session = Depends(get_db),
    user: User,
):
    return item_id
"""

DETECTED = [
    pytest.param("def f(a=1, b): pass\n", [("f", "b", "a")], id="def"),
    pytest.param("async def f(a=1, b): pass\n", [("f", "b", "a")], id="async-def"),
    pytest.param(
        "class A:\n    def m(self, a=None, b):\n        pass\n", [("m", "b", "a")], id="method"
    ),
    pytest.param(
        "def outer():\n    def inner(x=1, y):\n        pass\n", [("inner", "y", "x")], id="nested"
    ),
    pytest.param("g = lambda a=1, b: a\n", [("g", "b", "a")], id="named-lambda"),
    pytest.param("sorted(xs, key=lambda a=1, b: a)\n", [("<lambda>", "b", "a")], id="lambda-arg"),
    pytest.param(ROUTE, [("read_item", "user", "db")], id="fastapi-route-multiline-comments"),
    pytest.param(
        "def f(\n    a: int = 1,  # first, (unbalanced in a comment\n    # b=2, c\n    b: str,\n): pass\n",
        [("f", "b", "a")],
        id="comments",
    ),
    pytest.param(
        "def f(a: Dict[str, int] = {'x': 1, 'y': 2}, b: Tuple[int, ...]) -> Dict[str, int]: pass\n",
        [("f", "b", "a")],
        id="commas-in-annotations-and-defaults",
    ),
    pytest.param('def f(a: str = "x, y) =", b): pass\n', [("f", "b", "a")], id="string-default"),
    pytest.param(
        "def f(a=Depends(), b=Query(None, max_length=5), c): pass\n",
        [("f", "c", "b")],
        id="call-defaults",
    ),
    pytest.param("def f(a=lambda x, y: x, b=2, c): pass\n", [("f", "c", "b")], id="lambda-default"),
    pytest.param("f = lambda a=lambda x, y=2: 0, b: 0\n", [("f", "b", "a")], id="lambda-in-lambda"),
    pytest.param(
        "def f(db: Annotated[Session, Depends(get_db)], q: str = None, user: CurrentUser): pass\n",
        [("f", "user", "q")],
        id="annotated",
    ),
    pytest.param(
        "SessionDep = Annotated[Session, Depends(get_session)]\n"
        "def f(q: str = None, s: SessionDep): pass\n",
        [("f", "s", "q")],
        id="annotated-alias",
    ),
    pytest.param(
        "def f(page: int = 1, q: Annotated[str, Query(max_length=5)]): pass\n",
        [("f", "q", "page")],
        id="annotated-with-keywords-inside",
    ),
    pytest.param("def f(a=1, /, b, *args, c, **kw): pass\n", [("f", "b", "a")], id="slash-varargs"),
    pytest.param("def f(a, b=1, /, c): pass\n", [("f", "c", "b")], id="across-slash"),
    pytest.param("def f(a=1,\r\n      b):\r\n    pass\r\n", [("f", "b", "a")], id="crlf"),
    pytest.param("class A:\n\tdef m(self, a=1, b):\n\t\tpass\n", [("m", "b", "a")], id="tabs"),
    pytest.param(
        "# -*- coding: latin-1 -*-\ndef f(a='é', b): pass\n", [("f", "b", "a")], id="cookie"
    ),
    pytest.param("def f[T: (int, str)](a: T = 1, b: T): pass\n", [("f", "b", "a")], id="pep695"),
    pytest.param("def f(a=1, b, c): pass\n", [("f", "b", "a")], id="one-finding-per-signature"),
    pytest.param(
        "def f(a=1, b): pass\nx = 'unterminated\ndef g(a=1, b): pass\n"
        "def h():\n        x = 1\n    y = 2\ndef k(a=1, b): pass\n",
        [("f", "b", "a"), ("g", "b", "a"), ("k", "b", "a")],
        id="past-other-errors",
    ),
    pytest.param("def f(a=(x := 1), b): pass\n", [("f", "b", "a")], id="walrus-default"),
]


@pytest.mark.parametrize(("src", "expected"), DETECTED)
def test_finds_every_offending_signature(src: str, expected: list[tuple[str, str, str]]) -> None:
    assert offences(src) == expected


NOOP = [
    pytest.param("def f(a, b=1, *, c): pass\n", id="keyword-only-after-star"),
    pytest.param("def f(a=1, *, b, c=2): pass\n", id="required-keyword-only"),
    pytest.param("def f(a=1, *args, b, **kw): pass\n", id="keyword-only-after-varargs"),
    pytest.param(
        "def f(db: Annotated[Session, Depends(get_db)], q: str = None): pass\n",
        id="annotated-first",
    ),
    pytest.param("def f(a, /, b=1, *, c): pass\n", id="slash-then-default"),
    pytest.param(
        "def f(q: Annotated[str, Query(max_length=5)], page: int = 1): pass\n",
        id="annotated-with-keywords-inside",
    ),
    pytest.param("f = lambda a, b=1, *, c: 0\n", id="lambda-keyword-only"),
    pytest.param("def f(a=lambda x, y: x, b=2): pass\n", id="lambda-default"),
    pytest.param("def f(*, a=1, b): pass\n", id="all-keyword-only"),
    pytest.param("def f(a=b == c, d=1): pass\n", id="comparison-default"),
    pytest.param("s = 'def f(a=1, b): pass'\n# def g(a=1, b): pass\n", id="in-string-and-comment"),
    pytest.param(
        "def f(a: Dict[str, int], b: int = 1, **kw) -> Tuple[int, int]: pass\n", id="annotations"
    ),
    pytest.param(
        "x = {'a': 1, 'b': lambda: 2}\ny = [lambda q: q for _ in range(3)]\n", id="lambdas"
    ),
]


@pytest.mark.parametrize("src", NOOP)
def test_leaves_valid_signatures_alone(src: str, tmp_path: Path) -> None:
    assert offences(src) == []
    make_tree(tmp_path, {"m.py": src})
    assert fix_tree(tmp_path, "PY001").changes == {}


def fix_source(tmp_path: Path, src: str, *, unsafe: bool = False) -> str:
    make_tree(tmp_path, {"m.py": src})
    fix_tree(tmp_path, "PY001", unsafe=unsafe)
    return (tmp_path / "m.py").read_bytes().decode("utf-8")


FIXED = [
    pytest.param(
        "def f(a=1, b):\n    return a, b\n", "def f(a=1, *, b):\n    return a, b\n", id="bare-star"
    ),
    pytest.param(
        "def f(\n    a=1,\n    b,  # b\n):\n    pass\n",
        "def f(\n    a=1,\n    *,\n    b,  # b\n):\n    pass\n",
        id="own-line-star",
    ),
    pytest.param(
        "def f(a=1, b, *, c):\n    pass\n", "def f(a=1, *, b, c):\n    pass\n", id="moves-bare-star"
    ),
    pytest.param(
        "def f(\n    a=1,\n    b,\n    *,\n    c,\n):\n    pass\n",
        "def f(\n    a=1,\n    *,\n    b,\n    c,\n):\n    pass\n",
        id="moves-star-line",
    ),
    pytest.param(
        "def f(a, b=1, c, *args):\n    pass\nf(1, 2, 3)\nf(1, 2, 3, 4)\n",
        "def f(a, c, b=1, *args):\n    pass\nf(1, b=2, c=3)\nf(1, 3, 2, 4)\n",
        id="reorder-before-varargs",
    ),
    pytest.param(
        "def f(a=1, b, /, c=2):\n    pass\nf(1, 2)\n",
        "def f(b, a=1, /, c=2):\n    pass\nf(2, 1)\n",
        id="reorder-positional-only",
    ),
    pytest.param(
        "def f(a=1, b, /, c):\n    pass\nf(1, 2, 3)\n",
        "def f(b, a=1, /, *, c):\n    pass\nf(2, 1, c=3)\n",
        id="reorder-and-star",
    ),
    pytest.param(
        "g = lambda a=1, b: (a, b)\ng(1, 2)\n",
        "g = lambda a=1, *, b: (a, b)\ng(1, b=2)\n",
        id="named-lambda",
    ),
    pytest.param(
        "def f(a, b=1, c):\n    pass\nf(1, 2, y := 3)\nf(0, **{'c': 2})\n"
        "f(1, c=2)\nf(1, 2, c=3)\nf(1)\n",
        "def f(a, b=1, *, c):\n    pass\nf(1, 2, c=(y := 3))\nf(0, **{'c': 2})\n"
        "f(1, c=2)\nf(1, 2, c=3)\nf(1)\n",
        id="keyword-calls-and-walrus",
    ),
    pytest.param(
        "class Repo:\n    def save(self, item=None, key):\n        return self.save(1, 2)\n\n"
        "    @classmethod\n    def make(cls, a=1, b):\n        return cls.make(1, 2)\n\n"
        "    @staticmethod\n    def st(a=1, b):\n        return Repo.st(1, 2)\n"
        "Repo.save(Repo(), 1, 2)\nRepo.make(3, 4)\n",
        "class Repo:\n    def save(self, item=None, *, key):\n        return self.save(1, key=2)\n\n"
        "    @classmethod\n    def make(cls, a=1, *, b):\n        return cls.make(1, b=2)\n\n"
        "    @staticmethod\n    def st(a=1, *, b):\n        return Repo.st(1, b=2)\n"
        "Repo.save(Repo(), 1, key=2)\nRepo.make(3, b=4)\n",
        id="methods",
    ),
    pytest.param(
        "def outer():\n    def inner(x=1, y):\n        return x\n    return inner(1, 2)\n",
        "def outer():\n    def inner(x=1, *, y):\n        return x\n    return inner(1, y=2)\n",
        id="nested",
    ),
    pytest.param(
        "def f(a=1, b):\n    pass\ndef g(c=1, d):\n    return f(0, g(1, 2))\n",
        "def f(a=1, *, b):\n    pass\ndef g(c=1, *, d):\n    return f(0, b=g(1, d=2))\n",
        id="two-signatures-nested-calls",
    ),
]


@pytest.mark.parametrize(("src", "expected"), FIXED)
def test_fix_rewrites_signature_and_calls(src: str, expected: str, tmp_path: Path) -> None:
    assert fix_source(tmp_path, src) == expected
    ast.parse(expected)
    assert fix_tree(tmp_path, "PY001").changes == {}  # a second fix changes nothing


def test_every_offending_signature_is_one_finding_on_its_first_offending_parameter(
    tmp_path: Path,
) -> None:
    make_tree(tmp_path, {"app.py": ROUTE + "\n\ndef g(x=1, y, z):\n    pass\n"})
    found = check_tree(tmp_path, "PY")
    assert codes(found) == ["PY001", "PY001"]
    first, second = found
    assert first.message == (
        "Parameter `user` of `read_item` has no default but follows `db`, which has one; "
        "this is a SyntaxError that stops the app at import"
    )
    text = (tmp_path / "app.py").read_text()
    assert text[first.span.start : first.span.end] == "user: User"
    assert text[second.span.start : second.span.end] == "y"
    assert first.fix is not None and first.fix.title == "Make `user` keyword-only"


def test_unfixable_signature_is_reported_without_a_fix(tmp_path: Path) -> None:
    make_tree(tmp_path, {"m.py": "def f(a=1, /, b, *args):\n    pass\n"})
    (diag,) = check_tree(tmp_path, "PY")
    assert diag.fix is None and "Not fixed automatically" in diag.notes[0]


PACKAGE = {
    "app/__init__.py": "",
    "app/crud.py": (
        "def create(session, owner_id: int = None, data: dict, tag: str = 'x', note):\n"
        "    return dict(session=session, owner_id=owner_id, data=data, tag=tag, note=note)\n"
    ),
    "app/routers/__init__.py": "",
    "app/routers/tasks.py": (
        "from app import crud\n"
        "from app.crud import create as make\n"
        "from ..crud import create\n\n"
        "def run():\n"
        "    return [\n"
        "        crud.create('s', 1, {'k': 1}, 'y', 'n1'),\n"
        "        make('s', 2, {'k': 2}, 't', note='n2'),\n"
        "        create(\n            's',\n            3,  # owner\n            {'k': 3},\n"
        "            'z',\n            'n3',\n        ),\n"
        "        crud.create(session='s', owner_id=4, data={}, note='n4'),\n"
        "    ]\n"
    ),
}
EXPECTED_BINDINGS = [
    {"session": "s", "owner_id": 1, "data": {"k": 1}, "tag": "y", "note": "n1"},
    {"session": "s", "owner_id": 2, "data": {"k": 2}, "tag": "t", "note": "n2"},
    {"session": "s", "owner_id": 3, "data": {"k": 3}, "tag": "z", "note": "n3"},
    {"session": "s", "owner_id": 4, "data": {}, "tag": "x", "note": "n4"},
]


def run_module(root: Path, module: str, expr: str = "run()") -> object:
    code = f"import json, {module} as m; print(json.dumps(m.{expr}))"
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_positional_callers_in_other_modules_bind_the_same_values(tmp_path: Path) -> None:
    make_tree(tmp_path, PACKAGE)
    (diag,) = check_tree(tmp_path, "PY")
    assert diag.fix is not None and diag.fix.applicability is Applicability.SAFE
    assert diag.fix.paths == {Path("app/crud.py"), Path("app/routers/tasks.py")}  # one Fix
    fix_tree(tmp_path, "PY")
    fixed = (tmp_path / "app/routers/tasks.py").read_text()
    assert "crud.create('s', 1, data={'k': 1}, tag='y', note='n1')" in fixed
    assert "make('s', 2, data={'k': 2}, tag='t', note='n2')" in fixed
    assert "            data={'k': 3},\n            tag='z',\n" in fixed
    assert "            3,  # owner\n" in fixed
    assert run_module(tmp_path, "app.routers.tasks") == EXPECTED_BINDINGS
    assert check_tree(tmp_path, "PY") == []
    assert fix_tree(tmp_path, "PY").changes == {}  # idempotent


def test_reordered_positional_calls_with_varargs_bind_the_same_values(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "lib.py": "def f(a, b=1, c, *rest, k=0):\n    return [a, b, c, list(rest), k]\n",
            "use.py": "import lib\n\ndef run():\n"
            "    return [lib.f(1, 2, 3), lib.f(1, 2, 3, 4, 5, k=6), lib.f(c=3, a=1)]\n",
        },
    )
    fix_tree(tmp_path, "PY")
    assert (tmp_path / "lib.py").read_text().startswith("def f(a, c, b=1, *rest, k=0):")
    assert run_module(tmp_path, "use") == [[1, 2, 3, [], 0], [1, 2, 3, [4, 5], 6], [1, 1, 3, [], 0]]


UNSAFE_CALLERS = [
    pytest.param(
        "from lib import f\nf(1, 2, 3, c=4)\n", "already passes `c` by keyword", id="keyword-twice"
    ),
    pytest.param("from lib import f\nf(1, *args)\n", "unpacks `*` arguments", id="splat"),
    pytest.param(
        "def g(obj):\n    return obj.f(1, 2, 3)\n",
        "cannot be resolved statically",
        id="unknown-object",
    ),
    pytest.param("from lib import f\nhandlers = [f]\n", "passed as a value", id="value"),
    pytest.param(
        "import functools, lib\np = functools.partial(lib.f, 1)\n",
        "passed as a value",
        id="partial",
    ),
]


@pytest.mark.parametrize(("caller", "reason"), UNSAFE_CALLERS)
def test_unresolvable_call_site_makes_the_fix_unsafe(
    caller: str, reason: str, tmp_path: Path
) -> None:
    make_tree(tmp_path, {"lib.py": "def f(a, b=1, c):\n    return a\n", "use.py": caller})
    (diag,) = check_tree(tmp_path, "PY001")
    assert diag.fix is not None and diag.fix.applicability is Applicability.UNSAFE
    assert any(n.startswith("Unsafe: use.py:2:") and reason in n for n in diag.notes), diag.notes
    before = read_tree(tmp_path)
    fix_tree(tmp_path, "PY001", unsafe=False)
    assert read_tree(tmp_path) == before
    fix_tree(tmp_path, "PY001", unsafe=True)
    assert (tmp_path / "lib.py").read_text().startswith("def f(a, b=1, *, c):")


SAFE_USES = [
    pytest.param(
        "from lib import f\nfrom fastapi import Depends\n"
        "def route(x=Depends(f), y=Depends(dependency=f)):\n    pass\n",
        id="depends",
    ),
    pytest.param(
        "import lib\napp.dependency_overrides[lib.f] = lambda: 1\n"
        "router.add_api_route('/', lib.f)\n",
        id="fastapi-registration",
    ),
    pytest.param(
        "def g(obj):\n    return obj.f(1, 2), other.f(c=3)\n", id="unknown-object-in-range"
    ),
    pytest.param(
        "import os\nos.f(1, 2, 3)\ndef f():\n    pass\nf()\n", id="other-functions-same-name"
    ),
    pytest.param("from lib import f\nprint(f.__name__)\n", id="attribute-of-function"),
]


@pytest.mark.parametrize("caller", SAFE_USES)
def test_uses_that_keep_the_fix_safe(caller: str, tmp_path: Path) -> None:
    make_tree(tmp_path, {"lib.py": "def f(a, b=1, c):\n    return a\n", "use.py": caller})
    (diag,) = check_tree(tmp_path, "PY001")
    assert diag.fix is not None and diag.fix.applicability is Applicability.SAFE, diag.notes
    fix_tree(tmp_path, "PY001")
    assert (tmp_path / "use.py").read_text() == caller


def test_reordering_calls_with_side_effects_is_unsafe(tmp_path: Path) -> None:
    make_tree(tmp_path, {"m.py": "def f(a, b=1, c, *rest):\n    pass\nf(g(), h(), k(), 4)\n"})
    (diag,) = check_tree(tmp_path, "PY001")
    assert diag.fix is not None and diag.fix.applicability is Applicability.UNSAFE
    assert any("evaluated in another order" in n for n in diag.notes)


def test_anonymous_lambda_fix_is_unsafe(tmp_path: Path) -> None:
    make_tree(tmp_path, {"m.py": "sorted(xs, key=lambda a=1, b: a)\n"})
    (diag,) = check_tree(tmp_path, "PY001")
    assert diag.fix is not None and diag.fix.applicability is Applicability.UNSAFE


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(
            b"\xef\xbb\xbf# -*- coding: utf-8 -*-\r\ndef f(a=1,\r\n      b):\r\n    return a\r\n",
            b"\xef\xbb\xbf# -*- coding: utf-8 -*-\r\ndef f(a=1,\r\n      *,\r\n      b):\r\n    return a\r\n",
            id="bom-crlf",
        ),
        pytest.param(
            b"# -*- coding: latin-1 -*-\ndef f(a='\xe9', b):\n\treturn a\nf('\xe0', 2)\n",
            b"# -*- coding: latin-1 -*-\ndef f(a='\xe9', *, b):\n\treturn a\nf('\xe0', b=2)\n",
            id="latin-1-cookie-tabs",
        ),
    ],
)
def test_fix_keeps_every_other_byte(raw: bytes, expected: bytes, tmp_path: Path) -> None:
    (tmp_path / "m.py").write_bytes(raw)
    fix_tree(tmp_path, "PY")
    assert (tmp_path / "m.py").read_bytes() == expected
    assert fix_tree(tmp_path, "PY").changes == {}


def test_fix_in_a_file_with_another_syntax_error_keeps_that_error(tmp_path: Path) -> None:
    make_tree(tmp_path, {"m.py": "def f(a=1, b):\n    pass\nx = (1 +\n"})
    fix_tree(tmp_path, "PY")
    assert (tmp_path / "m.py").read_text() == "def f(a=1, *, b):\n    pass\nx = (1 +\n"
    assert codes(check_tree(tmp_path, "PY")) == ["PY002"]


def test_suppression_comment_silences_the_finding(tmp_path: Path) -> None:
    make_tree(tmp_path, {"m.py": "def f(a=1, b):  # hfdeploy: ignore[PY001]\n    pass\n"})
    assert check_tree(tmp_path, "PY001") == []


def test_constructor_callers_are_rewritten(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models.py": "class Page:\n    def __init__(self, size=10, number):\n"
            "        self.seen = [size, number]\n",
            "app/use.py": "from app import models\nfrom app.models import Page as P\n\n"
            "def run():\n    return [models.Page(5, 2).seen, P(7, 3).seen, P(number=1).seen]\n",
        },
    )
    (diag,) = check_tree(tmp_path, "PY001")
    assert diag.fix is not None and diag.fix.applicability is Applicability.SAFE, diag.notes
    fix_tree(tmp_path, "PY001")
    assert (
        "models.Page(5, number=2).seen, P(7, number=3).seen"
        in (tmp_path / "app/use.py").read_text()
    )
    assert run_module(tmp_path, "app.use") == [[5, 2], [7, 3], [10, 1]]


def test_cls_call_in_a_classmethod_is_a_constructor_caller(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/pages.py": "class Page:\n    def __init__(self, size=10, limit):\n"
            "        self.seen = [size, limit]\n\n"
            "    @classmethod\n    def big(cls, size, limit):\n        return cls(size, limit)\n\n"
            "def run():\n    return Page.big(50, 500).seen\n",
        },
    )
    (diag,) = check_tree(tmp_path, "PY001")
    assert diag.fix is not None and diag.fix.applicability is Applicability.SAFE, diag.notes
    fix_tree(tmp_path, "PY001")
    assert "return cls(size, limit=limit)" in (tmp_path / "app/pages.py").read_text()
    assert run_module(tmp_path, "app.pages") == [50, 500]


def test_super_init_call_with_positional_arguments_is_unsafe(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "m.py": "class A:\n    def __init__(self, a=1, b):\n        pass\n\n"
            "class B(A):\n    def __init__(self):\n        super().__init__(1, 2)\n"
        },
    )
    (diag,) = check_tree(tmp_path, "PY001")
    assert diag.fix is not None and diag.fix.applicability is Applicability.UNSAFE
    assert any(n.startswith("Unsafe: m.py:7:17:") for n in diag.notes), diag.notes


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="3.12 tokenizes inside f-strings")
def test_call_hidden_in_an_fstring_makes_the_fix_unsafe(tmp_path: Path) -> None:
    make_tree(tmp_path, {"m.py": "def f(a=1, b):\n    pass\nprint(f'{f(1, 2)}')\n"})
    (diag,) = check_tree(tmp_path, "PY001")
    assert diag.fix is not None and diag.fix.applicability is Applicability.UNSAFE
    assert any("f-string" in n for n in diag.notes)


@pytest.mark.skipif(sys.version_info < (3, 12), reason="tokenize sees inside f-strings from 3.12")
def test_call_inside_an_fstring_is_rewritten_where_tokenize_sees_it(tmp_path: Path) -> None:
    src = "def f(a=1, b):\n    return [a, b]\n\ndef run():\n    return f'{f(1, 2)}'\n"
    make_tree(tmp_path, {"m.py": src})
    (diag,) = check_tree(tmp_path, "PY001")
    assert diag.fix is not None and diag.fix.applicability is Applicability.SAFE, diag.notes
    fix_tree(tmp_path, "PY001")
    assert "return f'{f(1, b=2)}'" in (tmp_path / "m.py").read_text()
    assert run_module(tmp_path, "m") == "[1, 2]"


@pytest.mark.skipif(sys.version_info < (3, 12), reason="tokenize sees inside f-strings from 3.12")
def test_call_echoed_by_a_self_documenting_fstring_makes_the_fix_unsafe(tmp_path: Path) -> None:
    # `f"{f(1, 2)=}"` prints the call's own text: a keyword rewrite would change the output.
    src = "def f(a=1, b):\n    return [a, b]\n\ndef run():\n    return f'{f(1, 2)=}'\n"
    make_tree(tmp_path, {"m.py": src})
    (diag,) = check_tree(tmp_path, "PY001")
    assert diag.fix is not None and diag.fix.applicability is Applicability.UNSAFE, diag.notes
    assert fix_tree(tmp_path, "PY001").changes == {}


def test_files_that_only_define_the_same_name_are_not_tokenized(tmp_path: Path) -> None:
    files = {f"r{i}.py": "def list_items(q=None):\n    return q\n" for i in range(20)}
    files["broken.py"] = "def list_items(q=None, db):\n    return q\n"
    make_tree(tmp_path, files)
    project = project_for(tmp_path)
    assert codes(run_checks(project, selected_checks(("PY001",), ()))) == ["PY001"]
    tokenized = {key[1] for key in project._memo if key[0] == "pysource.tokens"}
    assert tokenized == {Path("broken.py")}


def test_reorder_moving_side_effect_free_arguments_is_safe(tmp_path: Path) -> None:
    # `*rest` forces a reorder: `c` moves in front of `b` at every call site.
    lib = "def f(a, b=1, c, *rest):\n    return (a, b, c, rest)\n"
    use = "from lib import f\nK = 5\nf(K, [1, K], lambda x=2: x, (K, 'k'), {'k': None}, -1)\n"
    make_tree(tmp_path, {"lib.py": lib, "use.py": use})
    (diag,) = check_tree(tmp_path, "PY001")
    assert diag.fix is not None and diag.fix.applicability is Applicability.SAFE, diag.notes
    assert any("rewrites calls" in n and "use.py:3:" in n for n in diag.notes), diag.notes
    fix_tree(tmp_path, "PY001")
    compile((tmp_path / "use.py").read_text(), "use.py", "exec")
    assert check_tree(tmp_path, "PY001") == []


@pytest.mark.parametrize(
    "argument",
    ["obj.attr", "g()", "xs[0]", "-K", "f'{K}'", "[*xs]", "(y := 2)", "lambda x=g(): x"],
)
def test_reorder_moving_an_argument_that_may_run_code_is_unsafe(
    argument: str, tmp_path: Path
) -> None:
    lib = "def f(a, b=1, c, *rest):\n    return a\n"
    use = f"from lib import f\nf(1, {argument}, 3, 4)\n"
    make_tree(tmp_path, {"lib.py": lib, "use.py": use})
    (diag,) = check_tree(tmp_path, "PY001")
    assert diag.fix is not None and diag.fix.applicability is Applicability.UNSAFE
    assert any("use.py:2:" in n and "evaluated in another order" in n for n in diag.notes)


def test_findings_sharing_a_name_each_find_only_their_own_callers(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {}
    for i in range(12):
        sig = "db=None, payload" if i % 3 == 0 else "payload, db=None"
        files[f"routers/r{i}.py"] = f"def create_user({sig}):\n    return payload\n"
        files[f"services/s{i}.py"] = (
            f"from routers.r{i} import create_user\n\ndef run():\n    return create_user(None, 1)\n"
        )
    files["other.py"] = "def create_user(x):\n    return x\n\ncreate_user(1)\n"
    make_tree(tmp_path, files)
    project = project_for(tmp_path)
    found = run_checks(project, selected_checks(("PY001",), ()))
    assert [str(d.path) for d in found] == [f"routers/r{i}.py" for i in (0, 3, 6, 9)]
    for d in found:
        i = str(d.path)[len("routers/r") : -len(".py")]
        assert any(f"services/s{i}.py:4:" in n for n in d.notes), d.notes
        assert not any("services/s1.py" in n or "other.py" in n for n in d.notes), d.notes
    tokenized = {str(key[1]) for key in project._memo if key[0] == "pysource.tokens"}
    # Files that use the name have their imports read (once, for every finding); files that
    # only define a function of that name are never tokenized.
    assert tokenized <= {f"routers/r{i}.py" for i in (0, 3, 6, 9)} | {
        f"services/s{i}.py" for i in range(12)
    } | {"other.py"}
    assert {f"services/s{i}.py" for i in (0, 3, 6, 9)} <= tokenized


@pytest.mark.parametrize(
    "source",
    [
        "import a.b.c\nimport d.e as f\nfrom g.h import i, j as k\nfrom .l import *\n",
        "from . import m\nfrom ..n import o\ndef f():\n    from p import q\n    import r\n",
        "from a import x\nfrom b import x\n",  # the later binding wins
        "try:\n    import s\nexcept ImportError:\n    import t as s\nelse:\n    import u\n"
        "finally:\n    import v\nclass C:\n    import w\nwith x:\n    import y\n"
        "match z:\n    case 1:\n        import zz\n",
        "from ...too.far import z\nfrom .. import up\n",
    ],
)
def test_imports_from_the_tree_match_imports_from_tokens(source: str, tmp_path: Path) -> None:
    from hfdeploy.pysource.imports import file_imports, imported_names

    make_tree(tmp_path, {"pkg/sub/mod.py": source})
    project = project_for(tmp_path)
    path = PurePosixPath("pkg/sub/mod.py")
    assert project.syntax_error(path) is None
    tokens = file_imports(project, path)
    assert imported_names(project, path) == (tuple(tokens.names.values()), tokens.star_modules)


FAILING_TEXTS = [
    "def f(a=1, b):\n    return b\n",
    "class C:\n    @staticmethod\n    def m(self, a=1, b):\n        pass\n\n    def n(x=2, y): ...\n",
    "def outer():\n    def inner(a=lambda x=1, y: 0, b):\n        pass\n    return inner\n",
    "g = lambda a=1, b: a\n\ndef h(a, /, b=1, c, *rest):\n    pass\n",
    "def f(a=1, b):\n    pass\n\ndef g(:\n    pass\n",  # and another syntax error
    "def g(:\n    pass\n",  # no signature to blank: the first failure stands
    "x = (\n",
    "def f(a=1, b):\n\tif a:\n        pass\n",  # inconsistent tabs after the signature
    "def f(a='é', b):\n    return 1\n\x0cdef g(c=(1,\n  2), d): pass\n",
    "async def f(a=1, b):\n    print 'old'\n",
]


@pytest.mark.parametrize("text", FAILING_TEXTS)
def test_the_parse_workers_summary_is_what_the_main_process_reads(
    text: str, tmp_path: Path
) -> None:
    # A worker of the parallel parse pass summarises a file that does not parse; the main
    # process stores that summary as its answers: the same as it computes them itself.
    from hfdeploy.pyparse import blanked_failure, summarise_failing, take_summary
    from hfdeploy.signatures import offending_signatures, pack
    from hfdeploy.syntax_scan import _parse_failure

    make_tree(tmp_path, {"m.py": text})
    path = PurePosixPath("m.py")
    serial = project_for(tmp_path)
    failure = _parse_failure(path, text)
    assert failure is not None
    summary = summarise_failing(text, str(path), failure)
    summary = pickle.loads(pickle.dumps(summary))  # as it crosses the process boundary
    seeded = project_for(tmp_path)
    take_summary(seeded, path, summary)

    def answers(project: Project) -> tuple[object, ...]:
        sigs = [pack(sig) for sig in offending_signatures(project, path)]
        blanked, error = blanked_failure(project, path)
        why = None if error is None else (type(error), error.args)
        return sigs, blanked, why

    assert answers(seeded) == answers(serial)
    assert not any(key[0] == "pysource.tokens" for key in seeded._memo)
    assert codes(run_checks(seeded, selected_checks(("PY001", "PY002"), ()))) == codes(
        run_checks(project_for(tmp_path), selected_checks(("PY001", "PY002"), ()))
    )


@pytest.mark.parametrize(
    ("home", "skipped"),
    [
        ("def create(a=1, b):\n    return b\n", True),
        ("def create(\n    a=1,\n    b,  # last\n) -> int:\n    return b\n", True),
        ("def create(a=1, b) \\\n  = 1\n", False),  # `f(...)=` is read as an echoing f-string
        ("def create(a=1, b):\n    return b\n\nx = create(1, 2)\n", False),
        ("def create(a=1, b):\n    return b\n\nprint(f'{create(1, 2)}')\n", False),
        ("from m import create as make\n\ndef create(a=1, b):\n    pass\n\nmake(1, 2)\n", False),
        ("def run():\n    def create(a=1, b):\n        pass\n    return create(1, 2)\n", False),
        ("class K:\n    def create(self, a=1, b):\n        pass\n", False),
        ("'create'\ndef create(a=1, b):\n    pass\n", False),
    ],
)
def test_a_function_named_only_at_its_def_finds_the_same_references_unread(
    home: str, skipped: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hfdeploy.pysource import calls
    from hfdeploy.signatures import offending_signatures

    make_tree(tmp_path, {"m.py": home, "use.py": "from m import create\ncreate(1, 2)\n"})
    path = PurePosixPath("m.py")

    def references(project: Project) -> list[calls.References]:
        return [
            calls.find_references(project, path, s) for s in offending_signatures(project, path)
        ]

    scanned: list[PurePosixPath] = []
    scan = calls._scan_file

    def spy(project: Project, imports: object, where: PurePosixPath, *rest: object) -> None:
        scanned.append(where)
        scan(project, imports, where, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(calls, "_scan_file", spy)
    found = references(project_for(tmp_path))
    assert found
    assert (path not in scanned) == skipped
    monkeypatch.setattr(calls, "_named_only_where_defined", lambda text, sig: False)
    assert found == references(project_for(tmp_path))
