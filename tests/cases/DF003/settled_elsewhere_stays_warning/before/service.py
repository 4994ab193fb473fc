import getpass
import os

from fastapi import FastAPI
from sqlalchemy import create_engine

# the Space's secret names the user; the default is for a laptop
engine = create_engine(os.getenv("DATABASE_URL", "postgresql:///notes"))
app = FastAPI(title="echo")


@app.get("/whoami")
def whoami() -> dict[str, str]:
    return {"user": getpass.getuser()}
