"""Benchmark for `hfdeploy check --offline` on synthetic FastAPI repositories (issues 2 and 10).

A scale curve: for each size (router modules) and each number of parameter-order findings,
a generated repository whose routers REPEAT the same function names, as real routers do
(`read_item`, `get_db`, `create_user` in many modules, called from a service module each), is
checked cold (empty result cache) and warm (unchanged re-run). Every time is printed as a ratio
to the parse floor of that same repository measured in the same run:

* cold check / floor   target <= 1.3 with 20 findings, <= 1.6 with 200 (at 1,000 modules and up)
* warm check / floor   target <= 0.2 at every size
* `hfdeploy --version` wall time, target <= 0.3 s

The floor is a fresh interpreter that reads every .py file and calls ast.parse on it, so both
sides pay interpreter start-up and file reads the same way. `check` pays a fixed start-up cost
(the CLI and its checks), so the cold ratio is not a target at 100 modules.

    python benchmarks/bench_check.py [--sizes 100,1000,8000] [--findings 0,20,200] [--repeat 1]
                                     [--checkout PATH]

`--checkout` measures the hfdeploy of another checkout (put first on PYTHONPATH), so that two
branches can be measured back to back. The measured package is byte-compiled first, as `pip
install` does: with PYTHONDONTWRITEBYTECODE set, every run would compile it from source.
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

from app.models import Item

router = APIRouter(prefix="/{name}", tags=["{name}"])


def get_db():
    from app.database import engine

    with Session(engine) as session:
        yield session


class UserCreate(BaseModel):
    title: str
    description: Optional[str] = None
    tags: List[str] = []
    meta: Dict[str, int] = {{}}


@router.get("/")
def list_items(
    session: Session = Depends(get_db),
    q: Optional[str] = Query(None, max_length=50),
    limit: int = 100,
) -> list[Item]:
    statement = select(Item).limit(limit)
    if q:
        statement = statement.where(Item.title.contains(q))
    return list(session.exec(statement))


@router.post("/users", status_code=201)
def create_user({signature}) -> Item:
    item = Item(title=payload.title, description=payload.description)
    session.add(item)
    session.commit()
    session.refresh(item)
    return item


@router.get("/{{item_id}}")
def read_item(item_id: int, session: Session = Depends(get_db)) -> Item:
    item = session.get(Item, item_id)
    if item is None:
        raise HTTPException(status_code=404, detail="{name} not found")
    return item


@router.put("/{{item_id}}")
def update_item(item_id: int, payload: UserCreate, session: Session = Depends(get_db)) -> Item:
    item = read_item(item_id, session)
    item.title = payload.title
    item.description = payload.description
    session.add(item)
    session.commit()
    session.refresh(item)
    return item


@router.delete("/{{item_id}}", status_code=204)
def delete_item(item_id: int, session: Session = Depends(get_db)) -> None:
    item = read_item(item_id, session)
    session.delete(item)
    session.commit()


@router.get("/search/")
def search_items(
    q: str = Query(..., min_length=1, max_length=50),
    offset: int = 0,
    limit: int = Query(20, le=100),
    session: Session = Depends(get_db),
) -> dict[str, object]:
    statement = select(Item).where(Item.title.contains(q)).offset(offset).limit(limit)
    found = list(session.exec(statement))
    return {{"query": q, "count": len(found), "items": [item.model_dump() for item in found]}}


@router.get("/users/{{user_id}}")
def get_user(user_id: int, session: Session = Depends(get_db)) -> Item:
    user = session.get(Item, user_id)
    if user is None:
        raise HTTPException(status_code=404, detail="user not found")
    return user


@router.patch("/users/{{user_id}}")
def update_user(
    user_id: int, payload: UserCreate, session: Session = Depends(get_db)
) -> Item:
    user = get_user(user_id, session)
    for key, value in payload.model_dump(exclude_unset=True).items():
        setattr(user, key, value)
    session.add(user)
    session.commit()
    return user


@router.delete("/users/{{user_id}}", status_code=204)
def delete_user(user_id: int, session: Session = Depends(get_db)) -> None:
    session.delete(get_user(user_id, session))
    session.commit()
'''
GOOD_SIG = "payload: UserCreate, session: Session = Depends(get_db)"
BAD_SIG = "session: Session = Depends(get_db), payload: UserCreate"

SERVICE = '''"""Service layer for {name}."""
from app.routers.{name} import UserCreate, create_user, get_db, read_item


def import_user(session, title):
    return create_user(UserCreate(title=title), session)


def fetch(session, item_id):
    return read_item(item_id, session)


def sessions():
    return list(get_db())
'''

FLOOR = (
    "import ast, sys\n"
    "for p in open(sys.argv[1]).read().split('\\n'):\n"
    "    if p:\n"
    "        try: ast.parse(open(p, encoding='utf-8').read())\n"
    "        except SyntaxError: pass\n"
)


def generate(root: Path, modules: int, findings: int) -> list[Path]:
    """`modules` Python modules in all: routers, and a service module calling every tenth."""
    (root / "app" / "routers").mkdir(parents=True)
    (root / "app" / "services").mkdir(parents=True)
    (root / "requirements.txt").write_text("fastapi==0.115.0\nsqlmodel==0.0.22\nuvicorn==0.30.6\n")
    for package in ("app", "app/routers", "app/services"):
        (root / package / "__init__.py").write_text("")
    (root / "app" / "main.py").write_text(
        "from fastapi import FastAPI\n\napp = FastAPI(title='bench')\n"
    )
    (root / "app" / "database.py").write_text(
        "from sqlmodel import create_engine\n\nengine = create_engine('sqlite:////tmp/bench.db')\n"
    )
    (root / "app" / "models.py").write_text(
        "from sqlmodel import Field, SQLModel\n\n\nclass Item(SQLModel, table=True):\n"
        "    id: int | None = Field(default=None, primary_key=True)\n    title: str\n"
        "    description: str | None = None\n"
    )
    services = modules // 10
    routers = max(1, modules - services)
    findings = min(findings, routers)
    step = routers // findings if findings else 0
    broken = {i * step for i in range(findings)}
    for i in range(routers):
        name = f"things{i}"
        sig = BAD_SIG if i in broken else GOOD_SIG
        (root / "app" / "routers" / f"{name}.py").write_text(
            ROUTER.format(name=name, signature=sig)
        )
    for i in range(services):
        name = f"things{i * (routers // services)}"
        (root / "app" / "services" / f"svc{i}.py").write_text(SERVICE.format(name=name))
    return sorted(root.rglob("*.py"))


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def measure(work: Path, size: int, findings: int, repeat: int) -> tuple[float, float, float]:
    repo = work / f"repo-{size}-{findings}"
    files = generate(repo, size, findings)
    listing = work / "files.txt"
    listing.write_text("\n".join(map(str, files)))
    floor_script = work / "floor.py"
    floor_script.write_text(FLOOR)
    cache = work / "cache"
    env = {**os.environ, "HFDEPLOY_CACHE_DIR": str(cache)}
    check = [sys.executable, "-m", "hfdeploy", "check", str(repo), "--offline"]
    floors, colds, warms = [], [], []
    try:
        for _ in range(repeat):
            floors.append(timed([sys.executable, str(floor_script), str(listing)], env))
            shutil.rmtree(cache, ignore_errors=True)
            colds.append(timed(check, env))
            warms.append(timed(check, env))
    finally:
        shutil.rmtree(repo, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
    return statistics.median(floors), statistics.median(colds), statistics.median(warms)


def target(size: int, findings: int) -> float | None:
    if size < 1000:
        return None  # the fixed start-up cost dominates
    return 1.6 if findings > 20 else 1.3


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--checkout", help="measure the hfdeploy of this checkout")
    parser.add_argument("--sizes", default="100,1000,8000", help="module counts, comma-separated")
    parser.add_argument("--findings", default="0,20,200", help="PY001 findings, comma-separated")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each (the median is kept)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    counts = [int(s) for s in args.findings.split(",") if s]
    if args.checkout:
        checkout = str(Path(args.checkout).resolve())
        os.environ["PYTHONPATH"] = os.pathsep.join(
            [checkout, *filter(None, [os.environ.get("PYTHONPATH")])]
        )
    where = subprocess.run(
        [sys.executable, "-c", "import hfdeploy; print(hfdeploy.__file__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(where).parent)], check=False)
    print(f"hfdeploy: {Path(where).parent}")

    print(
        f"{os.cpu_count()} cores (check parses in parallel; the floor is one process), "
        f"repeat={args.repeat}"
    )
    print(
        f"{'modules':>8} {'findings':>8} {'floor s':>8} {'cold s':>8} {'cold x':>7} "
        f"{'warm s':>8} {'warm x':>7}  targets"
    )
    ok = True
    work = Path(tempfile.mkdtemp(prefix="hfdeploy-bench-"))
    try:
        for size in sizes:
            for findings in counts:
                floor, cold, warm = measure(work, size, findings, args.repeat)
                cold_target = target(size, findings)
                hit = (cold_target is None or cold / floor <= cold_target) and warm / floor <= 0.2
                ok = ok and hit
                goal = f"cold <= {cold_target}, " if cold_target else ""
                print(
                    f"{size:>8} {findings:>8} {floor:>8.3f} {cold:>8.3f} {cold / floor:>7.2f} "
                    f"{warm:>8.3f} {warm / floor:>7.2f}  {goal}warm <= 0.2 "
                    f"{'ok' if hit else 'MISS'}",
                    flush=True,
                )
        versions = [
            timed([sys.executable, "-m", "hfdeploy", "--version"], dict(os.environ))
            for _ in range(max(3, args.repeat))
        ]
        version = statistics.median(versions)
        ok = ok and version <= 0.3
        print(f"--version: {version:.3f} s (target <= 0.30)")
        print("PASS" if ok else "MISS")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
