import os

from fastapi import FastAPI
from sqlmodel import Field, Session, SQLModel, create_engine, select


class Hero(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str


engine = create_engine(os.getenv("DATABASE_URL"))
app = FastAPI()


@app.get("/heroes")
def heroes() -> list[Hero]:
    with Session(engine) as session:
        return list(session.exec(select(Hero)))
