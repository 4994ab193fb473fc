import os

from starlette.config import Config

config = Config(".env")
ADMIN_EMAIL = config("ADMIN_EMAIL", cast=str)
SENTRY_DSN = config("SENTRY_DSN", default=None)

SECRET_KEY = os.environ["TASKS_SECRET_KEY"]
SPACE_HOST = os.environ["SPACE_HOST"]
DATA_DIR = os.environ["DATA_DIR"]
REGION = os.getenv("REGION")
print(REGION.upper())
