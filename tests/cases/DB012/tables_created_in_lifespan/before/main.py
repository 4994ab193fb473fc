from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlmodel import Field, SQLModel, create_engine

engine = create_engine("sqlite:///data/app.db")


class Item(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)


@asynccontextmanager
async def lifespan(app: FastAPI):
    SQLModel.metadata.create_all(engine)
    yield


app = FastAPI(lifespan=lifespan)
