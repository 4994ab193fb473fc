"""A small notes API: SQLite in DATA_DIR, one protected route, one route with a required query."""

import os
import sqlite3
from contextlib import asynccontextmanager

from fastapi import FastAPI, Header, HTTPException

DB_PATH = os.environ["DATABASE_URL"].removeprefix("sqlite:///")


@asynccontextmanager
async def lifespan(app: FastAPI):
    with sqlite3.connect(DB_PATH) as db:
        db.execute("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, text TEXT)")
    yield


app = FastAPI(lifespan=lifespan)


@app.get("/")
def index():
    return {"service": "notes"}


@app.get("/health")
def health():
    return {"ok": True}


@app.get("/notes")
def list_notes():
    with sqlite3.connect(DB_PATH) as db:
        return [{"id": i, "text": t} for i, t in db.execute("SELECT id, text FROM notes")]


@app.get("/notes/{note_id}")
def read_note(note_id: int):
    raise HTTPException(404)


@app.get("/search")
def search(q: str):
    return []


@app.get("/me")
def me(authorization: str | None = Header(default=None)):
    raise HTTPException(401, "not logged in")
