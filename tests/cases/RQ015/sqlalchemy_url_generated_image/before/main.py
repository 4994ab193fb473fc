from fastapi import FastAPI
from sqlalchemy import create_engine, text

engine = create_engine("postgresql+psycopg://ledger@db.example.com:5432/ledger")
app = FastAPI()


@app.get("/count")
def count() -> dict[str, int]:
    with engine.connect() as conn:
        return {"entries": conn.execute(text("SELECT count(*) FROM entry")).scalar_one()}
