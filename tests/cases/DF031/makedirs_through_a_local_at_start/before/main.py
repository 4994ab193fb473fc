import os

from fastapi import FastAPI


def prepare_uploads() -> str:
    target = os.getenv("UPLOAD_DIR", "uploads")
    os.makedirs(target, exist_ok=True)
    return target


UPLOADS = prepare_uploads()
app = FastAPI()


@app.get("/")
def index():
    return {"uploads": UPLOADS}
