from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    db_user: str = "blog"
    db_password: str = "blog"
    db_host: str = "pg.example.com"
    database_url: str = "postgresql+asyncpg://blog:blog@pg.example.com:443/blog"

    @property
    def sync_database_url(self) -> str:
        return f"postgresql://{self.db_user}:{self.db_password}@{self.db_host}:443/blog"


settings = Settings()
