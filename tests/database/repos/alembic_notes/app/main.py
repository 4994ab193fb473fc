from fastapi import FastAPI
from sqlalchemy import select

from app.database import SessionLocal
from app.models import Note

app = FastAPI()


@app.get("/notes")
def notes() -> list[str]:
    with SessionLocal() as session:
        return [n.body for n in session.scalars(select(Note))]
