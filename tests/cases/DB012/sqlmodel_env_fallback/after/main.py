import os

from fastapi import FastAPI
from sqlmodel import Field, Session, SQLModel, create_engine, select


def _sqlite_fallback() -> str:
    """SQLite under $DATA_DIR, used when DATABASE_URL is unset (as on a Hugging Face Space)."""
    data_dir = os.getenv("DATA_DIR", "data")
    os.makedirs(data_dir, exist_ok=True)
    return f"sqlite:///{data_dir}/app.db"


class Hero(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str


engine = create_engine(os.getenv("DATABASE_URL") or _sqlite_fallback())
app = FastAPI()


@app.get("/heroes")
def heroes() -> list[Hero]:
    with Session(engine) as session:
        return list(session.exec(select(Hero)))


# Create the tables the models define (a new SQLite database on a Space is empty).
SQLModel.metadata.create_all(bind=engine)
