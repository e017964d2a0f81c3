"""Database engine and sessions, and schema migrations with Alembic."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy import create_engine, event, exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"

# Bounds on every wait for the database, so that a request never hangs while it is away: an
# outage is answered 503 within seconds, not after libpq's default 130 s connect timeout or
# gunicorn's 120 s worker timeout. A parameter given in DATABASE_URL's query wins
# (`?connect_timeout=10&options=-c statement_timeout=60s`).
# - connecting (a host that drops packets; a refused port fails at once): psycopg's minimum
#   is 2 s, 3 s leaves room for a loaded server's fork and authentication;
CONNECT_TIMEOUT_SECONDS = 3
# - one statement, lock waits included: the service issues indexed reads and single-row or
#   chunked writes, so 15 s only ends what would otherwise hang (a lock held by a stuck
#   session, a runaway plan);
STATEMENT_TIMEOUT_SECONDS = 15
# - a connection from a full pool (10 + 20 overflow);
POOL_TIMEOUT_SECONDS = 5
# - SQLite's write lock, which another thread holds for one transaction (a batch of thousands
#   of items is one): a job thread that gave up would fail its job;
SQLITE_BUSY_TIMEOUT_SECONDS = 30
# - a connection whose server vanished (no FIN, no RST) is closed after about 25 s instead of
#   the kernel's hours: by keepalive probes (10 + 3 × 5 s) while waiting for an answer, by
#   the TCP user timeout while what was sent is not acknowledged.
_TCP = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 25_000,  # ms
}

# The databases the service runs on; both have INSERT … ON CONFLICT.
_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert_unless_present(session: Session, model: type, **values) -> None:
    """INSERT a row, doing nothing if one with the same key exists (or is being inserted by a
    concurrent transaction, which this one then waits for)."""
    insert = _INSERT[session.get_bind().dialect.name]
    session.execute(insert(model).values(**values).on_conflict_do_nothing())


def is_unavailable(err: BaseException) -> bool:
    """Whether `err` means the database cannot serve now (stopped, restarting, unreachable,
    too slow, locked, or every pooled connection in use), rather than a defect or refused data.
    """
    if isinstance(err, exc.OperationalError | exc.InterfaceError | exc.TimeoutError):
        return True
    if isinstance(err, exc.DBAPIError) and err.connection_invalidated:
        return True
    return isinstance(err, psycopg.OperationalError | psycopg.InterfaceError)


class Database:
    """One engine and a session factory for a database URL.

    `statement_timeout=False` lifts the bound on statements (migrations may take long).
    """

    def __init__(self, url: str, *, statement_timeout: bool = True):
        self.url = url
        # A pooled connection that died while the database was away is replaced at checkout.
        kwargs: dict = {"pool_pre_ping": True}
        if url.startswith("sqlite"):
            if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
                Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {
                "check_same_thread": False,
                "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
            }
        else:
            kwargs.update(
                pool_size=10,
                max_overflow=20,
                pool_timeout=POOL_TIMEOUT_SECONDS,
                connect_args=_postgres_connect_args(url, statement_timeout),
            )
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


def _postgres_connect_args(url: str, statement_timeout: bool) -> dict:
    """The timeouts above, but those DATABASE_URL's query sets itself."""
    given = make_url(url).query
    args = {"connect_timeout": CONNECT_TIMEOUT_SECONDS, **_TCP}
    if statement_timeout:
        args["options"] = f"-c statement_timeout={STATEMENT_TIMEOUT_SECONDS}s"
    return {key: value for key, value in args.items() if key not in given}


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Transactions are begun by _sqlite_begin, not by the driver.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection) -> None:
    """Take the write lock at the start: a read transaction that later writes would fail at
    once (SQLITE_BUSY) when another thread wrote meanwhile, whatever the busy timeout."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def upgrade(url: str, revision: str = "head") -> None:
    """Apply the Alembic migrations to `url`."""
    _migrate(url, "upgrade", revision)


def downgrade(url: str, revision: str) -> None:
    """Undo the Alembic migrations of `url` down to `revision`."""
    _migrate(url, "downgrade", revision)


def _migrate(url: str, direction: str, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    database = Database(url, statement_timeout=False)
    try:
        with database.engine.begin() as connection:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = connection
            getattr(command, direction)(config, revision)
    finally:
        database.dispose()
