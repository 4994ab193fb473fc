import os

DATABASE_URL = os.getenv("DATABASE_URL", "postgres://dev:dev@localhost/dev")
