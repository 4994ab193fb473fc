import os

from fastapi import FastAPI
from sqlalchemy import create_engine, text

# the database lives outside the code, in a directory of its own
engine = create_engine(os.getenv("DATABASE_URL", "sqlite:////var/lib/notes/notes.db"))
app = FastAPI()


@app.get("/count")
def count() -> dict[str, int]:
    with engine.connect() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS note (id INTEGER PRIMARY KEY)"))
        return {"notes": conn.execute(text("SELECT count(*) FROM note")).scalar_one()}
