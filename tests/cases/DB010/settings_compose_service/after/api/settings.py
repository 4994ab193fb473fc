import os
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    app_name: str = "bookshelf"
    # Unset on a Space (no .env there): fall back to SQLite under $DATA_DIR.
    database_url: str = f"sqlite:///{os.getenv('DATA_DIR', 'data')}/app.db"


settings = Settings()
