import os

import pymysql


def connect() -> pymysql.connections.Connection:
    # Each part of the address is its own secret; no URL anywhere.
    return pymysql.connect(
        host=os.environ["MYSQL_HOST"],
        port=int(os.environ["MYSQL_PORT"]),
        user=os.environ["MYSQL_USER"],
        password=os.environ["MYSQL_PASSWORD"],
        db=os.environ["MYSQL_DB"],
    )
