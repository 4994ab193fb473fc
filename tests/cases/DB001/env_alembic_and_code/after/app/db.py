import os

DATABASE_URL = os.getenv("DATABASE_URL", "postgresql://dev:dev@localhost/dev")
