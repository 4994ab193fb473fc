from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    database_url: str = "postgresql+psycopg://shop:shop@localhost:5432/shop"


settings = Settings()
