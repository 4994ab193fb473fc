import os

from fastapi import FastAPI

HF_TOKEN = os.getenv("HF_TOKEN", "")
REDIS_PASSWORD = os.getenv("REDIS_PASSWORD", None)
ACCESS_TOKEN_EXPIRE_MINUTES = int(os.getenv("ACCESS_TOKEN_EXPIRE_MINUTES", "30"))
AUTH_ENABLED = os.getenv("AUTH_ENABLED", "false")
TOKEN_PREFIX = os.getenv("TOKEN_PREFIX", "Bearer")
LOG_LEVEL = os.getenv("LOG_LEVEL", "info")

app = FastAPI()
