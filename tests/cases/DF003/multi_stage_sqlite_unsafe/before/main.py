import sqlite3

from fastapi import FastAPI

app = FastAPI()


@app.on_event("startup")
def create_tables() -> None:
    with sqlite3.connect("todo.db") as db:
        db.execute("CREATE TABLE IF NOT EXISTS todo (id INTEGER PRIMARY KEY, title TEXT)")


@app.get("/todos")
def todos() -> list[str]:
    with sqlite3.connect("todo.db") as db:
        return [row[0] for row in db.execute("SELECT title FROM todo")]
