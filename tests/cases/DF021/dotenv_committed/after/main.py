import os

from dotenv import load_dotenv
from fastapi import FastAPI

load_dotenv()
app = FastAPI()
API_KEY = os.environ.get("API_KEY", "")


@app.get("/")
def root() -> dict[str, bool]:
    return {"configured": bool(API_KEY)}
