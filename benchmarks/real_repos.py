"""Real-repository benchmark: hfdeploy on public FastAPI repositories nobody here wrote.

For every entry of `benchmarks/real_repos.toml` (a repository, a pinned commit, the backend
folder if any), this harness

1. exports the commit from its local mirror (`git archive`; the repositories are never part of
   this project) into a scratch directory, takes the backend folder as the project root when the
   manifest names one, and makes it a fresh git repository with one commit;
2. runs `hfdeploy check --format json` (errors and warnings by code), `hfdeploy fix --write`,
   and `check` again; then `fix --write` once more, which must change nothing (idempotence),
   and notes every Python file that parsed before the fix and no longer does;
3. runs `hfdeploy verify --format json` on the fixed copy (unless `--no-verify`): did the image
   build, did the container start, did it serve, and if not, the RT code and the decisive log line;
4. when `hfdeploy fix --help` offers `--verify`, runs `fix --write --verify` on a second fresh copy
   and records its rounds and outcome.

It always runs the hfdeploy of the checkout it lives in (`sys.executable -m hfdeploy` with this
checkout first on PYTHONPATH). There is no per-repository recipe: every entry goes through the
same steps. Base images that cannot exist offline (nothing can be pulled here) are asked of
`benchmarks/standins.sh` once; a tag it cannot build is recorded as "base image unavailable
offline" for that repository, listed apart from tool failures.

    python benchmarks/real_repos.py --no-verify            # static steps only (about a minute)
    python benchmarks/real_repos.py --only v-arc-backend    # one repository, with verify
    python benchmarks/real_repos.py --json out.json --markdown
    python benchmarks/real_repos.py --manifest benchmarks/real_repos_static.toml --no-verify
                                                            # the static sweep (more repositories)

Mirrors: `--mirrors DIR` (default /work/.mirror) holds one bare git directory per repository,
found by owner+name (`DIR/owner+name/repo` or `DIR/owner+name/repo/.git`); files a mirror
lacks (a `fetch` snapshot has none of 4 MiB or more) are left out and listed. Docker comes from
DOCKER_HOST. Precision on repositories that already run as Spaces is judged by
`benchmarks/real_repos_expect.toml` (each ERROR `check` reports before any fix, keyed by code and
path, judged true or false); errors it does not judge are listed as unjudged.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import tomllib

HERE = Path(__file__).resolve().parent
CHECKOUT = HERE.parent
MANIFEST = HERE / "real_repos.toml"
EXPECT = HERE / "real_repos_expect.toml"
STANDINS = HERE / "standins.sh"

# Per-step time bounds (seconds): one repository never hangs the run.
CHECK_TIMEOUT = 300
FIX_TIMEOUT = 300
VERIFY_TIMEOUT = 1200
FIX_VERIFY_TIMEOUT = 2400

BASE_UNAVAILABLE = "base image unavailable offline"
NETWORK_UNAVAILABLE = "network beyond the package registries unavailable offline"
# The only hosts a build reaches on these machines (package registries); a Dockerfile that
# downloads from any other host cannot be judged here.
REACHABLE_HOSTS = (
    "pypi.org",
    "files.pythonhosted.org",
    "deb.debian.org",
    "security.debian.org",
    "localhost",
    "127.0.0.1",
    "0.0.0.0",
)

# A line of a build or container log that names the failure, most telling first.
DECISIVE = [
    re.compile(p)
    for p in (
        (
            r"(ModuleNotFoundError|ImportError|NameError|AttributeError|SyntaxError|TypeError|"
            r"ValueError|KeyError|RuntimeError|OSError|PermissionError|FileNotFoundError)\b.*"
        ),
        r"\w+(\.\w+)*(Error|Exception): .*",
        r"(?i)error: .*",
        (
            r"(?i).*(not found|no such file|permission denied|executable file not found|"
            r"could not|cannot|unable to|no matching distribution|exit code|returned a non-zero).*"
        ),
    )
]


@dataclass
class Entry:
    name: str
    repo: str
    commit: str
    backend: str = ""
    space: bool = False
    product_decision: str = ""
    notes: str = ""


@dataclass
class StepResult:
    exit: int | None = None
    seconds: float = 0.0
    timed_out: bool = False
    crash: str = ""  # hfdeploy's own failure: exit 3 or a traceback


@dataclass
class CheckResult(StepResult):
    errors: dict[str, int] = field(default_factory=dict)
    warnings: dict[str, int] = field(default_factory=dict)
    error_findings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def n_errors(self) -> int:
        return sum(self.errors.values())


@dataclass
class VerifyResult(StepResult):
    built: bool = False
    started: bool = False
    served: bool = False
    cause: str = ""  # RT code, or BASE_UNAVAILABLE, or "timeout"
    line: str = ""  # the decisive log line
    log_tail: list[str] = field(default_factory=list)  # the failing finding's last lines
    missing_images: list[str] = field(default_factory=list)
    offline_hosts: list[str] = field(default_factory=list)  # hosts the build downloads from
    placeholders: list[str] = field(default_factory=list)  # variables verify gave a placeholder
    rounds: int | None = None  # fix --verify only
    outcome: str = ""  # fix --verify only
    rounds_text: list[str] = field(
        default_factory=list
    )  # fix --verify only: its report of each round


@dataclass
class RepoResult:
    entry: Entry
    layout: dict[str, Any] = field(default_factory=dict)
    before: CheckResult | None = None
    fix: StepResult | None = None
    files_changed: list[str] = field(default_factory=list)
    after: CheckResult | None = None
    verify: VerifyResult | None = None
    fix_verify: VerifyResult | None = None
    error: str = ""  # the harness could not prepare this repository
    # files a second `fix --write` changed again (a fix that is not idempotent)
    refixed: list[str] = field(default_factory=list)
    # Python files that parsed before `fix --write` and no longer do
    broken_python: list[str] = field(default_factory=list)
    # files of the commit the mirror's snapshot lacks (files of 4 MiB and more), left out
    missing: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RepoResult:
        def make(kind: type, value: Any) -> Any:
            if value is None:
                return None
            known = {f for f in kind.__dataclass_fields__}
            return kind(**{k: v for k, v in value.items() if k in known})

        return cls(
            entry=make(Entry, data["entry"]),
            layout=data.get("layout") or {},
            before=make(CheckResult, data.get("before")),
            fix=make(StepResult, data.get("fix")),
            files_changed=data.get("files_changed") or [],
            after=make(CheckResult, data.get("after")),
            verify=make(VerifyResult, data.get("verify")),
            fix_verify=make(VerifyResult, data.get("fix_verify")),
            error=data.get("error", ""),
            refixed=data.get("refixed") or [],
            broken_python=data.get("broken_python") or [],
            missing=data.get("missing") or [],
        )


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------


def load_manifest(path: Path) -> list[Entry]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    entries = []
    for raw in data.get("repo", []):
        entries.append(
            Entry(
                name=raw["name"],
                repo=raw["repo"],
                commit=raw["commit"],
                backend=raw.get("backend", "").strip("/"),
                space=bool(raw.get("space", False)),
                product_decision=raw.get("product_decision", ""),
                notes=raw.get("notes", ""),
            )
        )
    return entries


def load_expectations(path: Path) -> dict[tuple[str, str, str], dict[str, str]]:
    """(name, code, path) -> {"verdict": "true"|"false", "reason": ...}"""
    if not path.exists():
        return {}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out = {}
    for raw in data.get("finding", []):
        key = (raw["name"], raw["code"], raw.get("path") or "")
        out[key] = {"verdict": str(raw["verdict"]).lower(), "reason": raw.get("reason", "")}
    return out


def lookup_expectation(expect: dict, name: str, code: str, path: str) -> dict[str, str] | None:
    """The judgement of one finding: an exact path, else a glob path (`diagram/**`, `*.png`)."""
    if (name, code, path) in expect:
        return expect[(name, code, path)]
    for (e_name, e_code, e_path), verdict in expect.items():
        if (
            e_name == name
            and e_code == code
            and any(ch in e_path for ch in "*?[")
            and fnmatch.fnmatch(path, e_path)
        ):
            return verdict
    return None


def find_mirror(mirrors: Path, repo: str) -> Path:
    base = mirrors / repo.replace("/", "+")
    for candidate in (base / "repo" / ".git", base / "repo", base):
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return candidate
    raise FileNotFoundError(f"no mirror of {repo} under {mirrors} (fetch it first)")


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "repo"


# ---------------------------------------------------------------------------------------------
# Running things
# ---------------------------------------------------------------------------------------------


def hfdeploy_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(CHECKOUT) + (
        os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else ""
    )
    env.setdefault("NO_COLOR", "1")
    env["COLUMNS"] = "200"
    env["TERM"] = "dumb"
    return env


def run(
    cmd: list[str], cwd: Path, timeout: float, env: dict[str, str] | None = None
) -> tuple[int | None, str, str, float, bool]:
    """Run with a hard time bound; kill the whole process group on timeout."""
    start = time.monotonic()
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
        return proc.returncode, out, err, time.monotonic() - start, False
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, 9)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
        return None, out, err, time.monotonic() - start, True


def hfdeploy(
    args: list[str], cwd: Path, timeout: float
) -> tuple[int | None, str, str, float, bool]:
    return run([sys.executable, "-m", "hfdeploy", *args], cwd, timeout, hfdeploy_env())


def crash_of(code: int | None, out: str, err: str) -> str:
    if code == 3 or "Traceback (most recent call last)" in err or "HF000" in out + err:
        lines = (out + "\n" + err).splitlines()
        hf000 = [
            re.sub(r'^"message":\s*"', "", ln.strip()).rstrip('",')
            for ln in lines
            if "crashed:" in ln
        ]
        hf000 += [ln.strip() for ln in lines if "HF000" in ln and '"code"' not in ln]
        tail = (
            hf000[:1]
            or [line for line in err.strip().splitlines() if line.strip()][-1:]
            or [f"exit {code}"]
        )
        return tail[0][:300]
    return ""


def git(
    args: list[str],
    cwd: Path | None = None,
    git_dir: Path | None = None,
    extra_env: dict[str, str] | None = None,
    **kw: Any,
) -> subprocess.CompletedProcess:
    base = ["git"]
    if git_dir is not None:
        base += [f"--git-dir={git_dir}"]
    return subprocess.run(
        base + args,
        cwd=cwd,
        check=True,
        capture_output=True,
        env={
            **os.environ,
            "GIT_AUTHOR_NAME": "bench",
            "GIT_AUTHOR_EMAIL": "bench@localhost",
            "GIT_COMMITTER_NAME": "bench",
            "GIT_COMMITTER_EMAIL": "bench@localhost",
            **(extra_env or {}),
        },
        **kw,
    )


_PREDICTED = re.compile(r"a static rule could predict it: (?P<code>[A-Z]{2}\d{3})")


def _warned_by(r: RepoResult) -> list[str]:
    """The warnings `check` gave after `fix --write` whose rule `fix --write --verify` named as
    the one that predicts a failure it repaired: the failure was said, as a warning (its
    condition, such as a new database, depends on the Space's configuration)."""
    if r.fix_verify is None or r.after is None:
        return []
    predicted = {m["code"] for line in r.fix_verify.rounds_text for m in _PREDICTED.finditer(line)}
    return sorted(code for code in predicted if code in r.after.warnings)


def export(entry: Entry, mirrors: Path, dest: Path) -> list[str]:
    """The project root of `entry` at its commit, as a fresh one-commit git repository. Returns
    the files the mirror lacks (a `fetch` snapshot has no file of 4 MiB or more), left out."""
    git_dir = find_mirror(mirrors, entry.repo)
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    treeish = f"{entry.commit}:{entry.backend}" if entry.backend else entry.commit
    archive = subprocess.run(
        ["git", f"--git-dir={git_dir}", "archive", "--format=tar", treeish],
        capture_output=True,
    )
    missing: list[str] = []
    if archive.returncode == 0:
        subprocess.run(
            ["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True, capture_output=True
        )
    else:
        missing = _export_blobs(git_dir, treeish, dest)
    # The one commit keeps the original's date: the code's era (hfdeploy holds an unpinned
    # project's lock to the date its dependency file was last committed) is the repository's.
    when = subprocess.run(
        ["git", f"--git-dir={git_dir}", "log", "-1", "--format=%cI", entry.commit],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    dated = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when} if when else {}
    git(["init", "-q"], cwd=dest)
    git(["add", "-A", "-f"], cwd=dest)
    git(
        ["commit", "-q", "--no-verify", "-m", f"{entry.repo}@{entry.commit[:12]}"],
        cwd=dest,
        extra_env=dated,
    )
    return missing


def _export_blobs(git_dir: Path, treeish: str, dest: Path) -> list[str]:
    """Write the tree file by file, leaving out blobs the mirror does not have."""
    listing = subprocess.run(
        ["git", f"--git-dir={git_dir}", "ls-tree", "-r", "-z", treeish],
        check=True,
        capture_output=True,
    ).stdout
    missing = []
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, raw_path = entry.partition(b"\t")
        mode, kind, sha = meta.split()
        path = raw_path.decode("utf-8", errors="surrogateescape")
        if kind != b"blob":
            continue
        blob = subprocess.run(
            ["git", f"--git-dir={git_dir}", "cat-file", "blob", sha.decode()], capture_output=True
        )
        if blob.returncode != 0:
            missing.append(path)
            continue
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if mode == b"120000":
            target.symlink_to(blob.stdout.decode("utf-8", errors="surrogateescape"))
        else:
            target.write_bytes(blob.stdout)
            if mode == b"100755":
                target.chmod(0o755)
    return sorted(missing)


def parsing_python(root: Path) -> set[str]:
    """The project's Python files that parse (outside .git)."""
    import ast
    import warnings

    found = set()
    for path in project_files(root):
        if path.suffix != ".py":
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ast.parse(path.read_bytes())
        except (SyntaxError, ValueError, OSError):
            continue
        found.add(path.relative_to(root).as_posix())
    return found


def project_files(root: Path) -> list[Path]:
    """The regular files under `root`, never entering a `.git` directory (git may repack it
    while the walk runs: a vanished object directory must not stop the run)."""
    out = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in files:
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                out.append(path)
    return out


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file's bytes (outside .git), to tell what a step changed."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in project_files(root)}


def changed_files(root: Path) -> list[str]:
    out = git(["status", "--porcelain", "--untracked-files=all"], cwd=root).stdout.decode()
    return sorted(line[3:] for line in out.splitlines() if line.strip())


def layout_of(root: Path) -> dict[str, Any]:
    """What kind of repository this is (for the table), read from its files only."""
    names = {p.name for p in root.iterdir()} if root.exists() else set()
    manager = []
    if "uv.lock" in names:
        manager.append("uv")
    if "poetry.lock" in names or "[tool.poetry" in _read(root / "pyproject.toml"):
        manager.append("poetry")
    if "pdm.lock" in names or "[tool.pdm" in _read(root / "pyproject.toml"):
        manager.append("pdm")
    if any(n.endswith(".in") and n.startswith("requirements") for n in names):
        manager.append("pip-tools")
    if "Pipfile" in names:
        manager.append("pipenv")
    if any(n.startswith("requirements") and n.endswith(".txt") for n in names):
        manager.append("requirements")
    if not manager and "pyproject.toml" in names:
        manager.append("pyproject")
    dockerfile = _read(root / "Dockerfile")
    stages = len(re.findall(r"(?im)^\s*FROM\s", dockerfile))
    return {
        "manager": "+".join(manager) or "none",
        "dockerfile": "none" if not dockerfile else ("multi-stage" if stages > 1 else "single"),
        "alembic": (root / "alembic.ini").exists() or any(root.glob("*/alembic.ini")),
    }


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


# ---------------------------------------------------------------------------------------------
# Steps
# ---------------------------------------------------------------------------------------------


def do_check(root: Path) -> CheckResult:
    code, out, err, secs, timed_out = hfdeploy(
        ["check", "--format", "json", "."], root, CHECK_TIMEOUT
    )
    result = CheckResult(
        exit=code, seconds=round(secs, 1), timed_out=timed_out, crash=crash_of(code, out, err)
    )
    try:
        findings = json.loads(out) if out.strip() else []
    except json.JSONDecodeError:
        result.crash = result.crash or f"check printed no JSON: {(err or out).strip()[-300:]}"
        return result
    errors, warnings = Counter(), Counter()
    for f in findings:
        if f.get("severity") == "error":
            errors[f["code"]] += 1
            result.error_findings.append(
                {
                    "code": f["code"],
                    "path": f.get("path") or "",
                    "line": f.get("line"),
                    "message": f.get("message", ""),
                }
            )
        elif f.get("severity") == "warning":
            warnings[f["code"]] += 1
        if f.get("code") == "HF000":
            result.crash = result.crash or f.get("message", "HF000")[:300]
    result.errors, result.warnings = dict(sorted(errors.items())), dict(sorted(warnings.items()))
    return result


def do_fix(root: Path, extra: list[str], timeout: float) -> tuple[StepResult, str, str]:
    code, out, err, secs, timed_out = hfdeploy(["fix", "--write", *extra, "."], root, timeout)
    return (
        StepResult(
            exit=code, seconds=round(secs, 1), timed_out=timed_out, crash=crash_of(code, out, err)
        ),
        out,
        err,
    )


_fix_verify_supported: bool | None = None


def fix_offers_verify() -> bool:
    global _fix_verify_supported
    if _fix_verify_supported is None:
        _, out, _, _, _ = hfdeploy(["fix", "--help"], CHECKOUT, 60)
        _fix_verify_supported = "--verify" in out
    return _fix_verify_supported


# Base images -----------------------------------------------------------------------------------

_image_lock = threading.Lock()
_verify_lock = threading.Lock()
_image_known: dict[str, bool] = {}


def referenced_images(root: Path) -> list[str]:
    """External images the root Dockerfile needs: FROM lines and COPY --from=<image>."""
    text = _read(root / "Dockerfile")
    if not text:
        return []
    text = re.sub(r"\\\r?\n", " ", text)
    args: dict[str, str] = {}
    stages: set[str] = set()
    images: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        m = re.match(r"(?i)ARG\s+(\w+)(?:=(\S*))?", line)
        if m and m.group(2) is not None:
            args.setdefault(m.group(1), m.group(2).strip("\"'"))
            continue
        m = re.match(r"(?i)FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", line)
        if m:
            image = re.sub(
                r"\$\{?(\w+)(?::-[^}]*)?\}?", lambda a: args.get(a.group(1), a.group(0)), m.group(1)
            )
            if image.lower() not in stages and image.lower() != "scratch":
                images.append(image)
            if m.group(2):
                stages.add(m.group(2).lower())
            continue
        m = re.match(r"(?i)COPY\s+.*--from=(\S+)", line)
        if m:
            ref = m.group(1)
            if ref.lower() not in stages and not ref.isdigit():
                images.append(ref)
    seen = []
    for image in images:
        if ":" not in image.rsplit("/", 1)[-1] and "@" not in image:
            image += ":latest"
        if image not in seen:
            seen.append(image)
    return seen


def offline_hosts(root: Path) -> list[str]:
    """Hosts other than the package registries that the build downloads from (RUN/ADD lines of
    the root Dockerfile, index URLs in requirement files): unreachable on these machines."""
    texts = []
    for line in re.sub(r"\\\r?\n", " ", _read(root / "Dockerfile")).splitlines():
        if re.match(r"(?i)\s*(RUN|ADD)\s", line):
            texts.append(line)
    for req in list(root.glob("requirements*.txt")) + list(root.glob("requirements*.lock")):
        texts += [
            ln
            for ln in _read(req).splitlines()
            if re.match(r"\s*(-i|--index-url|--extra-index-url|-f|--find-links)\b", ln)
            or "://" in ln.split("#")[0]
        ]
    hosts = []
    for text in texts:
        for host in re.findall(r"(?:https?|git\+https?)://(?:[^@/\s]+@)?([A-Za-z0-9.-]+)", text):
            host = host.lower()
            if (
                not any(host == h or host.endswith("." + h) for h in REACHABLE_HOSTS)
                and host not in hosts
            ):
                hosts.append(host)
    return hosts


_DNS_FAILURE = re.compile(
    r"Name or service not known|Temporary failure in name resolution|nodename nor servname"
)
_HTTP_CLIENT = re.compile(r"\b(httpx|requests|aiohttp|urllib3|urllib)\b")


def _outside_host_unreachable(log_tail: list[str]) -> bool:
    """A start or route that failed resolving a host through an HTTP client, where the host is
    not one of verify's placeholders (those are the app's own settings, not the network)."""
    text = "\n".join(log_tail)
    return (
        bool(_DNS_FAILURE.search(text))
        and bool(_HTTP_CLIENT.search(text))
        and "hfdeploy-placeholder" not in text
        and ".invalid" not in text
    )


def image_present(image: str) -> bool:
    code, *_ = run(["docker", "image", "inspect", image], CHECKOUT, 60)
    return code == 0


def _engine_down() -> bool:
    try:
        code = run(["docker", "version", "--format", "{{.Server.Version}}"], CHECKOUT, 60)[0]
    except OSError:  # no docker client at all
        return True
    return code != 0


def ensure_images(images: list[str]) -> list[str]:
    """Missing images after one attempt each with benchmarks/standins.sh."""
    missing = []
    with _image_lock:
        for image in images:
            if image not in _image_known:
                ok = image_present(image)
                if not ok and STANDINS.exists():
                    run(["bash", str(STANDINS), image], CHECKOUT, 900)
                    ok = image_present(image)
                _image_known[image] = ok
            if not _image_known[image]:
                missing.append(image)
    return missing


def substitutable(image: str) -> bool:
    """An image the checkout's verify builds a stand-in for when it cannot pull it (RT034)."""
    sys.path.insert(0, str(CHECKOUT))
    try:
        from hfdeploy.verify.substitutes import uv_image
    except ImportError:  # an older checkout: no stand-ins
        return False
    finally:
        sys.path.remove(str(CHECKOUT))
    return uv_image(image) is not None


# A server's access-log line (`"GET /status HTTP/1.1" 404 Not Found`) is never the cause.
ACCESS_LOG = re.compile(r'"[A-Z]+ \S+ HTTP/[\d.]+" \d{3}')


def decisive_line(finding: dict[str, Any]) -> str:
    lines = [finding.get("message", ""), *list(finding.get("notes") or [])]
    text = [
        ln.strip()
        for chunk in lines
        for ln in str(chunk).splitlines()
        if ln.strip() and not ACCESS_LOG.search(ln)
    ]
    for pattern in DECISIVE:
        for ln in reversed(text):
            if pattern.search(ln):
                return ln[:240]
    return (text[0] if text else "")[:240]


def judge_verify(data: dict[str, Any], result: VerifyResult) -> None:
    codes = {f["code"] for f in data.get("findings", []) if f.get("severity") == "error"}
    result.built = (
        "RT002" not in codes
        and "RT001" not in codes
        and data.get("build", {}).get("seconds") is not None
    )
    result.started = result.built and data.get("start_seconds") is not None
    result.served = bool(data.get("passed"))
    result.placeholders = [
        e["name"] for e in data.get("env", []) if "placeholder" in str(e.get("source", ""))
    ]
    if not result.served:
        errors = [f for f in data.get("findings", []) if f.get("severity") == "error"]
        if errors:
            result.cause = errors[0]["code"]
            result.line = decisive_line(errors[0])
            notes = [ln for n in errors[0].get("notes") or [] for ln in str(n).splitlines()]
            result.log_tail = [errors[0].get("message", "")[:400], *notes[-25:]]


def do_verify(root: Path, timeout: float) -> VerifyResult:
    result = VerifyResult()
    # verify builds its own stand-ins of some images (RT034): those are left to it.
    missing = ensure_images([i for i in referenced_images(root) if not substitutable(i)])
    if missing:
        result.cause, result.missing_images = BASE_UNAVAILABLE, missing
        result.line = ", ".join(missing)
        return result
    for attempt in range(3):
        # One verify at a time even with --jobs N: verify runs on the host network, and two
        # containers started at once can take the same free port, so that one's probes reach the
        # other's server (a crashed app then seemed to serve). --jobs overlaps the static steps.
        with _verify_lock:
            code, out, err, secs, timed_out = hfdeploy(
                ["verify", "--format", "json", "."], root, timeout
            )
        result.exit, result.seconds, result.timed_out = code, round(secs, 1), timed_out
        result.crash = crash_of(code, out, err)
        if timed_out:
            result.cause, result.line = "timeout", f"verify did not finish within {timeout:.0f} s"
            return result
        try:
            data = json.loads(out[out.index("{") :]) if "{" in out else {}
        except json.JSONDecodeError:
            data = {}
        if not data:
            result.cause = "no-report"
            result.line = (
                (err or out).strip().splitlines()[-1][:240] if (err or out).strip() else ""
            )
            return result
        if any(f["code"] == "RT009" for f in data.get("findings", [])) and attempt < 2:
            time.sleep(20)  # another verify holds app_port on this shared machine
            continue
        judge_verify(data, result)
        result.offline_hosts = offline_hosts(root)
        source_missing = re.search(
            r"(?i)step \[\d+/\d+\] (COPY|ADD) .*not found",
            result.line + " " + " ".join(result.log_tail[:1]),
        )
        if result.cause == "RT002" and result.offline_hosts and not source_missing:
            result.cause = NETWORK_UNAVAILABLE
            result.line = f"{', '.join(result.offline_hosts)}: {result.line}"
        elif result.cause in ("RT003", "RT005") and _outside_host_unreachable(result.log_tail):
            # The app itself calls a website (a scraper, an outside API) that these machines
            # cannot resolve; a Space can.
            result.cause = NETWORK_UNAVAILABLE
            result.line = f"the app calls an outside host: {result.line}"
        elif result.cause == "RT002" and "registry-1.docker.io" in " ".join(
            [result.line, *result.log_tail]
        ):
            # `# syntax=docker/dockerfile:1` makes BuildKit pull its frontend image: no registry here.
            result.cause = BASE_UNAVAILABLE
            result.line = f"BuildKit frontend image (docker/dockerfile) not pullable: {result.line}"
        return result
    return result


def do_fix_verify(root: Path) -> VerifyResult:
    result = VerifyResult()
    with _verify_lock:  # it builds and runs containers too
        step, out, err = do_fix(root, ["--verify"], FIX_VERIFY_TIMEOUT)
    result.exit, result.seconds, result.timed_out, result.crash = (
        step.exit,
        step.seconds,
        step.timed_out,
        step.crash,
    )
    text = out + "\n" + err
    rounds = re.findall(r"(?im)^\W*round\s+(\d+)", text)
    result.rounds = max(map(int, rounds)) if rounds else None
    first = next(
        (i for i, ln in enumerate(out.splitlines()) if re.match(r"(?i)\W*round\s+\d+", ln)), None
    )
    result.rounds_text = (
        out.splitlines()[first : first + 40] if first is not None else out.splitlines()[-20:]
    )
    if step.timed_out:
        result.cause, result.outcome = "timeout", "timeout"
        return result
    # What it produced: verify the result once more, the same way as after `fix --write`.
    after = do_verify(root, VERIFY_TIMEOUT)
    result.built, result.started, result.served = after.built, after.started, after.served
    result.cause, result.line, result.missing_images = after.cause, after.line, after.missing_images
    result.log_tail = after.log_tail
    result.outcome = "serves" if after.served else (after.cause or "fails")
    return result


def bench_one(
    entry: Entry, mirrors: Path, work: Path, verify: bool, fix_verify: bool
) -> RepoResult:
    res = RepoResult(entry=entry)
    root = work / slug(entry.name)
    try:
        res.missing = export(entry, mirrors, root)
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        res.error = f"export failed: {exc} {detail.decode(errors='replace')[-200:] if isinstance(detail, bytes) else detail}"
        return res
    res.layout = layout_of(root)
    res.before = do_check(root)
    parsed = parsing_python(root)
    res.fix, _, _ = do_fix(root, [], FIX_TIMEOUT)
    res.files_changed = changed_files(root)
    res.broken_python = sorted(parsed - parsing_python(root))
    res.after = do_check(root)
    # `fix --write` is idempotent: a second run over its own output changes nothing.
    once = snapshot(root)
    do_fix(root, [], FIX_TIMEOUT)
    twice = snapshot(root)
    res.refixed = sorted(k for k in once.keys() | twice.keys() if once.get(k) != twice.get(k))
    if verify:
        res.verify = do_verify(root, VERIFY_TIMEOUT)
        if fix_verify and fix_offers_verify():
            fv_root = work / (slug(entry.name) + "-fv")
            export(entry, mirrors, fv_root)
            res.fix_verify = do_fix_verify(fv_root)
    return res


# ---------------------------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------------------------


def verdict_of(res: RepoResult) -> str:
    v = res.verify
    if v is None:
        return "-"
    if v.served:
        return "serves"
    if v.cause == BASE_UNAVAILABLE:
        return "base n/a"
    if v.cause == NETWORK_UNAVAILABLE:
        return "network n/a"
    if v.started:
        return "starts, fails probe"
    if v.built:
        return "builds, no serve"
    return "no build" if v.cause else "fails"


def fmt_codes(counts: dict[str, int]) -> str:
    if not counts:
        return "0"
    total = sum(counts.values())
    return f"{total} ({', '.join(f'{c}×{n}' if n > 1 else c for c, n in counts.items())})"  # noqa: RUF001


def markdown_table(results: list[RepoResult]) -> str:
    rows = [
        "| Repository | Space | Layout | Errors before | Errors after `fix --write` | `verify` after fix | Cause | `fix --verify` |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        e = r.entry
        name = e.name + (f" ({e.repo}" + (f", `{e.backend}/`" if e.backend else "") + ")")
        if e.product_decision:
            name += " †"
        if r.error:
            rows.append(f"| {name} | | | harness: {r.error[:80]} | | | | |")
            continue
        lay = r.layout
        layout = f"{lay.get('manager')}, {lay.get('dockerfile')} Dockerfile" + (
            ", alembic" if lay.get("alembic") else ""
        )
        before = fmt_codes(r.before.errors) if r.before else "-"
        after = fmt_codes(r.after.errors) if r.after else "-"
        if (r.before and r.before.crash) or (r.after and r.after.crash) or (r.fix and r.fix.crash):
            after += " **crash**"
        cause = ""
        if r.verify and not r.verify.served:
            cause = (
                f"{r.verify.cause}: `{_md(r.verify.line)[:110]}`"
                if r.verify.line
                else r.verify.cause
            )
        fv = "-"
        if r.fix_verify is not None:
            fv = r.fix_verify.outcome + (
                f" ({r.fix_verify.rounds} rounds)" if r.fix_verify.rounds is not None else ""
            )
        rows.append(
            f"| {name} | {'yes' if e.space else 'no'} | {layout} | {before} | {after} | {verdict_of(r)} | {cause} | {fv} |"
        )
    return "\n".join(rows)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("`", "'")


def summary(results: list[RepoResult], expect: dict, verified: bool) -> list[str]:
    lines = []
    ok = [r for r in results if not r.error]
    no_decision = [r for r in ok if not r.entry.product_decision]
    crashes = [
        (r.entry.name, step, s.crash)
        for r in ok
        for step, s in (("check", r.before), ("fix", r.fix), ("check after fix", r.after))
        if s and s.crash
    ]
    crashes += [(r.entry.name, "verify", r.verify.crash) for r in ok if r.verify and r.verify.crash]
    clean_after = [r for r in no_decision if r.after and r.after.n_errors == 0]
    lines.append(
        f"repos: {len(results)} ({len(no_decision)} need no product decision); "
        f"clean `check` after `fix --write`: {len(clean_after)}/{len(no_decision)}"
    )
    if verified:
        judged = [r for r in no_decision if r.verify is not None]
        base_na = [r for r in judged if r.verify.cause == BASE_UNAVAILABLE]
        net_na = [r for r in judged if r.verify.cause == NETWORK_UNAVAILABLE]
        counted = [
            r for r in judged if r.verify.cause not in (BASE_UNAVAILABLE, NETWORK_UNAVAILABLE)
        ]
        served = [r for r in counted if r.verify.served]
        pct = f"{100 * len(served) / len(counted):.0f} %" if counted else "n/a"
        lines.append(
            f"serve rate after `fix --write`: {len(served)}/{len(counted)} ({pct}) of repos needing no product decision with a buildable base image"
        )
        fv = [r for r in counted if r.fix_verify is not None]
        if fv:
            fv_served = [r for r in fv if r.fix_verify.served]
            lines.append(
                f"serve rate after `fix --write --verify`: {len(fv_served)}/{len(fv)} ({100 * len(fv_served) / len(fv):.0f} %)"
            )
        else:
            lines.append(
                "serve rate after `fix --write --verify`: not measured (`fix --help` offers no --verify, or --no-fix-verify)"
            )
        if base_na:
            lines.append(
                "base image unavailable offline (not counted): "
                + ", ".join(
                    f"{r.entry.name} [{', '.join(r.verify.missing_images)}]" for r in base_na
                )
            )
        if net_na:
            lines.append(
                "build needs hosts other than the package registries (not counted): "
                + ", ".join(f"{r.entry.name} [{', '.join(r.verify.offline_hosts)}]" for r in net_na)
            )
        silent = [r for r in counted if r.after and r.after.n_errors == 0 and not r.verify.served]
        warned = [r for r in silent if _warned_by(r)]
        lines.append(
            f"silent misses (check clean after fix, verify fails): {len(silent)}"
            + (
                f", {len(warned)} of them warned about by the rule that predicts the failure"
                if warned
                else ""
            )
        )
        for r in silent:
            held = (
                f" [started with placeholders: {', '.join(r.verify.placeholders)}]"
                if r.verify.placeholders
                else ""
            )
            rules = _warned_by(r)
            said = f" [warned: {', '.join(rules)}]" if rules else ""
            lines.append(f"  - {r.entry.name}: {r.verify.cause}: {r.verify.line}{held}{said}")
    false_errors, true_errors, unjudged = [], [], []
    for r in ok:
        if not r.entry.space or not r.before:
            continue
        for f in r.before.error_findings:
            verdict = lookup_expectation(expect, r.entry.name, f["code"], f["path"])
            if verdict is None:
                unjudged.append((r.entry.name, f))
            elif verdict["verdict"] == "false":
                false_errors.append((r.entry.name, f, verdict["reason"]))
            else:
                true_errors.append((r.entry.name, f, verdict["reason"]))
    spaces = [r for r in ok if r.entry.space]
    with_false = {n for n, *_ in false_errors}
    lines.append(
        f"false errors on repos already running as Spaces: {len(false_errors)} "
        f"(on {len(with_false)}/{len(spaces)} Space repos); true errors: {len(true_errors)}; unjudged: {len(unjudged)}"
    )
    for name, f, reason in false_errors:
        lines.append(f"  - false: {name}: {f['code']} {f['path']}: {reason}")
    for name, f in unjudged:
        lines.append(f"  - unjudged: {name}: {f['code']} {f['path']}: {f['message'][:140]}")
    refixed = [r for r in ok if r.refixed]
    lines.append(f"fixes that are not idempotent (a second `fix --write` changes): {len(refixed)}")
    for r in refixed:
        lines.append(f"  - {r.entry.name}: {', '.join(r.refixed[:5])}")
    broken = [r for r in ok if r.broken_python]
    lines.append(f"Python files that no longer parse after `fix --write`: {len(broken)} repos")
    for r in broken:
        lines.append(f"  - {r.entry.name}: {', '.join(r.broken_python[:5])}")
    lines.append(f"hfdeploy crashes: {len(crashes)}")
    for name, step, text in crashes:
        lines.append(f"  - {name} ({step}): {text}")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--manifest", type=Path, default=MANIFEST)
    ap.add_argument("--expect", type=Path, default=EXPECT)
    ap.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    ap.add_argument("--only", action="append", default=[], help="only this entry name (repeatable)")
    ap.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="repositories at once (default 1); verify steps still run one at a time",
    )
    ap.add_argument(
        "--no-verify", action="store_true", help="static steps only: check, fix --write, check"
    )
    ap.add_argument(
        "--no-fix-verify", action="store_true", help="skip `fix --write --verify` even when offered"
    )
    ap.add_argument("--json", type=Path, help="write every result to this file")
    ap.add_argument("--markdown", action="store_true", help="print the README table")
    ap.add_argument(
        "--workdir", type=Path, help="scratch directory (default: a temporary one, removed)"
    )
    ap.add_argument(
        "--from-json",
        type=Path,
        help="print the table and summary of an earlier --json file; run nothing",
    )
    args = ap.parse_args(argv)

    if args.from_json:
        saved = json.loads(args.from_json.read_text(encoding="utf-8"))
        ordered = [RepoResult.from_json(r) for r in saved["results"]]
        if args.only:
            ordered = [r for r in ordered if r.entry.name in args.only or r.entry.repo in args.only]
        if args.markdown:
            print(markdown_table(ordered))
            print()
        for line in summary(ordered, load_expectations(args.expect), saved.get("verify", True)):
            print(line)
        print(f"wall time of that run: {saved.get('seconds')} s")
        return 0

    entries = load_manifest(args.manifest)
    if args.only:
        wanted = set(args.only)
        entries = [e for e in entries if e.name in wanted or e.repo in wanted]
        if not entries:
            print(f"no manifest entry named {', '.join(sorted(wanted))}", file=sys.stderr)
            return 2
    expect = load_expectations(args.expect)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="hfdeploy-realrepos-"))
    work.mkdir(parents=True, exist_ok=True)
    verify = not args.no_verify
    if verify and _engine_down():
        # Without an engine every image looks missing: a whole run of "base n/a".
        where = os.environ.get("DOCKER_HOST", "the default socket")
        print(
            f"no Docker engine answers at {where}: start one (tests/docker/setup-engine.sh, "
            "then export DOCKER_HOST) or pass --no-verify",
            file=sys.stderr,
        )
        return 2
    started = time.monotonic()
    results: dict[str, RepoResult] = {}

    def one(entry: Entry) -> RepoResult:
        t0 = time.monotonic()
        res = bench_one(entry, args.mirrors, work, verify, not args.no_fix_verify)
        v = verdict_of(res)
        print(
            f"[{time.monotonic() - started:6.0f}s] {entry.name}: errors {res.before.n_errors if res.before else '-'}"
            f" -> {res.after.n_errors if res.after else '-'}; verify: {v}"
            + (
                f" ({res.verify.cause}: {res.verify.line[:100]})"
                if res.verify and not res.verify.served
                else ""
            )
            + (f"; harness: {res.error}" if res.error else "")
            + f" [{time.monotonic() - t0:.0f}s]",
            file=sys.stderr,
            flush=True,
        )
        return res

    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            for entry, res in zip(entries, pool.map(one, entries), strict=False):
                results[entry.name] = res
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    ordered = [results[e.name] for e in entries if e.name in results]
    elapsed = time.monotonic() - started
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "seconds": round(elapsed),
                    "verify": verify,
                    "results": [r.to_json() for r in ordered],
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
    if args.markdown:
        print(markdown_table(ordered))
        print()
    for line in summary(ordered, expect, verify):
        print(line)
    print(f"wall time: {elapsed:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
