from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TASKS_")

    secret_key: str
    openai_api_key: str = Field(alias="OPENAI_API_KEY")
    debug: bool = False
