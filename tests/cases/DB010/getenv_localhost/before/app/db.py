"""Database engine for the inventory service."""
import os

from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

# Local development talks to the Postgres started by `make db`.
engine = create_engine(os.getenv("DATABASE_URL", "postgresql+psycopg2://inv:inv@localhost:5432/inventory"))
SessionLocal = sessionmaker(bind=engine)
