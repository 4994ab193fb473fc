import os
from typing import Optional

from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    HF_SPACE_URL: Optional[str] = ("https://" + os.environ["SPACE_HOST"]) if "SPACE_HOST" in os.environ else None
