from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    # generated once with `openssl rand -hex 32`, then committed
    secret_key: str
    algorithm: str = "HS256"
    access_token_expire_minutes: int = 30


settings = Settings()
