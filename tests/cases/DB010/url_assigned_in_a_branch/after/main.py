import os

from fastapi import FastAPI
from sqlalchemy import create_engine, text


def _sqlite_fallback() -> str:
    """SQLite under $DATA_DIR, used when DB_URL is unset (as on a Hugging Face Space)."""
    data_dir = os.getenv("DATA_DIR", "data")
    os.makedirs(data_dir, exist_ok=True)
    return f"sqlite:///{data_dir}/app.db"


if os.getenv("USE_MEMORY_DB") == "1":
    DB_URL = "sqlite://"
    engine = create_engine(DB_URL)
else:
    DB_URL = os.getenv("DB_URL") or _sqlite_fallback()
    engine = create_engine(DB_URL, pool_pre_ping=True)

app = FastAPI()


@app.get("/ping")
def ping() -> dict[str, int]:
    with engine.connect() as conn:
        return {"one": conn.execute(text("SELECT 1")).scalar_one()}
