import os

from fastapi import FastAPI
from pydantic_settings import BaseSettings


class ServerSettings(BaseSettings):
    host: str  # read from HOST
    port: int = 7860


settings = ServerSettings()
HOME = os.environ["HOME"]
CACHE = os.path.join(os.environ["HOME"], ".cache")
WHO = os.getenv("USER", "app")
PATH = os.environ["PATH"].split(":")

app = FastAPI()
