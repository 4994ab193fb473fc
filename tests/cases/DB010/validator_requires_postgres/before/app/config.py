from pydantic import field_validator
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    DATABASE_URL: str = "postgresql://notes:notes@db/notes"

    @field_validator("DATABASE_URL")
    @classmethod
    def must_be_postgres(cls, value: str) -> str:
        if not value.startswith("postgresql://"):
            raise ValueError("only PostgreSQL is supported")
        return value


settings = Settings()
