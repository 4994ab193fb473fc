import os

import uvicorn
from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def index():
    return {"ok": True}


if __name__ == "__main__":
    # Port and host from variables a Space does not set.
    uvicorn.run(
        "main:app", host=os.getenv("APP_HOST"), port=int(os.getenv("APP_PORT")), reload=True
    )
