import os
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from app.core.config import settings

if settings.DATABASE_URL.startswith("sqlite"):
    # SQLite does not create missing directories (the fallback lives under $DATA_DIR).
    os.makedirs(os.getenv("DATA_DIR", "data"), exist_ok=True)

# pool_pre_ping survives dropped connections
engine = create_engine(settings.DATABASE_URL, pool_pre_ping=True)
SessionLocal = sessionmaker(bind=engine)
