import os
from os import environ

from sqlalchemy import create_engine


def _sqlite_fallback() -> str:
    """SQLite under $DATA_DIR, used when DATABASE_URL is unset (as on a Hugging Face Space)."""
    data_dir = os.getenv("DATA_DIR", "data")
    os.makedirs(data_dir, exist_ok=True)
    return f"sqlite:///{data_dir}/app.db"


def get_engine():
    return create_engine((environ.get("DATABASE_URL") or _sqlite_fallback()).strip(), echo=False)
