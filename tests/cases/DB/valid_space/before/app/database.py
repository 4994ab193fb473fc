import os

from sqlalchemy import create_engine

from app.config import settings

if settings.DATABASE_URL.startswith("sqlite"):
    os.makedirs(os.getenv("DATA_DIR", "data"), exist_ok=True)
engine = create_engine(
    settings.DATABASE_URL,
    connect_args={"check_same_thread": False} if settings.DATABASE_URL.startswith("sqlite") else {},
)
