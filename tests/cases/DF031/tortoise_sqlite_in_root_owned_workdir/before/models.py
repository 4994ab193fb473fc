from tortoise import fields
from tortoise.models import Model


class Book(Model):
    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=200)
