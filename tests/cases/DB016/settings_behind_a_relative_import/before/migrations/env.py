from alembic import context


def run_migrations_online() -> None:
    from app.db.base import Base

    context.configure(target_metadata=Base.metadata)


run_migrations_online()
