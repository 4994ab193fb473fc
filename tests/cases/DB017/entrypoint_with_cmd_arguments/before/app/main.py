from fastapi import FastAPI

from app.database import SessionLocal
from app.models import Note

app = FastAPI()


@app.get("/notes")
def list_notes():
    with SessionLocal() as session:
        return [{"id": n.id, "text": n.text} for n in session.query(Note).all()]
