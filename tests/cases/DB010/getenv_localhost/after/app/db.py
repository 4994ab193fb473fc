"""Database engine for the inventory service."""
import os

from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker


def _sqlite_fallback() -> str:
    """SQLite under $DATA_DIR, used when DATABASE_URL is unset (as on a Hugging Face Space)."""
    data_dir = os.getenv("DATA_DIR", "data")
    os.makedirs(data_dir, exist_ok=True)
    return f"sqlite:///{data_dir}/app.db"


# Local development talks to the Postgres started by `make db`.
engine = create_engine(os.getenv("DATABASE_URL") or _sqlite_fallback())
SessionLocal = sessionmaker(bind=engine)
