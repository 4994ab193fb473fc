from typing import Optional

from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    HF_SPACE_URL: Optional[str] = None
