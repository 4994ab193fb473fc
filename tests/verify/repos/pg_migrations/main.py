from fastapi import FastAPI
from settings import DATABASE_URL
from sqlalchemy import create_engine, text

# The schema comes from the Alembic migrations only; the start command never runs them.
engine = create_engine(DATABASE_URL)
app = FastAPI()


@app.get("/")
def root():
    with engine.connect() as connection:
        return {"notes": connection.execute(text("SELECT COUNT(*) FROM notes")).scalar()}
