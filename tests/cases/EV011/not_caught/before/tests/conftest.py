import os

os.environ.setdefault("SECRET_KEY", "test")
SECRET_KEY = os.getenv("SECRET_KEY", "test-secret-for-the-suite")
