SQLALCHEMY_DATABASE_URL = "sqlite:///./sql_app.db"
MEMORY = "sqlite://"
