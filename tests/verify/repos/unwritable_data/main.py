"""Opens its SQLite database (./tasks.db, in the root-owned WORKDIR) only when a task is added."""

import sqlite3

from fastapi import FastAPI

app = FastAPI()
DATABASE_URL = "sqlite:///./tasks.db"


@app.get("/")
def index():
    return {"service": "tasks"}


@app.post("/tasks")
def add_task(title: str):
    with sqlite3.connect(DATABASE_URL.removeprefix("sqlite:///")) as db:
        db.execute("CREATE TABLE IF NOT EXISTS tasks (title TEXT)")
        db.execute("INSERT INTO tasks VALUES (?)", (title,))
    return {"title": title}
