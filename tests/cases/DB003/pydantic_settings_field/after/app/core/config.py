import os
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Read from the environment and from `.env`."""

    PROJECT_NAME: str = "Tasks"
    # Unset on a Space (no .env there): fall back to SQLite under $DATA_DIR.
    DATABASE_URL: str = f"sqlite:///{os.getenv('DATA_DIR', 'data')}/app.db"
    SECRET_KEY: str

    model_config = SettingsConfigDict(env_file=".env")


settings = Settings()
