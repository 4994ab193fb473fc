import os

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from settings import TITLE

os.makedirs("/tmp/media", exist_ok=True)
app = FastAPI(title=TITLE)
app.mount("/static", StaticFiles(directory=os.path.join(os.path.dirname(__file__), "static")), name="static")
app.mount("/media", StaticFiles(directory="/tmp/media"), name="media")
