import os

SECRET = os.environ.get("SECRET", "dev")
