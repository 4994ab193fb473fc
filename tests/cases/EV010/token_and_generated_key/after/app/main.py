import os

from fastapi import FastAPI

from app.settings import settings

OPENAI_API_KEY = os.environ["OPENAI_API_KEY"]
SIGNING_KEY = os.environ["SIGNING_KEY"]

app = FastAPI()


@app.get("/")
def root() -> dict[str, str]:
    return {"algorithm": settings.algorithm}
