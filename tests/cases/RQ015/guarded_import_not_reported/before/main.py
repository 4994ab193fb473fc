from fastapi import FastAPI

try:
    import psycopg as driver
except ImportError:  # no libpq for psycopg 3: psycopg2's wheel bundles one
    import psycopg2 as driver

app = FastAPI()


@app.get("/driver")
def name() -> dict[str, str]:
    return {"driver": driver.__name__}
