import os

from fastapi import FastAPI

UPLOAD_DIR = os.getenv("UPLOAD_DIR", "uploads")
os.makedirs(UPLOAD_DIR, exist_ok=True)
REPORTS = os.environ.get("REPORTS_DIR", "reports")
app = FastAPI()


@app.post("/report")
def report():
    os.makedirs(os.path.join(REPORTS, "daily"), exist_ok=True)
    return {}
