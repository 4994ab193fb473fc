import os

from sqlalchemy import create_engine

test_engine = create_engine(os.getenv("TEST_DATABASE_URL", "postgresql+psycopg2://t:t@localhost/test"))
