from fastapi import FastAPI
from tortoise.contrib.fastapi import register_tortoise

app = FastAPI(title="Reading list")

register_tortoise(
    app,
    db_url="sqlite://reading.sqlite3",
    modules={"models": ["models"]},
    generate_schemas=True,
)
