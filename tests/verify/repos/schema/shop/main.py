from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.models import Item, engine

app = FastAPI()


@app.get("/")
def root():
    with Session(engine) as session:
        return [item.name for item in session.scalars(select(Item))]
