"""Keeps its notes in SQLite under $DATA_DIR (./data) unless DATABASE_URL names a database:
the directory is created at start, by the Space's uid 1000, in a WORKDIR root owns."""

import os
import sqlite3

from fastapi import FastAPI


def _local_database() -> str:
    folder = os.getenv("DATA_DIR", "data")
    os.makedirs(folder, exist_ok=True)
    return f"sqlite:///{folder}/notes.db"


DATABASE_URL = os.getenv("DATABASE_URL") or _local_database()
app = FastAPI()


@app.get("/")
def index():
    path = DATABASE_URL.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE IF NOT EXISTS notes (text TEXT)")
        count = db.execute("SELECT count(*) FROM notes").fetchone()[0]
    return {"notes": count}
