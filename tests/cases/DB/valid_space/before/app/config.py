import os

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    DATABASE_URL: str = f"sqlite:///{os.getenv('DATA_DIR', 'data')}/app.db"
    SECRET_KEY: str
    PUBLIC_URL: str = "https://" + os.getenv("SPACE_HOST", "localhost:7860")

    model_config = SettingsConfigDict(env_file=".env")


settings = Settings()
