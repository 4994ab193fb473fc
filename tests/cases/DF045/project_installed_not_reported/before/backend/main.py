from fastapi import FastAPI

from settings import TITLE

app = FastAPI(title=TITLE)
