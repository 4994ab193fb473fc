import os

from fastapi import FastAPI

HF_TOKEN = os.getenv("HF_TOKEN", "")
DATABASE_URL = os.getenv("DATABASE_URL", "sqlite:///./app.db")
JWT_ALGORITHM = os.getenv("JWT_ALGORITHM", "HS256")
BUILD_SHA = os.getenv("BUILD_SHA", "8d7c6e5f4a3b2c9f2c1e7a0b8d7c6e5f")
API_KEY = os.getenv("API_KEY", "${API_KEY}")
TOKEN = os.getenv("TOKEN", None)
SECRET_KEY = os.environ["SECRET_KEY"]

app = FastAPI()
