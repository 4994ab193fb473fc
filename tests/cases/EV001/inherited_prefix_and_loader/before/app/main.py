from fastapi import FastAPI

from app import env as environment
from app.env import env

OPENAI_API_KEY = env("OPENAI_API_KEY")
REGION = env("REGION", "eu-west-1")
WEBHOOK_SECRET = environment.require("WEBHOOK_SECRET")
if env("SENTRY_DSN"):
    print("sentry on")

app = FastAPI()
