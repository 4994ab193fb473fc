"""SQLAlchemy set-up, as in the FastAPI tutorial."""
import os

from sqlalchemy import create_engine
from sqlalchemy.orm import declarative_base, sessionmaker


def _sqlite_fallback() -> str:
    """SQLite under $DATA_DIR, used when DATABASE_URL is unset (as on a Hugging Face Space)."""
    data_dir = os.getenv("DATA_DIR", "data")
    os.makedirs(data_dir, exist_ok=True)
    return f"sqlite:///{data_dir}/app.db"


SQLALCHEMY_DATABASE_URL = os.getenv("DATABASE_URL") or _sqlite_fallback()

engine = create_engine(SQLALCHEMY_DATABASE_URL)
SessionLocal = sessionmaker(autocommit=False, autoflush=False, bind=engine)
Base = declarative_base()
