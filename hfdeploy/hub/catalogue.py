"""What a Space's build and run logs say when it fails, and what each text means.

One entry per failure text users meet on Docker Spaces: the pattern that recognises it, the rule
code whose check (or `verify` finding) catches the same cause before a push, and the cure. Entries
whose cause is the platform rather than the repository say so (`platform=True`), so nobody edits
working code because of a scheduling failure. Order matters: the first entry that matches a line
wins, so specific texts come before general ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class KnownFailure:
    key: str  # stable id, used by tests and `--format json`
    pattern: re.Pattern[str]
    code: str  # the rule that catches this cause before a push (see `hfdeploy explain CODE`)
    title: str  # what happened, one line; `{0}` is the pattern's first group when it has one
    fix: str  # what to change
    platform: bool = False  # not the repository's fault: retry, or change hardware or quota
    traceback: bool = False  # a Python exception line: the traceback frame above it locates it


def _re(text: str) -> re.Pattern[str]:
    return re.compile(text, re.IGNORECASE)


CATALOGUE: tuple[KnownFailure, ...] = (
    KnownFailure(
        "param-order",
        _re(
            r"SyntaxError: (?:non-default argument follows default argument|"
            r"parameter without a default follows parameter with a default)"
        ),
        "PY001",
        "A function puts a parameter without a default after one with a default: the module "
        "does not import",
        "Run `hfdeploy fix --write` (it makes such parameters keyword-only and updates callers), "
        "or move the parameter before the defaulted ones.",
        traceback=True,
    ),
    KnownFailure(
        "syntax-error",
        _re(r"^\s*SyntaxError: (.+)$"),
        "PY002",
        "A Python file does not parse on the image's Python: {0}",
        "Fix the syntax, or use a base image whose Python accepts it (`hfdeploy check` names "
        "the file and line).",
        traceback=True,
    ),
    KnownFailure(
        "no-distribution",
        _re(r"No matching distribution found for ([^\s]+)"),
        "RQ003",
        "pip found no release matching `{0}`: the image does not build",
        "Pin a version that exists and supports the image's Python (`hfdeploy check` lists "
        "the nearest releases; RQ002 when the name itself is wrong).",
    ),
    KnownFailure(
        "pg-config",
        _re(r"pg_config executable not found|Error: pg_config"),
        "RQ005",
        "`psycopg2` is being built from source and the slim image has no PostgreSQL headers",
        "Use `psycopg2-binary` or `psycopg[binary]` (`hfdeploy fix --write` swaps it).",
    ),
    KnownFailure(
        "mysql-config",
        _re(
            r"mysql_config: not found|Can not find valid pkg-config name|"
            r"Specify MYSQLCLIENT_CFLAGS and MYSQLCLIENT_LDFLAGS"
        ),
        "RQ005",
        "`mysqlclient` is being built from source and the slim image has no MySQL headers",
        "Install `default-libmysqlclient-dev build-essential pkg-config` before `pip install`, "
        "or use PyMySQL with `mysql+pymysql://` URLs.",
    ),
    KnownFailure(
        "wheel-build-failed",
        _re(r"Failed building wheel for ([\w.-]+)|Failed to build ([\w.-]+)"),
        "RQ005",
        "A dependency has no wheel for the image and its source build failed",
        "Pin a release with a wheel for the image's Python (linux x86_64), or install the build "
        "tools it needs in the Dockerfile before `pip install`.",
    ),
    KnownFailure(
        "postgres-scheme",
        _re(r"Can't load plugin: sqlalchemy\.dialects:postgres\b"),
        "DB001",
        "A database URL starts with `postgres://`, which SQLAlchemy 1.4+ no longer accepts",
        "Write `postgresql://` (`hfdeploy fix --write` rewrites it in code, `.env` and "
        "`alembic.ini`; change the Space secret's value yourself).",
        traceback=True,
    ),
    KnownFailure(
        "url-unparsable",
        _re(
            r"Could not parse (?:SQLAlchemy|rfc1738) URL from|Expected string or URL object, got None"
        ),
        "DB003",
        "The database URL is empty, unset or not a URL when the app starts",
        "Set the `DATABASE_URL` secret on the Space (no quotes around the value), or give the "
        "app a SQLite fallback (`hfdeploy fix --write`).",
        traceback=True,
    ),
    KnownFailure(
        "sqlite-cannot-open",
        _re(r"unable to open database file"),
        "RT006",
        "SQLite cannot create its database: the directory is not writable by uid 1000",
        "Keep the database in a directory the app's user owns (`mkdir` + `chown user` before "
        "`USER`), e.g. under `$HOME` or `/tmp`; see DF004.",
        traceback=True,
    ),
    KnownFailure(
        "sqlite-readonly",
        _re(r"attempt to write a readonly database"),
        "RT006",
        "The SQLite file was copied into the image as root and uid 1000 cannot write it",
        "Do not ship the database file (git-ignore it and create it at start), or `COPY "
        "--chown=user` it; see DF015.",
        traceback=True,
    ),
    KnownFailure(
        "no-such-table",
        _re(r"no such table: (\w+)"),
        "RT005",
        "The database has no schema: table `{0}` was never created",
        "Run the migrations at start (`alembic upgrade head` before the server), or create the "
        "tables at startup when the app has no migrations.",
        traceback=True,
    ),
    KnownFailure(
        "cache-permission",
        _re(
            r"Permission denied: '(/\.cache[^']*|/home/[^/']+/\.cache[^']*|/\.config[^']*|"
            r"/[^']*huggingface[^']*|/\.local[^']*)'"
        ),
        "DF031",
        "The app writes a cache under `{0}`, which uid 1000 cannot write",
        "Set `ENV HOME=/home/user` (and `HF_HOME` to a directory that user owns) in the "
        "Dockerfile, before the app starts.",
        traceback=True,
    ),
    KnownFailure(
        "data-permission",
        _re(r"Permission denied: '(/data[^']*)'"),
        "DF031",
        "The app writes to `{0}`, which does not exist or is not writable (no storage is mounted)",
        "Mount a storage bucket at `/data` in the Space settings, or write under `$HOME` or `/tmp`.",
        traceback=True,
    ),
    KnownFailure(
        "apt-after-user",
        _re(
            r"List directory /var/lib/apt/lists/partial is missing|"
            r"Could not open lock file /var/lib/dpkg/lock|are you root\?"
        ),
        "DF033",
        "`apt-get` runs after `USER`: only root can install system packages",
        "Move the `apt-get` lines before `USER user` in the Dockerfile.",
    ),
    KnownFailure(
        "executable-not-found",
        _re(
            r"exec: \"?([\w./-]+)\"?: executable file not found in \$PATH|"
            r"([\w./-]+): (?:command )?not found$"
        ),
        "DF019",
        "The container's command `{0}` is not installed, or not on PATH for the app's user",
        "Install the server in the final stage (e.g. `uvicorn[standard]` in the requirements) "
        "and keep `~/.local/bin` on PATH when pip installs as the user; see DF017.",
    ),
    KnownFailure(
        "exec-format",
        _re(r"exec (/?[\w./-]+): no such file or directory|exec format error"),
        "DF014",
        "The start script cannot be executed: missing, CRLF line endings, or no shebang",
        "Save the script with LF line endings and a `#!/bin/sh` first line, or start the "
        "server directly in `CMD`.",
    ),
    KnownFailure(
        "module-not-found",
        _re(r"ModuleNotFoundError: No module named '([\w.]+)'"),
        "RQ011",
        "The image does not install the module `{0}` the app imports",
        "Add the distribution that provides it to the file the image installs "
        "(`hfdeploy fix --write --verify` does it), or fix the import path.",
        traceback=True,
    ),
    KnownFailure(
        "asgi-import",
        _re(r"Error loading ASGI app\. (.+)$"),
        "SC010",
        "The server cannot load the app: {0}",
        "Point the server at the module and variable that hold the FastAPI app "
        "(`hfdeploy check` says which it found), relative to WORKDIR.",
    ),
    KnownFailure(
        "address-in-use",
        _re(r"\[Errno 98\] (?:error while attempting to bind|Address already in use)"),
        "DF006",
        "Two servers try to listen on the same port",
        "Start one server process on `app_port`; remove the second start (e.g. `uvicorn.run` at "
        "import time plus a CMD).",
    ),
    KnownFailure(
        "memory-limit",
        _re(r"Memory limit exceeded \(([\w.]+)\)"),
        "RT030",
        "The app used more memory than the hardware allows ({0})",
        "Load less at start (smaller models, lazy loading, fewer workers), or choose hardware "
        "with more memory in the Space settings.",
    ),
    KnownFailure(
        "exit-137",
        _re(r"(?:Job failed with )?exit code:? 137"),
        "RT030",
        "The container was killed (exit 137), almost always for running out of memory",
        "Lower memory use at start or during the build step that failed, or use larger hardware.",
    ),
    KnownFailure(
        "launch-timeout",
        _re(r"Launch timed out, workload was not healthy after (\d+ ?\w+)"),
        "DF006",
        "Nothing answered on `app_port` within {0}: wrong port or host, or a start too slow",
        "Listen on `0.0.0.0` and the README's `app_port` (7860 by default); download models "
        "during the build, not at start; raise `startup_duration_timeout` if the start is "
        "really that long.",
    ),
    KnownFailure(
        "storage-evicted",
        _re(r"Workload evicted, storage limit exceeded \(([\w.]+)\)"),
        "RT031",
        "The container wrote more than the {0} of disk a Space has",
        "Write less (caches, logs, uploads), clean up temporary files, or store data in a "
        "bucket or dataset instead of the container's disk.",
    ),
    KnownFailure(
        "push-too-large",
        _re(
            r"rejected because it contains files larger than 10 ?MiB|"
            r"contains binary files?.*(?:Xet|LFS)"
        ),
        "SC016",
        "The push was rejected: a file over 10 MiB, or a binary file, without Xet/LFS",
        "Track large and binary files with Xet/LFS (`.gitattributes`), or leave them out of the "
        "repository and create or download them at start.",
    ),
    KnownFailure(
        "repo-storage",
        _re(r"Repository storage limit reached"),
        "RT031",
        "The Space repository is over its storage quota",
        "Delete large files from the repository history (or squash it), or move data to a "
        "dataset repository.",
        platform=True,
    ),
    KnownFailure(
        "missing-config",
        _re(r"Missing configuration in README"),
        "SC001",
        "The Hub found no usable configuration block at the top of README.md",
        "Start README.md with a `---` YAML block that has `sdk: docker` "
        "(`hfdeploy fix --write` writes one).",
    ),
    KnownFailure(
        "missing-app-file",
        _re(r"This Space is missing an app file"),
        "SC003",
        "The Space is not a Docker Space (or has no Dockerfile): nothing to run",
        "Set `sdk: docker` in the README front matter and commit a root `Dockerfile`.",
    ),
    KnownFailure(
        "scheduling",
        _re(
            r"Scheduling failure|unable to schedule|not enough hardware capacity|"
            r"no (?:hardware|capacity) available"
        ),
        "RT032",
        "The platform could not place the Space on hardware right now",
        "Nothing to change in the repository: restart the Space later, or choose other hardware.",
        platform=True,
    ),
)

BY_KEY = {entry.key: entry for entry in CATALOGUE}
# Causes only a Space's own log shows (no local check or verify run can see them).
LOG_ONLY_CODES = frozenset({"RT030", "RT031", "RT032"})


def match_line(line: str) -> tuple[KnownFailure, str] | None:
    """The first catalogue entry whose pattern matches `line`, with the detail it captured."""
    for entry in CATALOGUE:
        found = entry.pattern.search(line)
        if found:
            detail = next((g for g in found.groups() if g), "")
            return entry, detail
    return None
