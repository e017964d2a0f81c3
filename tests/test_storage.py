"""Storage: put, open, stream, read_many and delete bytes by key, the same in every backend.

The database backend runs on SQLite and on PostgreSQL, each call in its own transaction;
the in-memory one stands in for it in tests.
"""

from __future__ import annotations

import hashlib
import inspect
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from service.db import Database, upgrade
from service.models import Blob
from service.storage import READ_GROUP, DatabaseStorage, MemoryStorage, MissingBlob, Storage
from tests.stack import PostgresDatabase

DATA = bytes(range(256)) * 41  # 10,496 bytes: not a multiple of the chunk sizes below


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def storage(request, tmp_path):
    if request.param == "memory":
        yield MemoryStorage()
        return
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'blobs.sqlite3'}"
    else:
        postgres = PostgresDatabase()
        postgres.create()
        request.addfinalizer(postgres.drop)
        url = postgres.url
    upgrade(url)
    db = Database(url)
    yield DatabaseStorage(db)
    db.dispose()


def blob_rows(storage) -> int | None:
    """How many rows the database backend keeps (None for the others)."""
    if not isinstance(storage, DatabaseStorage):
        return None
    with storage.db.session() as session:
        return session.scalar(select(func.count()).select_from(Blob))


def test_put_returns_the_sha256_and_open_gives_the_bytes_back(storage):
    key = storage.put(DATA)
    assert key == hashlib.sha256(DATA).hexdigest()
    with storage.open(key) as stored:
        assert stored.read() == DATA


def test_equal_bytes_share_one_blob(storage):
    keys = {storage.put(DATA), storage.put(bytes(DATA))}
    assert len(keys) == 1
    assert blob_rows(storage) in (1, None)
    assert storage.put(b"other") != keys.pop()
    assert blob_rows(storage) in (2, None)


def test_the_same_bytes_from_many_threads_at_once(storage):
    with ThreadPoolExecutor(max_workers=8) as pool:
        keys = set(pool.map(lambda _: storage.put(DATA), range(16)))
    assert keys == {hashlib.sha256(DATA).hexdigest()}
    assert blob_rows(storage) in (1, None)


@pytest.mark.parametrize("chunk_size", [1000, 256, len(DATA), len(DATA) + 1, 10_496 // 2])
def test_stream_gives_the_bytes_in_chunks(storage, chunk_size):
    key = storage.put(DATA)
    chunks = list(storage.stream(key, chunk_size))
    assert b"".join(chunks) == DATA
    assert all(len(c) == chunk_size for c in chunks[:-1]) and 0 < len(chunks[-1]) <= chunk_size
    assert len(chunks) == -(-len(DATA) // chunk_size)


def test_empty_bytes(storage):
    key = storage.put(b"")
    assert storage.open(key).read() == b""
    assert list(storage.stream(key, 100)) == []


def test_unknown_key_is_missing(storage):
    with pytest.raises(MissingBlob):
        storage.open("0" * 64)
    with pytest.raises(MissingBlob):
        list(storage.stream("0" * 64, 100))


def test_delete_forgets_the_bytes_and_nothing_else(storage):
    kept, deleted = storage.put(b"kept"), storage.put(DATA)
    storage.delete(deleted)
    storage.delete(deleted)  # twice, or a key never stored: nothing happens
    with pytest.raises(MissingBlob):
        storage.open(deleted)
    assert storage.open(kept).read() == b"kept"
    assert storage.put(DATA) == deleted and storage.open(deleted).read() == DATA


def test_no_database_session_in_the_interface():
    for backend in (Storage, DatabaseStorage, MemoryStorage):
        for name in ("put", "open", "stream", "delete"):
            parameters = list(inspect.signature(getattr(backend, name)).parameters)
            assert "session" not in parameters, (backend, name)
    assert list(inspect.signature(DatabaseStorage).parameters) == ["db"]


def test_read_many_gives_the_bytes_in_the_order_asked_across_groups(storage):
    contents = [f"document {n}".encode() for n in range(READ_GROUP + 3)]
    keys = [storage.put(content) for content in contents]
    asked = keys[::-1] + keys[:2]  # reversed, past a group boundary, one key asked twice
    assert list(storage.read_many(asked)) == contents[::-1] + contents[:2]
    missing = iter(storage.read_many([keys[0], "0" * 64]))
    assert next(missing) == contents[0]
    with pytest.raises(MissingBlob):
        next(missing)
