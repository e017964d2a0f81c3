"""Database engine and sessions, and schema migrations with Alembic."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"

# The databases the service runs on; both have INSERT … ON CONFLICT.
_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert_unless_present(session: Session, model: type, **values) -> None:
    """INSERT a row, doing nothing if one with the same key exists (or is being inserted by a
    concurrent transaction, which this one then waits for)."""
    insert = _INSERT[session.get_bind().dialect.name]
    session.execute(insert(model).values(**values).on_conflict_do_nothing())


class Database:
    """One engine and a session factory for a database URL."""

    def __init__(self, url: str):
        self.url = url
        kwargs: dict = {"pool_pre_ping": True}
        if url.startswith("sqlite"):
            if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
                Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kwargs.update(pool_size=10, max_overflow=20)
        self.engine: Engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Transactions are begun by _sqlite_begin, not by the driver.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection) -> None:
    """Take the write lock at the start: a read transaction that later writes would fail at
    once (SQLITE_BUSY) when another thread wrote meanwhile, whatever the busy timeout."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def upgrade(url: str, revision: str = "head") -> None:
    """Apply the Alembic migrations to `url`."""
    from alembic import command
    from alembic.config import Config

    database = Database(url)
    try:
        with database.engine.begin() as connection:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        database.dispose()
