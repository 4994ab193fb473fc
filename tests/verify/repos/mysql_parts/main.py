from contextlib import asynccontextmanager

from db import connect
from fastapi import FastAPI


@asynccontextmanager
async def lifespan(app: FastAPI):
    connection = connect()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS visits (id INT AUTO_INCREMENT PRIMARY KEY)")
    connection.commit()
    connection.close()
    yield


app = FastAPI(lifespan=lifespan)


@app.get("/")
def root():
    connection = connect()
    try:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO visits () VALUES ()")
            cursor.execute("SELECT COUNT(*), DATABASE(), CURRENT_USER() FROM visits")
            count, database, user = cursor.fetchone()
        connection.commit()
    finally:
        connection.close()
    return {"visits": count, "database": database, "user": user}
