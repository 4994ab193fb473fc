import os

from fastapi import FastAPI

from app.settings import settings

OPENAI_API_KEY = os.getenv("OPENAI_API_KEY", "sk-proj-Q7wErTy8uIoP1aSdFg2hJkL3zXcVb4nM")
SIGNING_KEY = os.environ.get("SIGNING_KEY", "Zq9xW7pLm3Rt8vKsQ2nB")

app = FastAPI()


@app.get("/")
def root() -> dict[str, str]:
    return {"algorithm": settings.algorithm}
