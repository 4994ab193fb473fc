"""A small to-do API."""
from fastapi import Depends, FastAPI
from sqlalchemy.orm import Session

from app.database import SessionLocal
from app.models import Todo

app = FastAPI(title="todo")


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


@app.get("/todos")
def list_todos(db: Session = Depends(get_db)):
    return [{"id": t.id, "title": t.title, "done": t.done} for t in db.query(Todo).all()]


@app.post("/todos")
def add_todo(title: str, db: Session = Depends(get_db)):
    todo = Todo(title=title)
    db.add(todo)
    db.commit()
    return {"id": todo.id}


from app.database import Base, engine

# Create the tables the models define (a new SQLite database on a Space is empty).
Base.metadata.create_all(bind=engine)


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app, host="0.0.0.0", port=8000)
