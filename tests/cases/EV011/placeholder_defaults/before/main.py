import os

from fastapi import FastAPI
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    jwt_secret: str = "change-me"  # TODO: real secret in production
    session_ttl: int = 3600


settings = Settings()
ADMIN_PASSWORD = os.environ.get("ADMIN_PASSWORD", "admin123")

app = FastAPI()
