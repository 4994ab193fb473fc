from fastapi import FastAPI
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env")
    greeting: str = "hello"


settings = Settings()
app = FastAPI()


@app.get("/")
def root() -> dict[str, str]:
    return {"message": settings.greeting}
