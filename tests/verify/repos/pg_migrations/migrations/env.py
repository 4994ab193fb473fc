from alembic import context
from settings import DATABASE_URL
from sqlalchemy import create_engine

connectable = create_engine(DATABASE_URL)
with connectable.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
