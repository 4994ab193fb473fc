import os

from fastapi import FastAPI


def local_database() -> str:
    folder = os.getenv("DATA_DIR", "data")
    os.makedirs(folder, exist_ok=True)
    return f"sqlite:///{folder}/app.db"


DATABASE_URL = os.getenv("DATABASE_URL") or local_database()
app = FastAPI()


@app.get("/")
def index():
    return {"database": DATABASE_URL.split(":", 1)[0]}
