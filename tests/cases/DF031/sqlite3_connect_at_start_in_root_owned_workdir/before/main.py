import sqlite3

from fastapi import FastAPI

app = FastAPI()
db = sqlite3.connect("notes.db", check_same_thread=False)
db.execute("CREATE TABLE IF NOT EXISTS notes (body TEXT NOT NULL)")


@app.get("/notes")
def notes() -> list[str]:
    return [row[0] for row in db.execute("SELECT body FROM notes")]
