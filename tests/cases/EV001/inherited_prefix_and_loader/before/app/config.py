from typing import ClassVar

from pydantic_settings import BaseSettings, SettingsConfigDict

PREFIX = "NOTES_"


class BaseAppSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=PREFIX, env_file=".env")


class Settings(BaseAppSettings):
    """Inherits the NOTES_ prefix from its base."""

    secret_key: str
    debug: bool = False


class MailSettings(BaseSettings):
    model_config: ClassVar[SettingsConfigDict] = SettingsConfigDict(env_prefix="MAIL_")

    password: str


class LegacySettings(BaseSettings):
    api_token: str

    class Config:
        env_prefix: str = "LEGACY_"
