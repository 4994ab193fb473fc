"""Benchmark the requirements checks and the lock step against pip and uv on real PyPI.

    python benchmarks/bench_requirements.py [--python 3.11]

Checks 40 pinned requirements (RQ002-RQ008) with a cold cache and a warm one, and runs
`pip install --dry-run --ignore-installed --report` on the same file in the same run; then
times the lock step (RQ009's resolution, uv underneath) against `uv pip compile` with the
same arguments. Targets: cold <= 1.5 s, warm <= 0.2 s, lock <= 1.5x uv. Needs the network.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PINS = """\
fastapi==0.104.1
uvicorn==0.24.0
starlette==0.27.0
pydantic==2.5.2
pydantic-core==2.14.5
pydantic-settings==2.1.0
sqlalchemy==2.0.23
sqlmodel==0.0.14
alembic==1.12.1
psycopg2-binary==2.9.9
asyncpg==0.29.0
python-dotenv==1.0.0
python-jose==3.3.0
cryptography==41.0.7
passlib==1.7.4
bcrypt==4.1.1
python-multipart==0.0.6
httpx==0.25.2
requests==2.31.0
jinja2==3.1.2
gunicorn==21.2.0
redis==5.0.1
celery==5.3.6
orjson==3.9.10
email-validator==2.1.0
anyio==3.7.1
click==8.1.7
h11==0.14.0
idna==3.6
certifi==2023.11.17
charset-normalizer==3.3.2
urllib3==2.1.0
typing-extensions==4.8.0
annotated-types==0.6.0
sniffio==1.3.0
greenlet==3.0.1
mako==1.3.0
markupsafe==2.1.3
numpy==1.26.2
pandas==2.1.3
"""
INDEX = "https://pypi.org/simple"


def isolate() -> None:
    """Only PyPI, no local pip configuration, find-links or constraints."""
    os.environ.update(PIP_CONFIG_FILE=os.devnull, PIP_INDEX_URL=INDEX, PIP_CONSTRAINT="")
    for var in ("PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_NO_INDEX"):
        os.environ.pop(var, None)


def timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def run_check(root: Path, python: str):  # type: ignore[no-untyped-def]
    from hfdeploy.project import Project, RunOptions
    from hfdeploy.registry import normalise_codes, selected_checks
    from hfdeploy.runner import run_checks

    checks = selected_checks(normalise_codes(["RQ002,RQ003,RQ004,RQ005,RQ006,RQ007,RQ008"]), ())
    return run_checks(Project(root, options=RunOptions(python=python)), checks)


def pip_dry_run(root: Path, cache: Path) -> float:
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--dry-run",
        "--ignore-installed",
        "--quiet",
        "--report",
        str(root / "report.json"),
        "--cache-dir",
        str(cache),
        "-r",
        str(root / "requirements.txt"),
    ]
    seconds, proc = timed(lambda: subprocess.run(cmd, capture_output=True, text=True, check=False))
    if proc.returncode:
        print("pip failed:", proc.stderr[-500:])
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--python", default="3.11")
    args = parser.parse_args()
    isolate()
    work = Path(tempfile.mkdtemp(prefix="hfdeploy-bench-"))
    try:
        root = work / "project"
        root.mkdir()
        (root / "requirements.txt").write_text(PINS)
        os.environ["HFDEPLOY_CACHE_DIR"] = str(work / "cache")
        import hfdeploy.requirements.checks  # noqa: F401  (import time is not the index's cost)

        cold, diags = timed(lambda: run_check(root, args.python))
        warm, warm_diags = timed(lambda: run_check(root, args.python))
        assert [d.code for d in diags] == [d.code for d in warm_diags], (
            "cold and warm runs disagree"
        )
        pip_cold = pip_dry_run(root, work / "pip-cache")
        pip_warm = pip_dry_run(root, work / "pip-cache")
        print(f"40 pins, findings: {[d.code for d in diags] or 'none'}")
        print(
            f"check cold  {cold:6.2f} s  (target <= 1.5 s)  = {cold / pip_cold:.2f}x pip dry run cold ({pip_cold:.2f} s)"
        )
        print(
            f"check warm  {warm:6.2f} s  (target <= 0.2 s)  = {warm / pip_warm:.2f}x pip dry run warm ({pip_warm:.2f} s)"
        )

        from hfdeploy.project import Project, RunOptions
        from hfdeploy.requirements import lock, resolver

        uv = resolver.find_uv()
        assert uv, "uv is needed for the lock benchmark"
        for label in ("cold", "warm"):
            shutil.rmtree(work / "cache" / "locks", ignore_errors=True)  # our resolution cache
            if label == "cold":
                shutil.rmtree(work / "cache" / "uv", ignore_errors=True)
                shutil.rmtree(work / "uv-direct", ignore_errors=True)
            project = Project(root, options=RunOptions(python=args.python))
            ours, result = timed(lambda p=project: lock.build_lock(p))
            assert result.text, result.error
            assert result.cutoff.when is not None
            cmd = [
                uv,
                "pip",
                "compile",
                str(root / "requirements.txt"),
                "--python-version",
                args.python,
                "--python-platform",
                "x86_64-manylinux_2_36",
                "--only-binary",
                ":all:",
                "--no-config",
                "--quiet",
                "--index-url",
                INDEX,
                "--cache-dir",
                str(work / "uv-direct"),
                "--exclude-newer",
                f"{result.cutoff.when:%Y-%m-%dT%H:%M:%SZ}",
                "-o",
                str(work / "uv.txt"),
            ]
            theirs, proc = timed(
                lambda c=cmd: subprocess.run(c, capture_output=True, text=True, check=False)
            )
            assert proc.returncode == 0, proc.stderr
            print(
                f"lock {label}   {ours:6.2f} s  = {ours / theirs:.2f}x uv pip compile ({theirs:.2f} s)  (target <= 1.5x)"
            )
        print(f"cutoff {result.cutoff.when:%Y-%m-%d} ({result.cutoff.why})")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
