"""Result cache for `check`: an unchanged re-run answers from disk.

An entry records every file the checks read (its sha256, or absence) and the list of project
files; it is valid only while all of those are byte-identical. Only checks marked `cacheable`
(pure functions of file contents and settings) are answered from it, and with --offline those
marked `cacheable_offline` (index checks), whose reads outside the project (the index cache,
pip's configuration files) and environment variables are recorded in the entry as well.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path, PurePosixPath
from typing import Any

from hfdeploy import __version__
from hfdeploy.atomic import atomic_write
from hfdeploy.diagnostics import Applicability, Diagnostic, Edit, Fix, Severity, Span, Untrack
from hfdeploy.project import Project
from hfdeploy.redact import redact


def cache_root() -> Path:
    """`HFDEPLOY_CACHE_DIR`, else `$XDG_CACHE_HOME/hfdeploy` (`~/.cache/hfdeploy`): the result
    cache, the index cache, locks and tools all live below it."""
    override = os.environ.get("HFDEPLOY_CACHE_DIR")
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "hfdeploy"


def _code_fingerprint() -> str:
    """Which hfdeploy code made a result: an edited (editable) install must not reuse results."""
    package = Path(__file__).resolve().parent
    stamps = []
    for dirpath, _dirs, names in os.walk(package):
        for name in names:
            if name.endswith(".py"):
                st = os.stat(os.path.join(dirpath, name))
                stamps.append(f"{dirpath}/{name}:{st.st_mtime_ns}:{st.st_size}")
    return hashlib.sha256("\n".join(sorted(stamps)).encode()).hexdigest()


def _entry_path(project: Project, selection: list[str]) -> Path:
    key = json.dumps(
        [
            __version__,
            _code_fingerprint(),
            str(project.root),
            selection,
            repr(project.config),
            repr(project.options),
        ]
    )
    return cache_root() / "results" / (hashlib.sha256(key.encode()).hexdigest()[:32] + ".json")


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    except OSError:
        return "unreadable"


def _stat_key(path: Path | str) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def _unchanged(path: str, digest: str | None, stat_key: list[int] | None) -> bool:
    # Same size, mtime and inode as when hashed: trust it, as git does; otherwise compare the
    # content hash, so a touched but identical file still hits.
    if stat_key is not None and _stat_key(path) == stat_key:
        return True
    return _digest(Path(path)) == digest


def _environment_value(name: str) -> str | None:
    # Hashed: a variable such as PIP_INDEX_URL may carry a password.
    value = os.environ.get(name)
    return (
        None
        if value is None
        else hashlib.sha256(value.encode("utf-8", "surrogateescape")).hexdigest()
    )


def _listing_digest(project: Project) -> str:
    # The files, which of them git tracks (a `.env` untracked by hand changes findings without
    # changing any file) and the interpreter (which syntax parses depends on it).
    listing = "\0".join(map(str, project.files())) + "\1" + "\0".join(sorted(project.tracked))
    listing += "\1" + "\0".join(project.disk_entries()) + f"\1{sys.version_info[:2]}"
    return hashlib.sha256(listing.encode("utf-8", "surrogateescape")).hexdigest()


def load(project: Project, selection: list[str]) -> tuple[list[Diagnostic], list[str]] | None:
    """The cached findings and the checks that must run anyway (as "module:Class"), or None.

    Keyed on the command line's selection rather than on the checks it selects, so that a hit
    imports only the few checks that are never cached.
    """
    try:
        entry = json.loads(_entry_path(project, selection).read_text("utf-8"))
        if entry["listing"] != _listing_digest(project):
            return None
        for name, value in entry["environment"].items():
            if _environment_value(name) != value:
                return None
        root = str(project.root)
        for name, (digest, stat_key) in entry["reads"].items():
            if not _unchanged(os.path.join(root, name), digest, stat_key):
                return None
        for name, (digest, stat_key) in entry["outside"].items():
            if not _unchanged(name, digest, stat_key):
                return None
        return [_decode(d) for d in entry["diagnostics"]], list(entry["uncached"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store(
    project: Project, selection: list[str], diagnostics: list[Diagnostic], uncached: list[str]
) -> None:
    reads = {}
    root = str(project.root)
    for path in project.read_paths():
        name = str(path)
        full = os.path.join(root, name)
        stat_key = _stat_key(full)
        original = project.original(path) if stat_key is not None else None
        # Reuse the digest taken when the file was read; re-read only what was never decoded.
        digest = original.digest if original is not None else _digest(Path(full))
        reads[name] = [digest, stat_key if digest is not None else None]
    outside = {}
    for name in project.outside_reads():
        stat_key = _stat_key(name)
        digest = _digest(Path(name))
        outside[name] = [digest, stat_key if digest is not None else None]
    if any(_holds_secret(d) for d in diagnostics):
        return  # never keep secret text at rest: such a run is simply not cached
    entry = {
        "listing": _listing_digest(project),
        "environment": {name: _environment_value(name) for name in project.environment_reads()},
        "reads": reads,
        "outside": outside,
        "diagnostics": [_encode(d) for d in diagnostics],
        "uncached": uncached,
    }
    try:
        target = _entry_path(project, selection)
        for directory in (target.parent.parent, target.parent):
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(directory, 0o700)
        atomic_write(target, json.dumps(entry).encode("utf-8"))
        os.chmod(target, 0o600)
    except OSError:
        pass  # a read-only cache directory only costs speed


def _holds_secret(d: Diagnostic) -> bool:
    """Whether a finding carries a secret value (in its text or a fix's replacement text)."""
    texts = [d.message, *d.notes]
    if d.fix is not None:
        texts.extend(e.replacement for e in d.fix.edits)
    return any(redact(text) != text for text in texts)


def _encode(d: Diagnostic) -> dict[str, Any]:
    return {
        "code": d.code,
        "severity": int(d.severity),
        "message": d.message,
        "path": str(d.path) if d.path is not None else None,
        "span": [d.span.start, d.span.end] if d.span else None,
        "notes": list(d.notes),
        "fix": None
        if d.fix is None
        else {
            "title": d.fix.title,
            "applicability": d.fix.applicability.value,
            "edits": [[str(e.path), e.span.start, e.span.end, e.replacement] for e in d.fix.edits],
            "untrack": [str(u.path) for u in d.fix.untrack],
        },
    }


def _decode(raw: dict[str, Any]) -> Diagnostic:
    fix = raw["fix"]
    return Diagnostic(
        code=raw["code"],
        severity=Severity(raw["severity"]),
        message=raw["message"],
        path=PurePosixPath(raw["path"]) if raw["path"] is not None else None,
        span=Span(*raw["span"]) if raw["span"] else None,
        notes=tuple(raw["notes"]),
        fix=None
        if fix is None
        else Fix(
            title=fix["title"],
            applicability=Applicability(fix["applicability"]),
            edits=tuple(Edit(PurePosixPath(p), Span(s, e), r) for p, s, e, r in fix["edits"]),
            untrack=tuple(Untrack(PurePosixPath(p)) for p in fix["untrack"]),
        ),
    )
