import os

from fastapi import FastAPI

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:///./data/app.db")
if DATABASE_URL.startswith("sqlite"):
    os.makedirs("data", exist_ok=True)
app = FastAPI()
