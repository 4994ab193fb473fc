import os

from fastapi import FastAPI

LOG_LEVEL = os.getenv("LOG_LEVEL", "info")

app = FastAPI()


@app.get("/")
def root() -> dict[str, str]:
    return {"log_level": LOG_LEVEL}
