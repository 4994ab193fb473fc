import os

import asyncpg

DSN = os.environ.get("DATABASE_URL", "postgresql://shop:shop@pg.example.com:443/shop")


async def open_pool() -> asyncpg.Pool:
    return await asyncpg.create_pool(DSN, min_size=1, max_size=5)
