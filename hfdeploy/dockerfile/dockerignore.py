"""`.dockerignore`: what must stay out of a Space image, whether the current file keeps it out,
and the one edit that creates or extends the file (shared by DF011 and DF012, so the fixer
applies it once)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.diagnostics import Edit, Fix, Span
from hfdeploy.ignore import IgnoreRules

if TYPE_CHECKING:
    from hfdeploy.project import Project

DOCKERIGNORE = PurePosixPath(".dockerignore")


@dataclass(frozen=True)
class Entry:
    category: str  # for messages: "`.env` files"
    patterns: tuple[str, ...]  # lines appended when missing
    probes: tuple[str, ...]  # paths that must come out ignored
    is_dir: bool = False


# Order is the order of the generated file's sections.
ENTRIES = (
    Entry("`.env` files", ("**/.env", "**/.env.*"), (".env", ".env.local", "app/.env")),
    Entry("the `.git` directory", (".git",), (".git",), is_dir=True),
    Entry("virtualenvs", ("**/.venv", "**/venv"), (".venv", "venv"), is_dir=True),
    Entry(
        "`__pycache__` and bytecode",
        ("**/__pycache__", "**/*.py[cod]"),
        ("__pycache__", "app/__pycache__", "app/x.pyc"),
        is_dir=True,
    ),
    Entry(
        "tool caches",
        (".pytest_cache", ".mypy_cache", ".ruff_cache"),
        (".pytest_cache", ".mypy_cache", ".ruff_cache"),
        is_dir=True,
    ),
    Entry(
        "local databases",
        ("**/*.db", "**/*.sqlite", "**/*.sqlite3", "**/*.db-journal"),
        ("app.db", "data/app.db", "app.sqlite3"),
    ),
    Entry(
        "`node_modules`", ("**/node_modules",), ("node_modules", "web/node_modules"), is_dir=True
    ),
)
# Documented examples of the variables to set; harmless, and useful in the image.
KEEP = ".env.example"


def rules(project: Project) -> IgnoreRules | None:
    text = project.text(DOCKERIGNORE)
    return None if text is None else IgnoreRules(text.splitlines(), dockerignore=True)


def missing_entries(project: Project) -> list[Entry]:
    current = rules(project)
    if current is None:
        return list(ENTRIES)
    return [e for e in ENTRIES if not all(current.ignored(p, is_dir=e.is_dir) for p in e.probes)]


def extra_venvs(project: Project) -> list[str]:
    """Virtualenv directories at the top of the project with other names (`env/`, `.py311/`)."""
    entries = project.disk_entries()
    return [
        n
        for n in (e.split("/")[0] for e in entries if e.endswith("/pyvenv.cfg"))
        if n not in (".venv", "venv")
        and n.replace(".", "").replace("-", "").replace("_", "").isalnum()
    ]


def ignores(project: Project, path: str, *, is_dir: bool = False) -> bool:
    current = rules(project)
    return current is not None and current.ignored(path, is_dir=is_dir)


def dockerignore_edit(project: Project) -> Edit | None:
    """Create `.dockerignore` from the template, or append the missing lines; None if complete."""
    source = project.source(DOCKERIGNORE)
    venvs = [v for v in extra_venvs(project) if not ignores(project, v, is_dir=True)]
    if source is None:
        from hfdeploy.generate import render

        text = render("dockerignore.j2", entries=ENTRIES, extra=venvs, keep=KEEP)
        return Edit.create(DOCKERIGNORE, text)
    missing = missing_entries(project)
    lines = [p for e in missing for p in e.patterns] + venvs
    probe = IgnoreRules([*source.text.splitlines(), *lines], dockerignore=True)
    if probe.ignored(KEEP):
        lines.append("!" + KEEP)
    if not lines:
        return None
    nl = source.newline
    text = source.text
    lead = "" if not text or text.endswith("\n") else nl
    block = lead + f"{nl}# Added by hfdeploy: keep these out of the Space image{nl}" if text else ""
    block += nl.join(lines) + nl
    return Edit(DOCKERIGNORE, Span(len(text), len(text)), block)


_EXAMPLE_SUFFIXES = (".example", ".sample", ".template", ".dist", ".defaults")


def is_dotenv(name: str) -> bool:
    """`.env`, `.env.local`: files of real values, not documented examples (`.env.example`)."""
    base = name.rsplit("/", 1)[-1]
    if base.endswith(_EXAMPLE_SUFFIXES):
        return False
    return base == ".env" or base.startswith(".env.")


def dotenv_files(project: Project) -> list[str]:
    """`.env` files in the project: git-ignored ones too (they still reach the build context)."""
    found = {str(p) for p in project.files() if is_dotenv(p.name)}
    found |= {n for n in project.disk_entries() if "/" not in n and is_dotenv(n)}
    return sorted(found)


def present_on_disk(project: Project, entry: Entry) -> bool:
    """Whether something of `entry`'s kind exists now, at the top level or one below."""
    current = IgnoreRules(list(entry.patterns), dockerignore=True)
    return any(
        current.ignored(c.rstrip("/"), is_dir=c.endswith("/")) for c in project.disk_entries()
    )


def dockerignore_fix(project: Project) -> Fix | None:
    """One Fix shared by every check that wants `.dockerignore` completed (applied once)."""
    edit = dockerignore_edit(project)
    if edit is None:
        return None
    verb = "Create" if project.source(DOCKERIGNORE) is None else "Extend"
    return Fix(f"{verb} `.dockerignore` so secrets, caches and local files stay out", (edit,))
