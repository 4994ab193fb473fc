import os

from sqlalchemy import create_engine


def _local_database() -> str:
    folder = os.getenv("STORE_DIR", "store")
    os.makedirs(folder, exist_ok=True)
    return f"sqlite:///{folder}/tasks.sqlite3"


URL = os.getenv("DATABASE_URL") or _local_database()
engine = create_engine(URL)
