import os

from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

DATABASE_URL = "postgresql://{}:{}@{}:{}/{}".format(
    os.environ["DB_USER"],
    os.environ["DB_PASSWORD"],
    os.environ["DB_HOST"],
    os.environ.get("DB_PORT", "5432"),
    os.environ["DB_NAME"],
)
engine = create_engine(DATABASE_URL)
SessionLocal = sessionmaker(bind=engine)
