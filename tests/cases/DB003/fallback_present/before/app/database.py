import os

from sqlalchemy import create_engine

DATA_DIR = os.getenv("DATA_DIR", "data")
os.makedirs(DATA_DIR, exist_ok=True)
engine = create_engine(os.getenv("DATABASE_URL") or f"sqlite:///{DATA_DIR}/app.db")
