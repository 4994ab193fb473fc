from os import environ

from sqlalchemy import create_engine


def get_engine():
    return create_engine(environ["DATABASE_URL"].strip(), echo=False)
