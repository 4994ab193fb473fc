from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    postgres_server: str
    postgres_password: str
    postgres_db: str = "app"

    @property
    def database_url(self) -> str:
        return build_url(self)


def build_url(s: "Settings") -> str:
    return "postgresql://app:" + s.postgres_password + "@" + s.postgres_server + "/" + s.postgres_db


settings = Settings()
