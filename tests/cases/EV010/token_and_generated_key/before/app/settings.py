from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    # generated once with `openssl rand -hex 32`, then committed
    secret_key: str = "4e1f0c9b7a2d8e6f3c5b1a09d8e7f6c5b4a3928170f6e5d4c3b2a1908f7e6d5c"
    algorithm: str = "HS256"
    access_token_expire_minutes: int = 30


settings = Settings()
