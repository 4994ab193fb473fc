import enum
from typing import Literal

from fastapi import FastAPI
from pydantic import AnyHttpUrl, DirectoryPath, EmailStr, Field, PostgresDsn, RedisDsn, SecretStr
from pydantic_settings import BaseSettings


class Tier(str, enum.Enum):
    FREE = "free"
    PRO = "pro"


class Settings(BaseSettings):
    ADMIN_EMAIL: EmailStr
    SECRET_KEY: SecretStr = Field(min_length=32)
    ENVIRONMENT: Literal["staging", "production"]
    TIER: Tier
    WORKERS: int = Field(ge=2, le=8)
    SITE_URL: AnyHttpUrl
    POSTGRES_DSN: PostgresDsn
    REDIS_DSN: RedisDsn
    UPLOAD_DIR: DirectoryPath
    HOST: str
    PORT: int


settings = Settings()
app = FastAPI()


@app.get("/")
def root():
    return {"environment": settings.ENVIRONMENT, "tier": settings.TIER.value, "port": settings.PORT}
