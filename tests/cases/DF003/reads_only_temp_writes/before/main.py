import json
import tempfile
from pathlib import Path

from fastapi import FastAPI

DATA = json.loads((Path(__file__).parent / "data.json").read_text())
app = FastAPI()


@app.get("/items")
def items() -> list[str]:
    return DATA["items"]


@app.get("/export")
def export() -> dict[str, str]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as out:
        json.dump(DATA, out)
    with open("/tmp/last-export.json", "w") as copy:
        json.dump(DATA, copy)
    return {"file": out.name}
