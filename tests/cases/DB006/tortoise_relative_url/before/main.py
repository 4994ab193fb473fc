from fastapi import FastAPI
from tortoise import Tortoise

from config import DATABASE_URL

app = FastAPI()


@app.on_event("startup")
async def connect() -> None:
    await Tortoise.init(db_url=DATABASE_URL, modules={"models": ["models"]})
