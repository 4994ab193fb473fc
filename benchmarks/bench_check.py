"""Benchmark for `hfdeploy check --offline` on a synthetic FastAPI repo (issue 2).

Generates a repo with thousands of router modules (a few with the parameter-order bug), then
prints, measured side by side in this one run (median of several runs each):

* cold check (empty result cache) / bare ast.parse loop   target <= 1.3
* warm check (unchanged re-run)   / bare ast.parse loop   target <= 0.2
* `hfdeploy --version` wall time                          target <= 0.3 s

The floor is a fresh interpreter that reads every .py file and calls ast.parse on it, so both
sides pay interpreter start-up and file reads the same way. `check` pays a fixed start-up cost
(about 0.3 s: the CLI and its checks), so the ratios are meaningful on thousands of files;
on 3,000 routers the cold ratio is about 1.4.

    python benchmarks/bench_check.py [--modules 8000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROUTER = '''"""Routes for {name}."""
from typing import Dict, List, Optional

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel
from sqlmodel import Session, select

from app.database import get_session
from app.models import Item

router = APIRouter(prefix="/{name}", tags=["{name}"])


class {cls}Create(BaseModel):
    title: str
    description: Optional[str] = None
    tags: List[str] = []
    meta: Dict[str, int] = {{}}


@router.get("/")
def list_{name}(
    session: Session = Depends(get_session),
    q: Optional[str] = Query(None, max_length=50),
    limit: int = 100,
) -> list[Item]:
    statement = select(Item).limit(limit)
    if q:
        statement = statement.where(Item.title.contains(q))
    return list(session.exec(statement))


@router.post("/", status_code=201)
def create_{name}({signature}) -> Item:
    item = Item(title=payload.title, description=payload.description)
    session.add(item)
    session.commit()
    session.refresh(item)
    return item


@router.get("/{{item_id}}")
def read_{name}(item_id: int, session: Session = Depends(get_session)) -> Item:
    item = session.get(Item, item_id)
    if item is None:
        raise HTTPException(status_code=404, detail="{cls} not found")
    return item
'''
GOOD_SIG = "payload: {cls}Create, session: Session = Depends(get_session)"
BAD_SIG = "session: Session = Depends(get_session), payload: {cls}Create"

FLOOR = (
    "import ast, sys\n"
    "for p in open(sys.argv[1]).read().split('\\n'):\n"
    "    if p:\n"
    "        try: ast.parse(open(p, encoding='utf-8').read())\n"
    "        except SyntaxError: pass\n"
)


def generate(root: Path, modules: int, broken_every: int = 500) -> list[Path]:
    (root / "app" / "routers").mkdir(parents=True)
    (root / "requirements.txt").write_text("fastapi==0.115.0\nsqlmodel==0.0.22\nuvicorn==0.30.6\n")
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "routers" / "__init__.py").write_text("")
    (root / "app" / "main.py").write_text(
        "from fastapi import FastAPI\n\napp = FastAPI(title='bench')\n"
    )
    (root / "app" / "database.py").write_text(
        "from sqlmodel import Session, create_engine\n\n"
        "engine = create_engine('sqlite:////tmp/bench.db')\n\n\n"
        "def get_session():\n    with Session(engine) as session:\n        yield session\n"
    )
    (root / "app" / "models.py").write_text(
        "from sqlmodel import Field, SQLModel\n\n\nclass Item(SQLModel, table=True):\n"
        "    id: int | None = Field(default=None, primary_key=True)\n    title: str\n"
        "    description: str | None = None\n"
    )
    for i in range(modules):
        name, cls = f"things{i}", f"Things{i}"
        sig = (BAD_SIG if i % broken_every == 7 else GOOD_SIG).format(cls=cls)
        (root / "app" / "routers" / f"things{i}.py").write_text(
            ROUTER.format(name=name, cls=cls, signature=sig)
        )
    return sorted(root.rglob("*.py"))


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=8000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="hfdeploy-bench-"))
    try:
        repo = work / "repo"
        files = generate(repo, args.modules)
        listing = work / "files.txt"
        listing.write_text("\n".join(map(str, files)))
        floor_script = work / "floor.py"
        floor_script.write_text(FLOOR)
        cache = work / "cache"
        env = {**os.environ, "HFDEPLOY_CACHE_DIR": str(cache)}
        check = [sys.executable, "-m", "hfdeploy", "check", str(repo), "--offline"]

        floors, colds, warms, versions = [], [], [], []
        for _ in range(args.repeat):
            floors.append(timed([sys.executable, str(floor_script), str(listing)], env))
            shutil.rmtree(cache, ignore_errors=True)
            colds.append(timed(check, env))
            warms.append(timed(check, env))
            versions.append(timed([sys.executable, "-m", "hfdeploy", "--version"], env))

        floor, cold, warm = (statistics.median(x) for x in (floors, colds, warms))
        version = statistics.median(versions)
        print(
            f"files: {len(files)} Python files ({args.modules} routers), repeat={args.repeat}, "
            f"{os.cpu_count()} cores (check parses in parallel; the floor is one process)"
        )
        print(f"ast.parse floor : {floor:.3f} s")
        print(f"cold check      : {cold:.3f} s   ratio {cold / floor:.2f}  (target <= 1.30)")
        print(f"warm check      : {warm:.3f} s   ratio {warm / floor:.2f}  (target <= 0.20)")
        print(f"--version       : {version:.3f} s             (target <= 0.30)")
        ok = cold / floor <= 1.3 and warm / floor <= 0.2 and version <= 0.3
        print("PASS" if ok else "MISS")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
