"""Every database URL written in the project: `.env*` values, `sqlalchemy.url` in Alembic ini
files, and Python string literals (settings defaults, `os.getenv` defaults, `create_engine`
arguments, constants). Computed once per snapshot and shared by the DB checks."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Literal

from hfdeploy.database.urls import LOCAL_HOSTS, URL_TEXT, UrlParts, parse_url
from hfdeploy.diagnostics import Span
from hfdeploy.environment.dotenv import env_files
from hfdeploy.environment.reads import classify, os_bindings
from hfdeploy.pycode import Located, candidate_files

if TYPE_CHECKING:
    from hfdeploy.project import Project

Origin = Literal["env", "ini", "python"]
_INI_URL = re.compile(
    r"^[ \t]*(?P<key>[A-Za-z0-9_.\-]*sqlalchemy\.url)[ \t]*[=:][ \t]*(?P<value>.*?)[ \t]*\r?$",
    re.MULTILINE | re.IGNORECASE,
)
_INTERPOLATION = re.compile(r"%%|%\([^)]*\)s")
# A string literal by which code turns `postgres://` into `postgresql://` at run time:
# "postgres://", 'postgres:', r"^postgres://" (an f-string's `postgres://{host}` does not count).
_REWRITE = re.compile(r"""(['"])\^?postgres:(?://)?\1""")
# Where a database URL may start, anywhere in a file.
_URL_ANYWHERE = re.compile(r"\b" + URL_TEXT.pattern.split("://", 1)[0] + "://")
# Which library reads a module's SQLite URLs: Tortoise ORM (`sqlite://app.db`), or one of the
# libraries that read them as SQLAlchemy does (`sqlite:///app.db`).
_TORTOISE_IMPORT = re.compile(r"^[ \t]*(?:from|import)[ \t]+tortoise\b", re.MULTILINE)
_SQLALCHEMY_STYLE_IMPORT = re.compile(
    r"^[ \t]*(?:from|import)[ \t]+(?:sqlalchemy|sqlmodel|databases|ormar|peewee|playhouse)\b",
    re.MULTILINE,
)


@dataclass(frozen=True)
class FoundUrl:
    path: PurePosixPath
    origin: Origin
    name: str | None  # the variable, ini key or setting it is the value of
    url: UrlParts  # the effective URL (ini: `%%` read as `%`)
    positions: tuple[int, ...]  # file offset of each character of `url.text`
    written: Span  # the URL as written in the file
    complete: bool  # False: only the start of an f-string
    editable: bool  # the text can be rewritten in place
    placeholder: bool  # from a `.env.example`-style file
    tracked: bool  # committed (or not ignored): reaches the Space repository
    # a default the environment overrides: `os.getenv("X", "<url>")`, a settings field's default
    overridable: bool = False
    tortoise: bool = False  # Tortoise ORM reads it (`sqlite://app.db`): see `parse_url`

    def span_of(self, start: int, end: int) -> Span:
        """File span of `url.text[start:end]`."""
        if start == end:
            at = self.positions[start] if start < len(self.positions) else self.written.end
            return Span(at, at)
        return Span(self.positions[start], self.positions[end - 1] + 1)

    def written_form(self, text: str) -> str:
        """`text` as it must be written in this file (ini files double `%`)."""
        return text.replace("%", "%%") if self.origin == "ini" else text

    @property
    def deployed(self) -> bool:
        """Read on the Space: code and ini files always, `.env` files only when committed."""
        return not self.placeholder and (self.origin != "env" or self.tracked)


def database_urls(project: Project) -> list[FoundUrl]:
    def collect() -> list[FoundUrl]:
        return _env_urls(project) + _ini_urls(project) + _python_urls(project)

    return project.memo("db-urls", collect)


def tortoise_reads(project: Project, text: str | None = None) -> bool:
    """Whether Tortoise ORM reads the SQLite URLs of a module with this source (`text`), or of
    the project's `.env` files (None): the module imports `tortoise`; or it imports no ORM and
    the app's code imports Tortoise and none of the libraries that read SQLite URLs as
    SQLAlchemy does (a settings module that only holds the URL)."""
    if text is not None:
        if _TORTOISE_IMPORT.search(text):
            return True
        if _SQLALCHEMY_STYLE_IMPORT.search(text):
            return False

    def collect() -> bool:
        tortoise = False
        for path, source in project.python_texts():
            if is_test_file(path):
                continue
            if _SQLALCHEMY_STYLE_IMPORT.search(source):
                return False
            tortoise = tortoise or bool(_TORTOISE_IMPORT.search(source))
        return tortoise

    return project.memo("db-tortoise-reads", collect)


def _listed(project: Project, path: PurePosixPath) -> bool:
    return project.is_tracked(path) if project.is_git else path in set(project.files())


def _env_urls(project: Project) -> list[FoundUrl]:
    found = []
    tortoise = tortoise_reads(project)
    for env in env_files(project):
        for entry in env.entries:
            url = parse_url(entry.value, tortoise)
            if url is None:
                continue
            written = (project.text(env.path) or "")[entry.value_span.start : entry.value_span.end]
            found.append(
                FoundUrl(
                    env.path,
                    "env",
                    entry.key,
                    url,
                    entry.positions,
                    entry.value_span,
                    complete="${" not in entry.value,
                    editable=written == entry.value,
                    placeholder=env.placeholder,
                    tracked=_listed(project, env.path),
                    tortoise=tortoise,
                )
            )
    return found


def alembic_ini_files(project: Project) -> list[PurePosixPath]:
    paths = {p for p in project.files(".ini") if "alembic" in p.name}
    if project.exists("alembic.ini"):
        paths.add(PurePosixPath("alembic.ini"))
    return sorted(paths, key=str)


def _ini_urls(project: Project) -> list[FoundUrl]:
    found = []
    for path in alembic_ini_files(project):
        text = project.text(path) or ""
        for match in _INI_URL.finditer(text):
            value, start = match.group("value"), match.start("value")
            chars, positions = [], []
            i = 0
            while i < len(value):
                chars.append(value[i])
                positions.append(start + i)
                i += 2 if value.startswith("%%", i) else 1
            url = parse_url("".join(chars))
            if url is None:
                continue
            found.append(
                FoundUrl(
                    path,
                    "ini",
                    match.group("key"),
                    url,
                    tuple(positions),
                    Span(start, match.end("value")),
                    complete="%(" not in value,
                    editable=True,
                    placeholder=False,
                    tracked=_listed(project, path),
                )
            )
    return found


def _python_urls(project: Project) -> list[FoundUrl]:
    found = []
    for module in candidate_files(project, "://"):
        if is_test_file(module.path) or not _URL_ANYWHERE.search(module.text):
            continue
        tortoise = tortoise_reads(project, module.text)
        for node in module.nodes_matching(_URL_ANYWHERE):
            if isinstance(module.parent_of(node), ast.JoinedStr):
                continue  # the text pieces of an f-string: the f-string itself is looked at
            url = _literal_url(module, node, tortoise)
            if url is not None:
                parts, span, complete = url
                found.append(
                    FoundUrl(
                        module.path,
                        "python",
                        _value_name(module, node),
                        parts,
                        tuple(range(span.start, span.end)),
                        span,
                        complete,
                        editable=True,
                        placeholder=False,
                        tracked=True,
                        overridable=_overridable(module, node),
                        tortoise=tortoise,
                    )
                )
    return found


def _overridable(module: Located, node: ast.AST) -> bool:
    """A default that an environment variable replaces: `os.getenv("X", "<url>")`,
    `os.environ.get(...)`, or a field default of a class (a pydantic settings field)."""
    parent = module.parent_of(node)
    field = parent
    if isinstance(field, ast.keyword) and field.arg == "default":
        field = module.parent_of(field)
    if (
        isinstance(field, ast.Call)
        and _is_field_call(field)
        and (field is not parent or (field.args and field.args[0] is node))
    ):
        # a settings field's default written through `Field(default=...)` / `Field("...")`
        holder = module.parent_of(field)
        return isinstance(holder, (ast.AnnAssign, ast.Assign)) and isinstance(
            module.parent_of(holder), ast.ClassDef
        )
    if isinstance(parent, ast.Call):
        read = classify(parent, *os_bindings(module))
        return read is not None and read[2] is node
    if isinstance(parent, (ast.AnnAssign, ast.Assign)):
        return isinstance(module.parent_of(parent), ast.ClassDef)
    return False


def _is_field_call(call: ast.Call) -> bool:
    """`Field(...)` (pydantic) or `pydantic.Field(...)`."""
    func = call.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    return name == "Field"


def is_test_file(path: PurePosixPath) -> bool:
    return (
        bool({"tests", "test"} & set(path.parts[:-1]))
        or path.name.startswith("test_")
        or path.name.endswith("_test.py")
        or path.name == "conftest.py"
    )


def _literal_url(
    module: Located, node: ast.AST, tortoise: bool = False
) -> tuple[UrlParts, Span, bool] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if not URL_TEXT.fullmatch(node.value) or node.value.endswith("://"):
            return None
        span = module.literal_span(node)
        parts = parse_url(node.value, tortoise)
        return (parts, span, True) if span is not None and parts is not None else None
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        head = node.values[0].value
        if not isinstance(head, str) or URL_TEXT.match(head) is None:
            return None
        outer = module.span(node)
        written = module.text[outer.start : outer.end]
        at = written.find(head)
        parts = parse_url(head, tortoise)
        if at == -1 or at > 5 or parts is None or "{" in head or "\\" in head:
            return None
        return parts, Span(outer.start + at, outer.start + at + len(head)), False
    return None


def _value_name(module: Located, node: ast.AST) -> str | None:
    """The name a literal is the value of: an assignment, a keyword, an `os.getenv` default."""
    parent = module.parent_of(node)
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1:
        target = parent.targets[0]
        return target.id if isinstance(target, ast.Name) else getattr(target, "attr", None)
    if isinstance(parent, ast.AnnAssign) and isinstance(parent.target, ast.Name):
        return parent.target.id
    if isinstance(parent, ast.keyword) and parent.arg:
        return parent.arg
    if isinstance(parent, ast.Call):
        read = classify(parent, *os_bindings(module))
        if read is not None and read[2] is node:
            return read[0]
    return None


COMPOSE_FILES = ("docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml")


def compose_services(project: Project) -> dict[str, PurePosixPath]:
    """Service names defined in the root docker-compose file(s), each with its file."""

    def collect() -> dict[str, PurePosixPath]:
        from ruamel.yaml import YAML
        from ruamel.yaml.error import YAMLError

        services: dict[str, PurePosixPath] = {}
        for name in COMPOSE_FILES:
            text = project.text(name)
            if text is None:
                continue
            try:
                data = YAML(typ="safe").load(text)
            except (YAMLError, ValueError):
                continue
            found = data.get("services") if isinstance(data, dict) else None
            if isinstance(found, dict):
                for service in found:
                    services.setdefault(str(service), PurePosixPath(name))
        return services

    return project.memo("db-compose-services", collect)


def unreachable_host(project: Project, url: UrlParts) -> str | None:
    """Why the server `url` names cannot be reached from a Space (None when it may be): a
    local address, a docker-compose service, or a name without a dot."""
    if url.is_sqlite or url.host is None:
        return None
    host = url.host.lower()
    service = compose_services(project).get(url.host)
    if service is not None:
        return (
            f"`{url.host}` is a service of {service}, and a Space runs only this image, "
            "without docker-compose"
        )
    if host in LOCAL_HOSTS or host.startswith("127."):
        return f"`{url.host or 'localhost'}` is the Space's own container, where no database server runs"
    if url.is_local_host:
        return (
            f"`{url.host}` is a name without a dot (as docker-compose services are named), "
            "which does not resolve on a Space"
        )
    return None


def rewrites_postgres_scheme(project: Project, paths: set[PurePosixPath] | None = None) -> bool:
    """True when code (limited to `paths` if given) turns `postgres://` into `postgresql://`
    itself, e.g. `url.replace("postgres://", "postgresql://", 1)`."""
    for path, text in project.python_texts():
        if (paths is None or path in paths) and "postgres:" in text and _REWRITE.search(text):
            return True
    return False


def sqlite_files(project: Project) -> list[tuple[FoundUrl, UrlParts]]:
    """(found, url) for each SQLite file the app opens on the Space (not in memory)."""
    out = []
    for found in database_urls(project):
        url = found.url
        if not (found.deployed and found.complete and url.is_sqlite):
            continue
        if not url.database or ":memory:" in url.database or "mode=memory" in url.text:
            continue
        out.append((found, url))
    return out
