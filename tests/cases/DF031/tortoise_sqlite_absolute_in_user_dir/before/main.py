from fastapi import FastAPI
from tortoise.contrib.fastapi import register_tortoise

from settings import TORTOISE_ORM

app = FastAPI()
register_tortoise(app, config=TORTOISE_ORM, generate_schemas=True)
