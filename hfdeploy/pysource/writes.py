"""Where the app's own code writes files, read from its AST (never run): the evidence that the
user the container runs as must own a directory. `tempfile` and `/tmp` writes do not count
(every user can write there), nor do tests, examples, scripts and modules the served app does
not import at start."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hfdeploy.project import Project

_SKIPPED_DIRS = frozenset(
    {"tests", "test", "testing", "examples", "example", "docs", "doc", "scripts", "benchmarks"}
)
_NEEDLES = (
    "open(",
    "write_",
    "mkdir",
    "makedirs",
    "FileHandler",
    "filename=",
    "shutil.",
    "touch(",
    "sqlite3",
    "aiosqlite",
    "Database(",
    "from_pretrained",
    "hf_hub_download",
    "snapshot_download",
    "SentenceTransformer",
    "pipeline(",
    "cache_dir",
)
_WRITE_METHODS = frozenset({"write_text", "write_bytes", "touch", "mkdir"})
_MAKEDIRS = frozenset({"os.makedirs", "os.mkdir", "makedirs"})
_SHUTIL = frozenset({"copy", "copy2", "copyfile", "copytree", "move"})
_HANDLERS = frozenset({"FileHandler", "RotatingFileHandler", "TimedRotatingFileHandler"})
# Downloads into the user's cache (`~/.cache/huggingface`, `~/.cache/torch`) unless told where.
_MODEL_DOWNLOADS = frozenset(
    {"from_pretrained", "hf_hub_download", "snapshot_download", "SentenceTransformer", "pipeline"}
)
# Keywords that tell a model download where to keep its files instead of the user's cache:
# transformers/huggingface_hub `cache_dir=`, sentence-transformers `cache_folder=`,
# huggingface_hub `local_dir=`.
_CACHE_KEYWORDS = frozenset({"cache_dir", "cache_folder", "local_dir"})


def names_its_cache(node: ast.Call) -> bool:
    """Whether a model download call says where its files go (not `~/.cache`)."""
    return any(k.arg in _CACHE_KEYWORDS for k in node.keywords)


# What opens a SQLite file by its path: `sqlite3.connect(path)` and `aiosqlite.connect(path)`
# (the file opens there and then), peewee's SQLite databases (at their first query: the
# constructor only records the path).
SQLITE_CONNECTS = frozenset({"sqlite3.connect", "aiosqlite.connect"})
SQLITE_DATABASES = frozenset(
    {"SqliteDatabase", "SqliteExtDatabase", "CSqliteExtDatabase", "SqliteQueueDatabase",
     "APSWDatabase"}
)  # fmt: skip

_TEMPORARY = ("/tmp", "tempfile", "gettempdir", "TemporaryDirectory", "NamedTemporaryFile")


@dataclass(frozen=True)
class FileWrite:
    path: PurePosixPath
    line: int
    what: str  # for messages: "open(..., 'w')", "logging.FileHandler(...)"
    kind: str  # "file" (in the app's directories) or "cache" (under $HOME)

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def file_writes(project: Project) -> list[FileWrite]:
    """Every place the app's code writes a file, in path and line order: in the modules the
    served app imports at start (every module when no app is found)."""
    return project.memo(("pysource", "file_writes"), lambda: _collect(project))


def _collect(project: Project) -> list[FileWrite]:
    from hfdeploy.pysource.import_graph import startup_modules

    found: list[FileWrite] = []
    started = set(startup_modules(project))
    for path, text in project.python_texts():
        if started and path not in started:
            continue  # a script or module the server never imports writes nothing at run time
        if _SKIPPED_DIRS.intersection(path.parts[:-1]) or path.name == "conftest.py":
            continue
        if path.name.startswith("test_") or path.name.endswith("_test.py"):
            continue
        if not any(needle in text for needle in _NEEDLES):
            continue
        tree = project.python_ast(path)
        if tree is None:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                write = _write(node)
                if write is not None:
                    found.append(FileWrite(path, node.lineno, *write))
    return sorted(found, key=lambda w: (str(w.path), w.line))


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return f"{_name(func.value)}.{func.attr}" if _name(func.value) else func.attr
    return ""


def _temporary(node: ast.AST) -> bool:
    text = ast.unparse(node)
    return any(t in text for t in _TEMPORARY)


def _mode(node: ast.Call, position: int) -> str | None:
    mode: ast.expr | None = node.args[position] if len(node.args) > position else None
    for keyword in node.keywords:
        if keyword.arg == "mode":
            mode = keyword.value
    if mode is None:
        return "r"
    if isinstance(mode, ast.Constant) and isinstance(mode.value, str):
        return mode.value
    return None  # computed: not known to write


def _write(node: ast.Call) -> tuple[str, str] | None:
    """(what, kind) when the call writes a file outside the temporary directory."""
    name = _name(node.func)
    last = name.rsplit(".", 1)[-1]
    target = node.args[0] if node.args else None
    if target is not None and _temporary(target):
        return None
    if last == "open" and name in ("open", "io.open", "aiofiles.open", "codecs.open"):
        mode = _mode(node, 1)
        if mode is not None and any(c in mode for c in "wax+") and target is not None:
            return f"{name}(..., {mode!r})", "file"
        return None
    if isinstance(node.func, ast.Attribute) and last == "open" and not node.args:
        mode = _mode(node, 99)
        if mode is not None and any(c in mode for c in "wax+") and not _temporary(node.func.value):
            return f"Path.open({mode!r})", "file"
        return None
    if isinstance(node.func, ast.Attribute) and last in _WRITE_METHODS and name != "os.mkdir":
        if _temporary(node.func.value):
            return None
        return f".{last}()", "file"
    if (name in _MAKEDIRS or name == "mkdir") and target is not None:
        return f"{name}()", "file"
    if name.startswith("shutil.") and last in _SHUTIL and len(node.args) >= 2:
        if _temporary(node.args[1]):
            return None
        return f"{name}()", "file"
    if last in _HANDLERS and target is not None:
        return f"logging.{last}()", "file"
    if last == "basicConfig" and any(k.arg == "filename" for k in node.keywords):
        keyword = next(k for k in node.keywords if k.arg == "filename")
        return None if _temporary(keyword.value) else ("logging.basicConfig(filename=...)", "file")
    if (name in SQLITE_CONNECTS or last in SQLITE_DATABASES) and target is not None:
        if isinstance(target, ast.Constant) and target.value in ("", ":memory:"):
            return None
        return f"{name}()", "file"
    if last in _MODEL_DOWNLOADS and not names_its_cache(node):
        if last == "pipeline" and name != "pipeline":
            return None  # `redis.pipeline()` and friends
        return f"{name}()", "cache"
    return None
