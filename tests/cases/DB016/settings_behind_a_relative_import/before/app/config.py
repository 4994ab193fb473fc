from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    signing_key: str
    database_url: str = "sqlite:////tmp/notes.db"


settings = Settings()
