"""Resolve the complete install set for the image's Python and platform, as of a cutoff date.

uv (`uv pip compile`), a declared dependency of hfdeploy (it ships as a wheel holding the
binary), is used; the running Python's own pip, when it is 26.3 or newer (`pip install --dry-run
--report --uploaded-prior-to`), is the fallback. Nothing is installed at run time. On 11 pins uv
took ~0.7 s and pip ~2.6 s for the same result. `HFDEPLOY_RESOLVER=uv|pip` forces one. Both get
the index explicitly and no user config."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from packaging.version import InvalidVersion, Version

from hfdeploy.cache import cache_root
from hfdeploy.redact import redact_url
from hfdeploy.requirements.releases import LEGACY_MANYLINUX, MANYLINUX_GLIBC

RESOLVE_TIMEOUT = 300  # seconds
PIP_WITH_CUTOFF = Version("26.3")  # the first pip with `--uploaded-prior-to`


@dataclass(frozen=True)
class Resolution:
    body: str  # pinned requirements, pip-tools format ("name==1.0" + "# via" lines)
    tool: str  # "uv 0.13.9" or "pip 26.3"
    error: str | None = None


def _run(cmd: list[str], tool: str, name: str) -> subprocess.CompletedProcess[str] | Resolution:
    """Run a resolver (`name`: "uv" or "pip"): its finished process, or the failed Resolution."""
    try:
        proc = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            timeout=RESOLVE_TIMEOUT,
            env=_isolated_env(),
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return Resolution("", tool, f"{name} did not run: {exc}")
    if proc.returncode != 0:
        return Resolution("", tool, _failure(proc))
    return proc


def _isolated_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_"))}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1", UV_NO_CONFIG="1")
    return env


def find_uv() -> str | None:
    """uv from the `uv` package hfdeploy depends on, else one on PATH."""
    try:
        import uv

        return str(uv.find_uv_bin())
    except (ImportError, FileNotFoundError):
        pass
    return shutil.which("uv")


def find_pip() -> str | None:
    """This Python, when its pip can resolve as of a date (26.3 or newer)."""
    found = _version([sys.executable, "-m", "pip", "--version"]).split()
    try:
        new_enough = found[0] == "pip" and Version(found[1]) >= PIP_WITH_CUTOFF
    except (IndexError, InvalidVersion):
        return None
    return sys.executable if new_enough else None


def _version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(
            cmd, capture_output=True, text=True, timeout=30, env=_isolated_env(), check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return "?"
    return " ".join(out.split()[:2])


def resolve(
    requirements: list[str],
    constraints: list[str],
    python: str,
    urls: tuple[str, ...],
    cutoff: datetime | None,
) -> Resolution:
    choice = os.environ.get("HFDEPLOY_RESOLVER", "")
    with tempfile.TemporaryDirectory(prefix="hfdeploy-lock-") as tmp:
        work = Path(tmp)
        (work / "requirements.in").write_text("\n".join(requirements) + "\n")
        (work / "constraints.txt").write_text("\n".join(constraints) + "\n")
        uv = find_uv() if choice in ("", "uv") else None
        if uv:
            return _resolve_uv(uv, work, python, urls, cutoff)
        pip = find_pip() if choice in ("", "pip") else None
        if pip:
            return _resolve_pip(pip, work, python, urls, cutoff)
    return Resolution(
        "",
        "none",
        "neither uv (a dependency of hfdeploy: reinstall it) nor pip >= 26.3 in this Python "
        "was found",
    )


def _stamp(cutoff: datetime) -> str:
    return cutoff.strftime("%Y-%m-%dT%H:%M:%SZ")


def _failure(proc: subprocess.CompletedProcess[str]) -> str:
    lines = [ln.strip() for ln in (proc.stderr or proc.stdout).splitlines() if ln.strip()]
    return redact_url("\n".join(lines[-12:])) or f"exit code {proc.returncode}"


def _resolve_uv(
    uv: str, work: Path, python: str, urls: tuple[str, ...], cutoff: datetime | None
) -> Resolution:
    cmd = [
        uv,
        "pip",
        "compile",
        str(work / "requirements.in"),
        "-c",
        str(work / "constraints.txt"),
        "--python-version",
        python,
        "--python-platform",
        f"x86_64-manylinux_{MANYLINUX_GLIBC[0]}_{MANYLINUX_GLIBC[1]}",
        "--only-binary",
        ":all:",
        "--no-config",
        "--no-header",
        "--quiet",
        "--cache-dir",
        str(cache_root() / "uv"),
        "--output-file",
        str(work / "out.txt"),
    ]
    if urls:
        cmd += ["--index-url", urls[0]] + [a for u in urls[1:] for a in ("--extra-index-url", u)]
        # pip merges all indexes; uv by default stops at the first that has a project.
        cmd += ["--index-strategy", "unsafe-best-match"]
    if cutoff is not None:
        cmd += ["--exclude-newer", _stamp(cutoff)]
    tool = _version([uv, "--version"])
    proc = _run(cmd, tool, "uv")
    if isinstance(proc, Resolution):
        return proc
    body = (work / "out.txt").read_text()
    body = body.replace(f"-r {work / 'requirements.in'}", "-r requirements").replace(
        f"-c {work / 'constraints.txt'}", "-c constraints"
    )
    return Resolution(body, tool)


def _platform_args() -> list[str]:
    major, top = MANYLINUX_GLIBC
    names = [f"manylinux_{major}_{m}_x86_64" for m in range(top, 4, -1)]
    names += [
        f"{legacy}_x86_64" for glibc, legacy in LEGACY_MANYLINUX.items() if glibc <= MANYLINUX_GLIBC
    ]
    return [a for n in names for a in ("--platform", n)]


def _resolve_pip(
    python_exe: str, work: Path, python: str, urls: tuple[str, ...], cutoff: datetime | None
) -> Resolution:
    report = work / "report.json"
    cmd = [
        python_exe,
        "-m",
        "pip",
        "install",
        "--dry-run",
        "--ignore-installed",
        "--quiet",
        "--report",
        str(report),
        "--python-version",
        python,
        *_platform_args(),
        "--only-binary=:all:",
        "--target",
        str(work / "target"),
        "-r",
        str(work / "requirements.in"),
        "-c",
        str(work / "constraints.txt"),
    ]
    if urls:
        cmd += ["--index-url", urls[0]] + [a for u in urls[1:] for a in ("--extra-index-url", u)]
    else:
        cmd += ["--no-index"]
    if cutoff is not None:
        cmd += ["--uploaded-prior-to", _stamp(cutoff)]
    tool = _version([python_exe, "-m", "pip", "--version"])
    proc = _run(cmd, tool, "pip")
    if isinstance(proc, Resolution):
        return proc
    return Resolution(_body_from_report(json.loads(report.read_text())), tool)


def _body_from_report(report: dict[str, object]) -> str:
    """pip-tools-style lines from a pip installation report, with `# via` from Requires-Dist."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    items = report.get("install", [])
    assert isinstance(items, list)
    names = {canonicalize_name(i["metadata"]["name"]): i for i in items}
    via: dict[str, set[str]] = {k: set() for k in names}
    for key, item in names.items():
        if item.get("requested"):
            via[key].add("-r requirements")
        for line in item["metadata"].get("requires_dist", []):
            try:
                dep = canonicalize_name(Requirement(line).name)
            except InvalidRequirement:
                continue
            if dep in via:
                via[dep].add(key)
    out = []
    for key in sorted(names):
        out.append(f"{key}=={names[key]['metadata']['version']}")
        parents = sorted(via[key], key=lambda p: (not p.startswith("-"), p))
        if len(parents) == 1:
            out.append(f"    # via {parents[0]}")
        elif parents:
            out += ["    # via"] + [f"    #   {p}" for p in parents]
    return "\n".join(out) + "\n"
