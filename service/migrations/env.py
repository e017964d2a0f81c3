"""Alembic environment: a connection from service.db.upgrade, or DATABASE_URL."""

from alembic import context
from sqlalchemy import create_engine

from service import config as settings
from service.models import Base


def _migrate(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    url = settings.load()["DATABASE_URL"]
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=Base.metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(url)
    with engine.connect() as connection:
        _migrate(connection)
        connection.commit()
    engine.dispose()


run()
