"""Project snapshot: file discovery, decoding, and bad input as findings, never tracebacks."""

from __future__ import annotations

import codecs
import os
from pathlib import Path, PurePosixPath

import pytest

from hfdeploy.ignore import IgnoreRules
from hfdeploy.project import Project
from tests.support import git_init, make_tree


def names(project: Project) -> list[str]:
    return [str(p) for p in project.files()]


def test_walk_respects_gitignore_and_skips_virtualenvs(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            ".gitignore": "*.log\nsecret/\n!keep.log\n",
            "app/main.py": "x = 1\n",
            "debug.log": "",
            "keep.log": "",
            "secret/a.py": "",
            "venv/lib/x.py": "",
            "myenv/pyvenv.cfg": "",
            "myenv/lib/y.py": "",
            "node_modules/z.js": "",
            "pkg/__pycache__/m.pyc": "",
        },
    )
    assert names(Project(tmp_path)) == [".gitignore", "app/main.py", "keep.log"]


def test_git_repo_lists_tracked_and_unignored_files(tmp_path: Path) -> None:
    make_tree(tmp_path, {".gitignore": ".env\n", ".env": "A=1\n", "main.py": ""})
    git_init(tmp_path)
    make_tree(tmp_path, {"new.py": ""})
    project = Project(tmp_path)
    assert names(project) == [".gitignore", "main.py", "new.py"]
    assert project.is_tracked("main.py") and not project.is_tracked(".env")
    # Ignored files are still readable on request (a check must see .env).
    assert project.text(".env") == "A=1\n"


def test_decoding_keeps_crlf_and_strips_bom(tmp_path: Path) -> None:
    make_tree(tmp_path, {"a.py": codecs.BOM_UTF8 + b"x = 1\r\ny = 2\r\n"})
    src = Project(tmp_path).source("a.py")
    assert src is not None and src.bom and src.text == "x = 1\r\ny = 2\r\n"
    assert src.newline == "\r\n"
    assert src.encode() == codecs.BOM_UTF8 + b"x = 1\r\ny = 2\r\n"


def test_encoding_cookie_is_honoured(tmp_path: Path) -> None:
    make_tree(tmp_path, {"a.py": "# -*- coding: latin-1 -*-\nname = 'café'\n".encode("latin-1")})
    src = Project(tmp_path).source("a.py")
    assert src is not None and src.encoding == "iso-8859-1" and "café" in src.text


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\x00\x01binary", "binary"),
        (b"x = '\xff\xfe'\n", "not valid utf-8"),
        (b"# -*- coding: klingon -*-\n", "bad encoding declaration"),
    ],
)
def test_unreadable_files_become_hf001(tmp_path: Path, content: bytes, reason: str) -> None:
    make_tree(tmp_path, {"bad.py": content})
    project = Project(tmp_path)
    assert project.source("bad.py") is None
    [problem] = project.problems
    assert problem.code == "HF001" and reason in problem.message.lower()


def test_large_file_is_skipped_with_a_finding(tmp_path: Path) -> None:
    make_tree(tmp_path, {"big.py": b"#" * (3 * 1024 * 1024)})
    project = Project(tmp_path)
    assert project.source("big.py") is None
    assert "too large" in project.problems[0].message


def test_odd_names_and_symlink_loops(tmp_path: Path) -> None:
    make_tree(tmp_path, {"(": "", "$null": "", "ok.py": "x = 1\n"})
    os.symlink(tmp_path, tmp_path / "loop")
    os.symlink(tmp_path / "missing", tmp_path / "dangling.py")
    project = Project(tmp_path)
    found = names(project)
    assert {"(", "$null", "ok.py"} <= set(found)
    assert project.source("dangling.py") is None
    assert not any(n.startswith("loop/") for n in found)


def test_overlay_changes_do_not_touch_disk(tmp_path: Path) -> None:
    make_tree(tmp_path, {"a.py": "x = 1\n"})
    project = Project(tmp_path)
    changed = project.with_changes(
        {PurePosixPath("a.py"): "x = 2\n", PurePosixPath("new.txt"): "n"}
    )
    assert changed.text("a.py") == "x = 2\n" and changed.exists("new.txt")
    assert "new.txt" in [str(p) for p in changed.files()]
    assert (tmp_path / "a.py").read_text() == "x = 1\n" and not (tmp_path / "new.txt").exists()


@pytest.mark.parametrize(
    ("lines", "path", "is_dir", "expected"),
    [
        ([".env"], ".env", False, True),
        ([".env"], "sub/.env", False, True),
        (["/build"], "sub/build", True, False),
        (["build/"], "build", False, False),
        (["build/"], "build/x.py", False, True),
        (["*.db", "!keep.db"], "keep.db", False, False),
        (["**/cache"], "a/b/cache/x", False, True),
        (["a/**/z"], "a/b/c/z", False, True),
    ],
)
def test_gitignore_patterns(lines: list[str], path: str, is_dir: bool, expected: bool) -> None:
    assert IgnoreRules(lines).ignored(path, is_dir=is_dir) is expected


def test_dockerignore_patterns_are_anchored() -> None:
    rules = IgnoreRules([".env", "**/*.pyc"], dockerignore=True)
    assert rules.ignored(".env") and not rules.ignored("sub/.env")
    assert rules.ignored("a/b/c.pyc")


def test_utf16_with_a_bom_is_read_for_requirements_files_only(tmp_path: Path) -> None:
    # pip and uv read a UTF-16 requirements file (PowerShell's `pip freeze >`); the Hub, docker
    # and Python do not read UTF-16 README.md, Dockerfile or .py files.
    data = codecs.BOM_UTF16_LE + "fastapi==0.115.6\r\n".encode("utf-16-le")
    make_tree(tmp_path, {"requirements.txt": data, "README.md": data, "Dockerfile": data})
    project = Project(tmp_path)
    source = project.source(PurePosixPath("requirements.txt"))
    assert source is not None and source.text == "fastapi==0.115.6\r\n"
    assert source.encode(source.text) == data
    assert project.source(PurePosixPath("README.md")) is None
    assert project.source(PurePosixPath("Dockerfile")) is None


def test_parallel_syntax_pass_agrees_with_the_serial_one(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    from hfdeploy.syntax_scan import PARALLEL_MIN_FILES

    files: dict[str, str | bytes] = {
        f"m{i}.py": f"x{i} = {i}\r\n" for i in range(PARALLEL_MIN_FILES)
    }
    files["broken.py"] = "def f(a=1, b):\n    pass\n"
    files["cookie.py"] = "# -*- coding: latin-1 -*-\nname = 'café'\n".encode("latin-1")
    files["bom.py"] = codecs.BOM_UTF8 + b"y = 1\n"
    files["not_utf8.py"] = b"x = '\xff'\n"
    make_tree(tmp_path, files)
    # A fresh process: the pass only forks where no other thread runs (pytest's may).
    script = (
        "import json, sys\n"
        "from hfdeploy.project import Project\n"
        "from hfdeploy.syntax_scan import identifiers, parallel_syntax_errors\n"
        "p = Project(__import__('pathlib').Path(sys.argv[1]))\n"
        "v = parallel_syntax_errors(str(p.root), p.python_files(), 1 << 20)\n"
        "assert all(s.text == p.text(k) for k, (s, e, w) in v.items())\n"
        "assert all(w == identifiers(s.text) for k, (s, e, w) in v.items())\n"
        "print(json.dumps({str(k): e is not None for k, (s, e, w) in v.items()}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, check=True
    )
    verdicts = json.loads(out.stdout)
    if (os.cpu_count() or 1) < 2:
        assert verdicts == {}  # nothing to gain on one core: the serial path answers
        return
    serial = Project(tmp_path)
    for path in serial.python_files():
        if path.name == "not_utf8.py":
            assert str(path) not in verdicts  # left to the main process, which reports HF001
            continue
        assert verdicts[str(path)] == (serial.syntax_error(path) is not None), path
    assert verdicts["broken.py"] and not verdicts["cookie.py"] and not verdicts["bom.py"]


def test_files_that_do_not_parse_are_handed_over_as_the_scan_comes_in(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    from hfdeploy.syntax_scan import PARALLEL_MIN_FILES

    files: dict[str, str | bytes] = {f"m{i}.py": f"x{i} = {i}\n" for i in range(PARALLEL_MIN_FILES)}
    files["broken.py"] = "def f(a=1, b):\n    pass\n"
    files["other.py"] = "def g(:\n"
    make_tree(tmp_path, files)
    # A fresh process: the pass only forks where no other thread runs (pytest's may).
    script = (
        "import json, sys\n"
        "from pathlib import Path, PurePosixPath\n"
        "from hfdeploy.project import Project\n"
        "from hfdeploy.registry import Selection\n"
        "from hfdeploy.runner import _start_parsing\n"
        "p = Project(Path(sys.argv[1]))\n"
        "seen = []\n"
        "p.start_priming(p.python_files(), seen.append)\n"
        "p.finish_priming()\n"
        "q = Project(Path(sys.argv[1]))\n"
        "_start_parsing(q, Selection(('PY001',), (), (), ()))\n"
        "q.finish_priming()\n"
        "blanked = q._memo.get(('pyparse.blanked', PurePosixPath('broken.py')))\n"
        "print(json.dumps({'seen': sorted(map(str, seen)),\n"
        "                  'blanked': None if blanked is None else blanked[0]}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, check=True
    )
    found = json.loads(out.stdout)
    if (os.cpu_count() or 1) < 2:
        assert found == {"seen": [], "blanked": None}  # one core: no scan, nothing handed over
        return
    assert found["seen"] == ["broken.py", "other.py"]
    # The runner had PY001/PY002's parse with the offending default blanked done meanwhile.
    assert found["blanked"] == "def f(a  , b):\n    pass\n"


def test_identifiers_are_the_words_that_may_be_names() -> None:
    import random
    import re

    from hfdeploy.syntax_scan import identifiers

    pattern = re.compile(r"[^\W\d]\w*")  # what the index means by a word
    pieces = ["abc", "_x", "9", "12ab", "0x1F", "a1", " ", "\t", "\n", ".", "(", "'", "#", "é", "ٳ"]
    rnd = random.Random(3)
    texts = ["", "1", "123 456", "x\x0by\x0cz", "\x00a\x7f_b"]
    texts += ["".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 12))) for _ in range(5000)]
    for text in texts:
        assert identifiers(text) == frozenset(pattern.findall(text)), repr(text)
    assert identifiers("def f(x1, 2y): return 0x1F") == {"def", "f", "x1", "y", "return", "x1F"}
