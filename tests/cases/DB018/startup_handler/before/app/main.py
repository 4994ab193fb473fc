from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import select

from app.database import SessionLocal, engine
from app.models import Base, Book

app = FastAPI()


@app.on_event("startup")
async def create_tables() -> None:
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)


@app.get("/books")
async def list_books():
    async with SessionLocal() as session:
        return [{"id": b.id, "title": b.title} for b in await session.scalars(select(Book))]
