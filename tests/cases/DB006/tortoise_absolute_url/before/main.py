from fastapi import FastAPI
from tortoise import Tortoise

app = FastAPI()


@app.on_event("startup")
async def connect() -> None:
    await Tortoise.init(db_url="sqlite:///tmp/events.sqlite3", modules={"models": ["models"]})
