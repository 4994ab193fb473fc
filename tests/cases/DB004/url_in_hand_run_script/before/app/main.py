import os

from fastapi import FastAPI
from sqlalchemy import create_engine

engine = create_engine(os.environ.get("DATABASE_URL", "postgresql+psycopg2://app@db.internal/app"))
app = FastAPI()


@app.get("/")
def index():
    return {"ok": True}
