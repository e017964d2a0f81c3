"""Backup and restore of the whole database: documents and their bytes, registers, batches,
accounts and the audit log.

Each database with its own tool, the one its operators know: PostgreSQL's `pg_dump` in its
custom format (compressed, restored by `pg_restore`, which PostgreSQL's documentation
recommends over plain SQL for this), SQLite's online backup API (a consistent copy while the
service runs, which copying the file is not). A backup restores only into an empty database of
the same kind; the migrations then bring it up to this version.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url

from service.db import upgrade


class BackupError(RuntimeError):
    """A backup or restore that could not be made, with what to do about it."""


def backup(url: str, path: Path) -> None:
    """Write a backup of the database at `url` to `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    database = make_url(url)
    if database.get_backend_name() == "sqlite":
        source = _sqlite_file(url)
        if not source.exists():
            raise BackupError(f"there is no database at {source}")
        with _sqlite(source) as from_db, _sqlite(path) as to_db:
            from_db.backup(to_db)
        return
    if database.get_backend_name() == "postgresql":
        _pg("pg_dump", url, "--format=custom", "--no-owner", "--no-privileges", f"--file={path}")
        return
    raise BackupError(f"no backup for databases of kind {database.get_backend_name()}")


def restore(url: str, path: Path) -> None:
    """Restore the backup at `path` into the empty database at `url`, then migrate it."""
    if not path.is_file():
        raise BackupError(f"there is no backup at {path}")
    database = make_url(url)
    if database.get_backend_name() == "sqlite":
        _sqlite_file(url).parent.mkdir(parents=True, exist_ok=True)
    tables = _tables(url)
    if tables:
        raise BackupError(
            f"the database already has tables ({', '.join(sorted(tables)[:5])}…): restore into "
            "a new, empty database"
        )
    if database.get_backend_name() == "sqlite":
        with _sqlite(path) as from_db, _sqlite(_sqlite_file(url)) as to_db:
            if not _is_sqlite_backup(from_db):
                raise BackupError(f"{path} is not a backup of a SQLite database of this service")
            from_db.backup(to_db)
    elif database.get_backend_name() == "postgresql":
        _pg(
            "pg_restore", url, "--no-owner", "--no-privileges", "--exit-on-error",
            "--single-transaction", f"--dbname={_pg_env(url)['PGDATABASE']}", str(path),
        )  # fmt: skip
    else:
        raise BackupError(f"no restore for databases of kind {database.get_backend_name()}")
    upgrade(url)


def _tables(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return inspect(connection).get_table_names()
    finally:
        engine.dispose()


def _sqlite_file(url: str) -> Path:
    name = make_url(url).database
    if not name or name == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up or restore into")
    return Path(name)


def _sqlite(path: Path) -> closing[sqlite3.Connection]:
    path.parent.mkdir(parents=True, exist_ok=True)
    return closing(sqlite3.connect(path))


def _is_sqlite_backup(connection: sqlite3.Connection) -> bool:
    try:
        names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError:
        return False
    return {"documents", "alembic_version"} <= names


def _pg_env(url: str) -> dict[str, str]:
    """libpq's variables for `url` (the password travels in the environment, not in argv,
    where every user of the machine could read it)."""
    database = make_url(url)
    env = {
        "PGHOST": database.host or "",
        "PGPORT": str(database.port or ""),
        "PGUSER": database.username or "",
        "PGPASSWORD": database.password or "",
        "PGDATABASE": database.database or "",
    }
    return {key: value for key, value in env.items() if value}


def _pg(tool: str, url: str, *args: str) -> None:
    program = shutil.which(tool)
    if program is None:
        raise BackupError(f"{tool} is not installed (Debian: apt-get install postgresql-client)")
    done = subprocess.run(
        [program, *args],
        env={**os.environ, **_pg_env(url)},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"{tool} failed: {done.stderr.strip() or done.returncode}")
