from typing import Optional

from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    LLM_API_KEY: Optional[str] = None


settings = Settings()
