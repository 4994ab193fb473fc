"""Can the app's user write where its data lives? Found from SQLite URLs, DATA_DIR and WORKDIR.

The test runs inside the container as its user: for each place, walk up to the nearest existing
directory (the app would have to create the rest there) and try to create a file in it.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from hfdeploy.diagnostics import Diagnostic, Severity
from hfdeploy.project import Project
from hfdeploy.space import DATA_DIR_ENV, SPACE_UID
from hfdeploy.verify.docker_client import DockerClient, DockerFailure, ImageConfig
from hfdeploy.verify.findings import finding
from hfdeploy.verify.report import VerifyReport

_SQLITE_URL = re.compile(r"^sqlite(?:\+\w+)?:///(?P<path>[^?#]*)")
# POSIX sh only (slim and alpine images have no bash). Targets: "f:<db file>" or "d:<directory>".
WRITE_TEST_SCRIPT = r"""
for t in "$@"; do
  kind=${t%%:*}; p=${t#*:}
  if [ "$kind" = h ]; then p="${HOME:-/}/$p"; fi
  if [ "$kind" = f ]; then
    if [ -e "$p" ] && [ ! -w "$p" ]; then printf 'readonly\t%s\t%s\n' "$t" "$p"; continue; fi
    p=${p%/*}; [ -n "$p" ] || p=/
  fi
  d=$p
  while [ ! -d "$d" ]; do d=${d%/*}; [ -n "$d" ] || d=/; done
  f="$d/.hfdeploy-write-test.$$"
  if ( : > "$f" ) 2>/dev/null; then rm -f "$f"; printf 'ok\t%s\t%s\n' "$t" "$d";
  else printf 'denied\t%s\t%s\n' "$t" "$d"; fi
done
"""


# Variables naming where libraries cache downloads (Hugging Face, PyTorch, NLTK, matplotlib).
CACHE_VARIABLES = (
    "HF_HOME",
    "HF_HUB_CACHE",
    "HUGGINGFACE_HUB_CACHE",
    "TRANSFORMERS_CACHE",
    "HF_DATASETS_CACHE",
    "SENTENCE_TRANSFORMERS_HOME",
    "TORCH_HOME",
    "NLTK_DATA",
    "MPLCONFIGDIR",
    "XDG_CACHE_HOME",
)
# Imports whose libraries write under ~/.cache (or their variable's directory) at run time.
CACHING_IMPORTS = frozenset(
    {
        "huggingface_hub",
        "transformers",
        "sentence_transformers",
        "datasets",
        "diffusers",
        "torch",
        "nltk",
        "spacy",
        "fastembed",
        "chromadb",
        "easyocr",
        "whisper",
        "gradio_client",
        "tiktoken",
        "langchain_huggingface",
        "timm",
        "open_clip",
        "llama_cpp",
        "matplotlib",
    }
)


@dataclass(frozen=True)
class WriteTarget:
    path: str  # absolute in the container (relative to $HOME for `home`)
    reason: str  # "SQLite database (DATABASE_URL)", "DATA_DIR", "WORKDIR", "cache (HF_HOME)"
    is_file: bool = False
    home: bool = False  # `path` is relative to the user's $HOME
    cache: bool = False

    @property
    def argument(self) -> str:
        return ("h:" if self.home else "f:" if self.is_file else "d:") + self.path


@dataclass(frozen=True)
class WriteResult:
    target: WriteTarget
    ok: bool
    tested: str  # the directory (or file) actually tried
    readonly_file: bool = False


def sqlite_path(url: str, workdir: str) -> str | None:
    match = _SQLITE_URL.match(url.strip())
    if match is None:
        return None
    path = match["path"]
    if not path or path == ":memory:":
        return None
    return posixpath.normpath(path if path.startswith("/") else posixpath.join(workdir, path))


def write_targets(project: Project, env: dict[str, str], workdir: str) -> list[WriteTarget]:
    workdir = workdir or "/"
    targets: list[WriteTarget] = []
    for name, value in sorted(env.items()):
        if (path := sqlite_path(value, workdir)) is not None:
            targets.append(WriteTarget(path, f"SQLite database ({name})", is_file=True))
    for where, database in discovered_database_files(project):
        path = posixpath.normpath(posixpath.join(workdir, database))
        targets.append(WriteTarget(path, f"SQLite database ({where})", is_file=True))
    if env.get(DATA_DIR_ENV):
        targets.append(WriteTarget(posixpath.join(workdir, env[DATA_DIR_ENV]), DATA_DIR_ENV))
    targets.append(WriteTarget(workdir, "WORKDIR"))
    targets.extend(cache_targets(project, env, workdir))
    unique: dict[str, WriteTarget] = {}
    for target in targets:
        unique.setdefault(target.argument, target)
    return list(unique.values())


def cache_targets(project: Project, env: dict[str, str], workdir: str) -> list[WriteTarget]:
    """Each cache directory the app's libraries write to: those the variables name, and
    `~/.cache` when the app imports a caching library and no variable moves its cache."""
    targets = [
        WriteTarget(posixpath.join(workdir, env[name]), f"cache ({name})", cache=True)
        for name in CACHE_VARIABLES
        if env.get(name)
    ]
    if not targets and caching_imports(project):
        targets.append(WriteTarget(".cache", "cache (~/.cache)", home=True, cache=True))
    return targets


def caching_imports(project: Project) -> list[str]:
    try:
        from hfdeploy.requirements.imports import project_imports
    except ImportError:
        return []
    return sorted(project_imports(project) & CACHING_IMPORTS)


def discovered_database_files(project: Project) -> list[tuple[str, str]]:
    """(where, file) for each SQLite file the database checks found that reaches the Space, as
    the library that opens it reads its URL (Tortoise's `sqlite://app.db` is `app.db`)."""
    try:
        from hfdeploy.database.sources import sqlite_files
    except ImportError:  # optional: verify then relies on the environment, DATA_DIR and WORKDIR
        return []
    return [
        (str(found.path), url.database)
        for found, url in sqlite_files(project)
        if url.database
        and not url.database.startswith(("%(", "file:", "$"))
        and "{" not in url.database
    ]


def parse_write_results(targets: Iterable[WriteTarget], output: str) -> list[WriteResult]:
    by_argument = {t.argument: t for t in targets}
    results = []
    for line in output.splitlines():
        status, _, rest = line.partition("\t")
        argument, _, tested = rest.partition("\t")
        target = by_argument.get(argument)
        if target is None or status not in ("ok", "denied", "readonly"):
            continue
        results.append(
            WriteResult(target, status == "ok", tested, readonly_file=status == "readonly")
        )
    return results


def workdir_after_user(project: Project) -> bool:
    """A WORKDIR after a non-root USER: root-owned under the legacy builder, not under BuildKit."""
    text = project.text("Dockerfile") or ""
    user = False
    for line in text.splitlines():
        words = line.split()
        keyword = words[0].upper() if words else ""
        if keyword == "USER" and len(words) > 1:
            user = words[1].split(":")[0] not in ("root", "0")
        elif keyword == "WORKDIR" and user:
            return True
    return False


def uses_sqlite(project: Project) -> bool:
    """Whether the served app may open a SQLite file in its working directory that no write
    target names: one the database domain finds in what reaches the Space but whose path it
    cannot resolve (an f-string such as `f"sqlite:///{BASE}/app.db"`). A URL whose file is
    known (the container's environment, verify's own placeholder under /tmp or DATA_DIR, a
    literal in the code) is a write target of its own, tested and reported for its directory;
    it does not make a root-owned WORKDIR that holds no database an error. Not a mention in
    tests, docs or an in-memory database."""
    try:
        from hfdeploy.database.sources import database_urls
    except ImportError:
        return False
    for found in database_urls(project):
        url = found.url
        if not (found.deployed and url.is_sqlite) or _test_file(found.path):
            continue
        if ":memory:" in url.text or "mode=memory" in url.text:
            continue
        if found.complete and url.database:
            continue  # a file at a known path: its own write target
        return True
    return False


def _test_file(path: PurePosixPath) -> bool:
    name = path.name
    return (
        bool({"tests", "test"} & set(path.parts[:-1]))
        or name.startswith("test_")
        or name in ("conftest.py", "tests.py")
    )


class StorageReport:
    """What the write test reads from and adds to the report, kept apart while it runs in
    parallel with the probes (the findings keep their order: probes first)."""

    def __init__(self, report: VerifyReport) -> None:
        self.uid = report.uid
        self.image = report.image
        self.network = report.network
        self.builder = report.builder
        self.findings: list[Diagnostic] = []
        self.unwritable: list[str] = []


def check_storage(
    project: Project,
    client: DockerClient,
    config: ImageConfig,
    env: dict[str, str],
    report: VerifyReport | StorageReport,
    container: str | None,
    run_as: str = "image",
) -> None:
    targets = write_targets(project, {**config.env, **env}, config.workdir)
    argv = ["/bin/sh", "-c", WRITE_TEST_SCRIPT, "sh", *(t.argument for t in targets)]
    users: list[str | None] = [None if container is not None or run_as == "image" else run_as]
    if run_as == "image" and (
        report.uid == 0 or (container is None and config.user in ("", "root", "0"))
    ):
        users.append(str(SPACE_UID))  # what Spaces run the image as
    sqlite = uses_sqlite(project)
    reported: set[str] = set()
    for user in users:
        if container is not None:
            result = client.exec(container, argv, user=user)
        else:  # the app crashed: test in a fresh container of the same image
            result = client.run_once(report.image, argv, user=user, network=report.network)
        if isinstance(result, DockerFailure) or result.exit_code in (126, 127):
            return  # no shell in the image (distroless): nothing to test with
        for outcome in parse_write_results(targets, result.output):
            if outcome.ok or outcome.tested in reported:
                continue  # one finding per directory: the first target names the best reason
            reported.add(outcome.tested)
            who = (
                f"uid {user} (what Spaces run)"
                if user
                else "the app's user" + (f" (uid {report.uid})" if report.uid is not None else "")
            )
            legacy = "legacy" in (report.builder or "") and workdir_after_user(project)
            problem = _storage_finding(outcome, who, sqlite, legacy)
            report.findings.append(problem)
            if problem.severity is Severity.ERROR:
                # what `fix --verify` repairs: a directory the app needs, not a WORKDIR that
                # nothing writes in (a warning; repairing it would hide the real failure)
                report.unwritable.append(outcome.tested)


def _storage_finding(
    outcome: WriteResult, who: str, uses_sqlite: bool, legacy_workdir: bool
) -> Diagnostic:
    target = outcome.target
    serious = target.is_file or target.reason != "WORKDIR" or uses_sqlite
    if target.cache:
        where = f"$HOME/{target.path}" if target.home else f"`{target.path}`"
        return finding(
            "RT019",
            f"{who[0].upper()}{who[1:]} cannot create files in {outcome.tested}, needed for the "
            f"{target.reason} at {where}: the first download fails with "
            "`PermissionError: [Errno 13] Permission denied`",
            [
                "Hint: `ENV HOME=/home/user HF_HOME=/home/user/.cache/huggingface` and a home "
                "directory owned by uid 1000 (`RUN useradd -m -u 1000 user`)."
            ],
            path="Dockerfile",
        )
    if outcome.readonly_file:
        message = (
            f"{target.reason} `{target.path}` exists but {who} cannot write it: SQLite "
            "fails with `attempt to write a readonly database`"
        )
        hints = [
            "Hint: copy it with `COPY --chown=user`, or do not ship the database in the image."
        ]
    else:
        message = (
            f"{who[0].upper()}{who[1:]} cannot create files in {outcome.tested}, needed for "
            f"{target.reason} `{target.path}`"
        )
        sqlite_here = target.reason != "WORKDIR" or uses_sqlite
        hints = [
            (
                "SQLite needs to create the database and its -journal/-wal files there "
                "(`unable to open database file`)."
                if sqlite_here
                else "No SQLite file the app opens was found here; a file it creates "
                "there (a SQLite database, uploads, logs) would fail with `PermissionError`."
            ),
            "Hint: before `USER`, `RUN mkdir -p <dir> && chown user:user <dir>`.",
        ]
        if legacy_workdir:
            hints.append(
                "The legacy builder makes a WORKDIR root-owned even after USER; BuildKit, "
                "which Spaces use, does not, so this result may differ on the Hub."
            )
    return finding(
        "RT006", message, hints, path="Dockerfile", severity=None if serious else Severity.WARNING
    )
