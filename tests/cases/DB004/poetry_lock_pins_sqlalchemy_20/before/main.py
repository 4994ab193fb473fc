from fastapi import FastAPI

from database import engine

app = FastAPI()


@app.get("/")
def index():
    return {"dialect": engine.dialect.name}
