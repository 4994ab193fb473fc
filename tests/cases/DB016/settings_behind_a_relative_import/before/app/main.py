from fastapi import FastAPI

from app.db.session import engine

app = FastAPI()


@app.get("/")
def root() -> dict[str, str]:
    return {"status": "ok", "engine": engine.dialect.name}
