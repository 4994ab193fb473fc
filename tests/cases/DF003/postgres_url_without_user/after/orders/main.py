from fastapi import FastAPI
from sqlalchemy import text

from orders.db import engine

app = FastAPI()


@app.get("/count")
async def count() -> dict[str, int]:
    async with engine.connect() as conn:
        return {"orders": (await conn.execute(text("SELECT count(*) FROM orders"))).scalar_one()}
