from typing import Optional

from pydantic import PostgresDsn
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """A typed URL: under pydantic v2 the field holds a URL object, not a str."""

    PROJECT_NAME: str = "Tasks"
    DATABASE_URL: Optional[PostgresDsn] = "postgresql://tasks:tasks@db:5432/tasks"
    SECRET_KEY: str

    model_config = SettingsConfigDict(env_file=".env")


settings = Settings()
