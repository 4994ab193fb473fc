from fastapi import FastAPI

try:
    from ingest import run
except ImportError:  # only for local use
    run = None

app = FastAPI()
