from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import select

from app.database import SessionLocal, engine
from app.models import Base, Book

app = FastAPI()


@asynccontextmanager
async def lifespan(app: FastAPI):
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield


@app.get("/books")
async def list_books():
    async with SessionLocal() as session:
        return [{"id": b.id, "title": b.title} for b in await session.scalars(select(Book))]
