from fastapi import FastAPI
from sqlalchemy import create_engine

from app.config import settings

engine = create_engine(settings.database_url)
app = FastAPI()


@app.get("/")
def root() -> dict[str, str]:
    return {"status": "ok"}
