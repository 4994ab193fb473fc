import psycopg
from fastapi import FastAPI

app = FastAPI()


@app.get("/entries")
def entries() -> list[str]:
    with psycopg.connect() as conn:
        return [row[0] for row in conn.execute("SELECT title FROM entry")]
