"""API."""

import os
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

origins = [
    "http://localhost:3000",
    "http://localhost:8080",
    *(["https://" + os.environ["SPACE_HOST"]] if "SPACE_HOST" in os.environ else []),
]

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=origins, allow_credentials=True)
