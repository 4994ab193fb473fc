import os
from sqlalchemy import create_engine

from api.settings import settings

if settings.database_url.startswith("sqlite"):
    # SQLite does not create missing directories (the fallback lives under $DATA_DIR).
    os.makedirs(os.getenv("DATA_DIR", "data"), exist_ok=True)

engine = create_engine(settings.database_url, pool_pre_ping=True)
