from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    # A required secret on the Space: the app's PostgreSQL, driver included.
    notes_database_url: str
    secret_key: str = "dev-only"


settings = Settings()
