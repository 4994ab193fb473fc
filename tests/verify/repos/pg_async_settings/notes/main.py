from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import text

from .db import Session, engine


@asynccontextmanager
async def lifespan(app: FastAPI):
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE IF NOT EXISTS notes (id SERIAL PRIMARY KEY)"))
    yield
    await engine.dispose()


app = FastAPI(lifespan=lifespan)


@app.get("/")
async def root():
    async with Session() as session:
        count = (await session.execute(text("SELECT COUNT(*) FROM notes"))).scalar()
        server = (await session.execute(text("SHOW server_version"))).scalar()
    return {"notes": count, "postgres": server}
