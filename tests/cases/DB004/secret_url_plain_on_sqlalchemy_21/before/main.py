import os

from fastapi import FastAPI
from sqlalchemy import create_engine, text

engine = create_engine(os.environ["DATABASE_URL"])
app = FastAPI()


@app.get("/")
def root():
    with engine.connect() as conn:
        return {"ok": conn.execute(text("select 1")).scalar()}
