from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    app_name: str = "bookshelf"
    database_url: str = "mysql+pymysql://shelf:shelf@database:3306/shelf"


settings = Settings()
