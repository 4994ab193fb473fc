"""Regenerate expected.txt (and after/ where it exists) for golden cases; review the git diff!

python -m tests.golden_update [CODE[/case] ...]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.golden import all_cases, run_case


def main(argv: list[str]) -> int:
    for case in all_cases():
        if argv and not any(case.id == a or case.id.startswith(a.rstrip("/") + "/") for a in argv):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            try:
                run_case(case, Path(tmp), update=True)
                print(f"updated {case.id}")
            except AssertionError as exc:
                print(f"{case.id}: {exc}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
