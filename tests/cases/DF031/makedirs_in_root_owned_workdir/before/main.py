import os

from fastapi import FastAPI

os.makedirs("uploads", exist_ok=True)
app = FastAPI()


@app.get("/")
def index():
    return {"ok": True}
