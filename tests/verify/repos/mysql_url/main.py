import os

from fastapi import FastAPI
from sqlalchemy import create_engine, text

# A secret the Space owner sets: `mysql+pymysql://user:password@host:3306/shop`
engine = create_engine(os.environ["SHOP_DATABASE_URL"], pool_pre_ping=True)
with engine.begin() as connection:
    connection.execute(
        text("CREATE TABLE IF NOT EXISTS orders (id INT AUTO_INCREMENT PRIMARY KEY, item TEXT)")
    )

app = FastAPI()


@app.get("/")
def root():
    with engine.connect() as connection:
        return {
            "orders": connection.execute(text("SELECT COUNT(*) FROM orders")).scalar(),
            "database": connection.execute(text("SELECT DATABASE()")).scalar(),
        }
