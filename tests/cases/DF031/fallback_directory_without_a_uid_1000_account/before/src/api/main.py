from fastapi import FastAPI

from api.db import engine

app = FastAPI()


@app.get("/")
def root() -> dict[str, str]:
    return {"engine": engine.dialect.name}
