import os

DATABASE_URL = os.getenv("DATABASE_URL", "postgresql://app:s3cret@db.example.com/app")
CACHE = "mysql://app:s3cret@mysql.example.com:3306/cache"
OK = "postgresql://app:s3cret@db.example.com:443/app"
LOCAL = "postgresql://postgres:postgres@localhost:5432/app"
