import os

from fastapi import FastAPI
from sqlalchemy import create_engine

DATABASE_URL = os.getenv("DATABASE_URL", "sqlite:////srv/state/notes.db")
engine = create_engine(DATABASE_URL)
app = FastAPI()
