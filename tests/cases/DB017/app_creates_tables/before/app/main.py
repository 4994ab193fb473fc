from fastapi import FastAPI

from app.database import SessionLocal
from app.models import Note

app = FastAPI()


@app.get("/notes")
def list_notes():
    with SessionLocal() as session:
        return [{"id": n.id, "text": n.text} for n in session.query(Note).all()]


@app.on_event("startup")
def create_tables() -> None:
    from app.database import engine
    from app.models import Base

    Base.metadata.create_all(bind=engine)
