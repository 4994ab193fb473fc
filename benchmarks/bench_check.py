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
                                     [--checkout PATH] [--baseline PATH]

`--checkout` measures the hfdeploy of another checkout (put first on PYTHONPATH). `--baseline`
measures a second checkout side by side in the same run: each repetition times the floor, then
both checkouts cold and warm (their order alternating), so that machine load falls on both
alike; each row is then printed for both. The measured packages are byte-compiled first, as `pip
install` does: with PYTHONDONTWRITEBYTECODE set, every run would compile it from source.

Besides wall time, each row gives the CPU time of the check (all its processes) as a ratio to the
floor's CPU time (`cpu x`), which machine load disturbs far less than wall time (on a loaded
machine the parallel parse gains nothing), and the 1-minute load average when the row finished.
"""

from __future__ import annotations

import argparse
import os
import resource
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


# The directory commands run in: not a checkout, which `python -m` would put first on sys.path.
NEUTRAL = tempfile.gettempdir()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_cpu(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and every process it waited for)."""
    cpu = _children_cpu()
    start = time.perf_counter()
    subprocess.run(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, cwd=NEUTRAL
    )
    return time.perf_counter() - start, _children_cpu() - cpu


def timed(cmd: list[str], env: dict[str, str]) -> float:
    return timed_cpu(cmd, env)[0]


class Row:
    """The medians of one checkout on one repository."""

    def __init__(self) -> None:
        self.cold: list[tuple[float, float]] = []
        self.warm: list[tuple[float, float]] = []

    def cold_wall(self) -> float:
        return statistics.median(w for w, _ in self.cold)

    def cold_cpu(self) -> float:
        return statistics.median(c for _, c in self.cold)

    def warm_wall(self) -> float:
        return statistics.median(w for w, _ in self.warm)


def measure(
    work: Path, size: int, findings: int, repeat: int, checkouts: list[dict[str, str]]
) -> tuple[float, float, list[Row]]:
    """(floor wall, floor CPU, a row per checkout), medians over `repeat` repetitions."""
    repo = work / f"repo-{size}-{findings}"
    files = generate(repo, size, findings)
    listing = work / "files.txt"
    listing.write_text("\n".join(map(str, files)))
    floor_script = work / "floor.py"
    floor_script.write_text(FLOOR)
    cache = work / "cache"
    check = [sys.executable, "-m", "hfdeploy", "check", str(repo), "--offline"]
    floors: list[tuple[float, float]] = []
    rows = [Row() for _ in checkouts]
    try:
        for i in range(repeat):
            floors.append(
                timed_cpu([sys.executable, str(floor_script), str(listing)], checkouts[0])
            )
            order = list(range(len(checkouts)))
            if i % 2:
                order.reverse()
            for k in order:
                env = {**checkouts[k], "HFDEPLOY_CACHE_DIR": str(cache)}
                shutil.rmtree(cache, ignore_errors=True)
                rows[k].cold.append(timed_cpu(check, env))
                rows[k].warm.append(timed_cpu(check, env))
    finally:
        shutil.rmtree(repo, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
    return (
        statistics.median(w for w, _ in floors),
        statistics.median(c for _, c in floors),
        rows,
    )


def target(size: int, findings: int) -> float | None:
    if size < 1000:
        return None  # the fixed start-up cost dominates
    return 1.6 if findings > 20 else 1.3


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--checkout", help="measure the hfdeploy of this checkout")
    parser.add_argument("--baseline", help="also measure this checkout, side by side")
    parser.add_argument("--sizes", default="100,1000,8000", help="module counts, comma-separated")
    parser.add_argument("--findings", default="0,20,200", help="PY001 findings, comma-separated")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each (the median is kept)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    counts = [int(s) for s in args.findings.split(",") if s]
    checkouts = [_environment(args.checkout)]
    labels = ["this"]
    if args.baseline:
        checkouts.append(_environment(args.baseline))
        labels.append("baseline")
    for label, env in zip(labels, checkouts, strict=True):
        where = subprocess.run(
            [sys.executable, "-c", "import hfdeploy; print(hfdeploy.__file__)"],
            capture_output=True,
            text=True,
            check=True,
            env=env,
            cwd=NEUTRAL,
        ).stdout.strip()
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(Path(where).parent)],
            check=False,
            env=env,
        )
        print(f"{label}: hfdeploy {Path(where).parent}")

    print(
        f"{os.cpu_count()} cores (check parses in parallel; the floor is one process), "
        f"repeat={args.repeat}"
    )
    print(
        f"{'modules':>8} {'findings':>8} {'checkout':>8} {'floor s':>8} {'cold s':>8} "
        f"{'cold x':>7} {'cpu x':>6} {'warm s':>8} {'warm x':>7} {'load':>5}  targets"
    )
    ok = True
    work = Path(tempfile.mkdtemp(prefix="hfdeploy-bench-"))
    try:
        for size in sizes:
            for findings in counts:
                floor, floor_cpu, rows = measure(work, size, findings, args.repeat, checkouts)
                load = os.getloadavg()[0]
                for k, (label, row) in enumerate(zip(labels, rows, strict=True)):
                    cold, warm = row.cold_wall(), row.warm_wall()
                    cold_target = target(size, findings)
                    hit = (
                        cold_target is None or cold / floor <= cold_target
                    ) and warm / floor <= 0.2
                    if k == 0:
                        ok = ok and hit
                    goal = f"cold <= {cold_target}, " if cold_target else ""
                    print(
                        f"{size:>8} {findings:>8} {label:>8} {floor:>8.3f} {cold:>8.3f} "
                        f"{cold / floor:>7.2f} {row.cold_cpu() / floor_cpu:>6.2f} {warm:>8.3f} "
                        f"{warm / floor:>7.2f} {load:>5.2f}  {goal}warm <= 0.2 "
                        f"{'ok' if hit else 'MISS'}",
                        flush=True,
                    )
        for label, env in zip(labels, checkouts, strict=True):
            versions = [
                timed([sys.executable, "-m", "hfdeploy", "--version"], env)
                for _ in range(max(3, args.repeat))
            ]
            version = statistics.median(versions)
            if label == labels[0]:
                ok = ok and version <= 0.3
            print(f"{label}: --version: {version:.3f} s (target <= 0.30)")
        print("PASS" if ok else "MISS")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _environment(checkout: str | None) -> dict[str, str]:
    """The environment that runs the hfdeploy of `checkout` (first on PYTHONPATH), or the
    installed one."""
    env = dict(os.environ)
    if checkout:
        path = str(Path(checkout).resolve())
        env["PYTHONPATH"] = os.pathsep.join([path, *filter(None, [env.get("PYTHONPATH")])])
    return env


if __name__ == "__main__":
    raise SystemExit(main())
