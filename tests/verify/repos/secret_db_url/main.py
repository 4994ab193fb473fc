import os

from fastapi import FastAPI
from sqlalchemy import create_engine, text

# A required secret on the Space: PostgreSQL there, anything SQLAlchemy parses here.
engine = create_engine(os.environ["DATABASE_URL"])
with engine.begin() as connection:
    connection.execute(text("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY)"))

app = FastAPI()


@app.get("/")
def root():
    with engine.connect() as connection:
        return {"notes": connection.execute(text("SELECT COUNT(*) FROM notes")).scalar()}
