from alembic import context
from app.database import DATABASE_URL, engine
from app.models import Base

config = context.config
config.set_main_option("sqlalchemy.url", DATABASE_URL)

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata)
    with context.begin_transaction():
        context.run_migrations()
