from pydantic import Field
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    database_url: str = Field(
        default="postgresql+psycopg://shop:shop@localhost:5432/shop",
        description="PostgreSQL connection string",
    )


settings = Settings()
