from fastapi import FastAPI
from settings import DATABASE_URL
from sqlalchemy import create_engine, text

engine = create_engine(DATABASE_URL)
with engine.begin() as connection:
    connection.execute(text("CREATE TABLE IF NOT EXISTS notes (id SERIAL PRIMARY KEY)"))

app = FastAPI()


@app.get("/")
def root():
    with engine.connect() as connection:
        return {
            "notes": connection.execute(text("SELECT COUNT(*) FROM notes")).scalar(),
            "database": connection.execute(text("SELECT current_database()")).scalar(),
        }
