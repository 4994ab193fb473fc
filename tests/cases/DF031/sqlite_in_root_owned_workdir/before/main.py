from fastapi import FastAPI
from sqlalchemy import create_engine

engine = create_engine("sqlite:///./notes.db", connect_args={"check_same_thread": False})
app = FastAPI()


@app.get("/")
def root() -> dict[str, str]:
    return {"status": "ok"}
