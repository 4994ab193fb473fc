import os

from sqlalchemy.ext.asyncio import create_async_engine

DB_NAME = os.environ.get("ORDERS_DB", "orders")
# host, port and user come from libpq's defaults
engine = create_async_engine(f"postgresql+asyncpg:///{DB_NAME}")
