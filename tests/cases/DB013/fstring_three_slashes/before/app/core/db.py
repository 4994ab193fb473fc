from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from app.core.config import settings

# The orders database (PostgreSQL).
ORDERS_URL = (
    f"postgresql+asyncpg:///"
    f"{settings.db_user}:{settings.db_password}@"
    f"{settings.db_host}:{settings.db_port}/{settings.db_name}"
)

engine = create_async_engine(ORDERS_URL, echo=False)
Session = async_sessionmaker(engine, expire_on_commit=False)
