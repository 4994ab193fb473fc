from pathlib import Path

from fastapi import FastAPI, UploadFile
from sqlalchemy import create_engine

engine = create_engine("sqlite:///./notes.db", connect_args={"check_same_thread": False})
UPLOADS = Path(__file__).parent / "uploads"

app = FastAPI()


@app.post("/files")
async def upload(file: UploadFile) -> dict[str, str]:
    UPLOADS.mkdir(exist_ok=True)
    with open(UPLOADS / file.filename, "wb") as out:
        out.write(await file.read())
    return {"saved": file.filename}
