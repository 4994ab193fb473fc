import sqlite3

from fastapi import FastAPI
from peewee import CharField, Model, SqliteDatabase

database = SqliteDatabase("pantry.db")
cache = sqlite3.connect(":memory:", check_same_thread=False)


class Item(Model):
    name = CharField()

    class Meta:
        database = database


app = FastAPI()


@app.get("/items")
def items() -> list[str]:
    return [item.name for item in Item.select()]
