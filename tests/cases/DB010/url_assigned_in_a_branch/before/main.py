import os

from fastapi import FastAPI
from sqlalchemy import create_engine, text

if os.getenv("USE_MEMORY_DB") == "1":
    DB_URL = "sqlite://"
    engine = create_engine(DB_URL)
else:
    DB_URL = os.getenv("DB_URL", "postgresql://shop:shop@localhost:5432/shop")
    engine = create_engine(DB_URL, pool_pre_ping=True)

app = FastAPI()


@app.get("/ping")
def ping() -> dict[str, int]:
    with engine.connect() as conn:
        return {"one": conn.execute(text("SELECT 1")).scalar_one()}
