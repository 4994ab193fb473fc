from pathlib import Path

from fastapi import FastAPI

REPORTS = Path("reports")
REPORTS.mkdir(exist_ok=True)

app = FastAPI()


@app.get("/")
def index() -> dict[str, int]:
    return {"reports": len(list(REPORTS.iterdir()))}
