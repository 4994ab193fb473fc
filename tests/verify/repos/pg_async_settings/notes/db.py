from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from .config import settings

engine = create_async_engine(settings.notes_database_url, pool_pre_ping=True)
Session = async_sessionmaker(engine, expire_on_commit=False)
