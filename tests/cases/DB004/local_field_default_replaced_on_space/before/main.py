from fastapi import FastAPI
from sqlalchemy import create_engine

from config import settings

engine = create_engine(settings.database_url)
app = FastAPI()


@app.get("/")
def index():
    return {"ok": True}
