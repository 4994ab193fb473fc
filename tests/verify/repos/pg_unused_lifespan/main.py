from contextlib import asynccontextmanager

from fastapi import FastAPI
from settings import DATABASE_URL
from sqlalchemy import Column, Integer, create_engine, func, select
from sqlalchemy.orm import Session, declarative_base

engine = create_engine(DATABASE_URL)
Base = declarative_base()


class Note(Base):
    __tablename__ = "notes"
    id = Column(Integer, primary_key=True)


app = FastAPI()


# Meant to create the tables at start, but never given to the app.
@asynccontextmanager
async def lifespan(app: FastAPI):
    Base.metadata.create_all(bind=engine)
    yield


@app.get("/")
def root():
    with Session(engine) as session:
        return {"notes": session.scalar(select(func.count()).select_from(Note))}
