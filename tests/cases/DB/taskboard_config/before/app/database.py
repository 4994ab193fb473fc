from sqlmodel import Session, SQLModel, create_engine

from app.core.config import settings

# echo=True is handy when debugging queries
engine = create_engine(settings.DATABASE_URL, echo=False, pool_pre_ping=True)


def create_db_and_tables() -> None:
    # make sure the models are registered on the metadata before create_all
    from app import models  # noqa: F401

    SQLModel.metadata.create_all(engine)


def get_session():
    with Session(engine) as session:
        yield session
