"""Benchmark for `hfdeploy verify`'s own overhead (issue 9).

Copies the bundled example (examples/taskboard), applies `hfdeploy fix --write` to it, then runs
verify against the Docker engine DOCKER_HOST names, and prints, measured in this one run:

* whole wall time of verify
* image build time, and time from container start until the first HTTP answer
* verify's own overhead = wall - build - first answer (engine calls, probes, the storage,
  proxy and CORS checks, clean-up), and its share of the wall time      target < 20 %

It runs verify three times in a row on a copy under a unique name (so a unique image tag):
first (whatever the engine's layer cache holds), unchanged (every layer from the cache: where
verify's own share is largest), and after a code change (the last COPY layer rebuilt, the usual
edit-and-verify loop). The target applies to the share over the three runs together.

    DOCKER_HOST=unix:///tmp/docker.sock python benchmarks/bench_verify.py
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SHARE = 0.20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--example", type=Path, default=ROOT / "examples" / "taskboard")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))

    from hfdeploy.cli.common import load_project
    from hfdeploy.verify.docker_client import DockerFailure, connect
    from hfdeploy.verify.settings import VerifyOptions
    from hfdeploy.verify.verify import verify_project

    client = connect()
    if isinstance(client, DockerFailure):
        print(f"no Docker engine: {client.message}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-verify-") as scratch:
        repo = Path(scratch) / f"taskboard-bench-{uuid.uuid4().hex[:8]}"
        shutil.copytree(args.example, repo)
        fixed = subprocess.run(
            [sys.executable, "-m", "hfdeploy", "fix", "--write", str(repo)],
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            check=False,
        )
        print(f"fix --write: exit {fixed.returncode}")
        worst = 0.0
        walls = overheads = 0.0
        try:
            for label in ("first", "unchanged", "code change"):
                if label == "code change":
                    main_py = repo / "app" / "main.py"
                    main_py.write_text(main_py.read_text() + f"\n# {uuid.uuid4().hex}\n")
                project = load_project(repo)
                started = time.monotonic()
                report = verify_project(project, VerifyOptions(timeout=120), client)
                wall = time.monotonic() - started
                build = report.build_seconds or 0.0
                first = report.start_seconds or 0.0
                overhead = wall - build - first
                share = overhead / wall if wall else 0.0
                worst = max(worst, share)
                walls += wall
                overheads += overhead
                if report.exit_code != 0:
                    print("    (verify did not pass: the figures cover a failing run)")
                print(
                    f"{label:>11}: exit {report.exit_code}  wall {wall:6.2f}s  build {build:6.2f}s  "
                    f"first answer {first:5.2f}s  overhead {overhead:5.2f}s = {share:5.1%}"
                )
                for finding in report.findings:
                    print(f"    {finding.code} {finding.severity}: {finding.message[:110]}")
        finally:
            image = f"hfdeploy-verify/{repo.name.lower()}:latest"
            subprocess.run(["docker", "rmi", "-f", image], capture_output=True, check=False)
        total = overheads / walls if walls else 0.0
        verdict = "OK" if total < TARGET_SHARE else "OVER TARGET"
        print(
            f"verify's own share over the three runs: {total:.1%} (worst single run {worst:.1%})"
            f"  target < {TARGET_SHARE:.0%}  {verdict}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
