from pydantic import field_validator
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    DATABASE_URL: str = "sqlite:////tmp/app.db"

    @field_validator("DATABASE_URL")
    @classmethod
    def fix_scheme(cls, value: str) -> str:
        # Heroku-style providers still hand out postgres:// URLs.
        return value.replace("postgres://", "postgresql://", 1)
