import os

from fastapi import FastAPI

app = FastAPI(title=os.getenv("APP_TITLE", "notes"))
