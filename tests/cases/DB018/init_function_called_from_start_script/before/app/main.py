from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import select

from app.database import SessionLocal, engine
from app.models import Base, Book

app = FastAPI()


@app.get("/books")
async def list_books():
    async with SessionLocal() as session:
        return [{"id": b.id, "title": b.title} for b in await session.scalars(select(Book))]
