import os

from sqlalchemy import create_engine

engine = create_engine(os.getenv("DATABASE_URL", "postgresql+psycopg2://app:pw@db.example.com:443/app"))
