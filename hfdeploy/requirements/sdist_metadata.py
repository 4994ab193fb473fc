"""The dependencies a source release declares, read from the archive without building it.

pip learns a source release's dependencies only by running its build backend (`setup.py`), so
a resolver that must not run code ("wheels only") cannot tell whether such a release installs.
Two files answer without running anything, when the archive has them:

- `PKG-INFO` of Metadata-Version 2.2 or newer whose `Dynamic` does not name `Requires-Dist`
  (PEP 643): its `Requires-Dist` lines are what every build produces;
- `<name>.egg-info/requires.txt`, which setuptools writes from `install_requires` when it makes
  the sdist: the unconditional lines first, then `[:<marker>]` sections (environment-dependent)
  and `[<extra>]` sections (optional, left out here);
- `setup.py` read as a syntax tree, never run: an `install_requires=` that is a list of string
  literals, or that reads a file of the archive (`open("requirements.txt").read().splitlines()`,
  the commonest dynamic form), whose requirement lines are then taken; else `setup.cfg`'s
  `[options] install_requires`.

Anything else (no such file, a `Dynamic: Requires-Dist`, an unreadable archive) is None: unknown.
The archive is read in memory; nothing is extracted or executed.
"""

from __future__ import annotations

import ast
import configparser
import io
import re

from packaging.version import InvalidVersion, Version

MAX_BYTES = 50 * 1024 * 1024  # a larger "source release" is not worth reading for this
MAX_MEMBER = 1024 * 1024  # bytes of one file read from the archive
_SECTION = re.compile(r"\[(?P<extra>[^:\]]*)(?::(?P<marker>.*))?\]")


def sdist_requirements(data: bytes, filename: str) -> list[str] | None:
    """Requirement strings (markers kept as `; marker`) or None when the archive does not say."""
    if len(data) > MAX_BYTES:
        return None
    import tarfile  # deferred, as the other archive and header readers here: only a lookup
    import zipfile  # that fetched a source release reads one, and `check` should start fast

    try:
        members = _members(data, filename)
    except (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError, ValueError):
        return None
    if members is None:
        return None
    pkg_info = members.get("PKG-INFO")
    if pkg_info is not None:
        static = _static_requires_dist(pkg_info)
        if static is not None:
            return static
    requires = members.get("requires.txt")
    if requires is not None:
        return _requires_txt(requires)
    setup_py = members.get("setup.py")
    if setup_py is not None:
        from_setup = _setup_py_requires(setup_py, members)
        if from_setup is not None:
            return from_setup
    setup_cfg = members.get("setup.cfg")
    if setup_cfg is not None:
        return _setup_cfg_requires(setup_cfg)
    return None


def _members(data: bytes, filename: str) -> dict[str, str] | None:
    """`PKG-INFO` at the archive's top folder and the one `*.egg-info/requires.txt` beside it (or
    under `src/`), decoded; None for an archive type this does not read."""
    wanted: dict[str, str] = {}

    def keep(name: str, read: object) -> None:
        parts = name.strip("/").split("/")
        if len(parts) == 2:  # a file at the top folder: PKG-INFO, setup.py, requirements.txt
            wanted.setdefault(parts[1], _text(read))
        elif (
            len(parts) in (3, 4)
            and parts[-1] == "requires.txt"
            and parts[-2].endswith(".egg-info")
            and (len(parts) == 3 or parts[1] == "src")
        ):
            wanted.setdefault("requires.txt", _text(read))

    import tarfile
    import zipfile

    if filename.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(data)) as zipped:
            for info in zipped.infolist():
                if _wanted(info.filename, info.file_size):
                    keep(info.filename, lambda info=info: zipped.read(info))
        return wanted
    if filename.endswith((".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar")):
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tarred:
            for member in tarred:
                if member.isfile() and _wanted(member.name, member.size):
                    handle = tarred.extractfile(member)
                    if handle is not None:
                        keep(member.name, handle.read)
        return wanted
    return None


def _wanted(name: str, size: int) -> bool:
    parts = name.strip("/").split("/")
    top_level = (len(parts) == 2 and not parts[1].endswith((".py", ".pyc"))) or parts[
        -1
    ] == "setup.py"
    return size <= MAX_MEMBER and (top_level or name.endswith("/requires.txt"))


def _text(read: object) -> str:
    data = read()  # type: ignore[operator]
    return bytes(data).decode("utf-8", errors="replace")


def _static_requires_dist(pkg_info: str) -> list[str] | None:
    from email.parser import HeaderParser

    headers = HeaderParser().parsestr(pkg_info)
    try:
        version = Version(headers.get("Metadata-Version", "0"))
    except InvalidVersion:
        return None
    dynamic = {value.strip().lower() for value in headers.get_all("Dynamic") or []}
    if version < Version("2.2") or "requires-dist" in dynamic:
        return None
    return [value.strip() for value in headers.get_all("Requires-Dist") or []]


def _requires_txt(text: str) -> list[str]:
    found: list[str] = []
    marker: str | None = None
    extra = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        section = _SECTION.fullmatch(line)
        if section:
            extra = section.group("extra") or ""
            marker = (section.group("marker") or "").strip() or None
            continue
        if extra:
            continue  # an optional extra: not installed by a plain requirement
        found.append(f"{line}; {marker}" if marker else line)
    return found


def _setup_py_requires(source: str, members: dict[str, str]) -> list[str] | None:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name != "setup":
            continue
        value = next((k.value for k in node.keywords if k.arg == "install_requires"), None)
        if value is None:
            return None
        if isinstance(value, (ast.List, ast.Tuple)):
            items = [e.value for e in value.elts if isinstance(e, ast.Constant)]
            if len(items) == len(value.elts) and all(isinstance(i, str) for i in items):
                return [str(i) for i in items]
            return None
        for inner in ast.walk(value):
            if isinstance(inner, ast.Call) and inner.args:
                first = inner.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    read = members.get(first.value.removeprefix("./"))
                    if read is not None:
                        return _requirement_lines(read)
        return None
    return None


def _requirement_lines(text: str) -> list[str]:
    """The requirements of a requirements file's lines (options and includes left out)."""
    found = []
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip()
        if line and not line.startswith(("#", "-")):
            found.append(line)
    return found


def _setup_cfg_requires(text: str) -> list[str] | None:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    if not parser.has_option("options", "install_requires"):
        return None
    value = parser.get("options", "install_requires")
    if value.strip().startswith("file:"):
        return None
    return _requirement_lines(value)
