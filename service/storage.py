"""Where document bytes live, behind one small interface: put, open, stream, read_many,
delete.

No database session crosses it, so an object store can replace the database backend without
touching the callers. Keys are the sha256 of the bytes: equal documents share one blob, and
storing the same bytes twice (or from two workers at once) is harmless.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import BinaryIO, Protocol

from sqlalchemy import LargeBinary, delete, func, select, text

from service.db import Database, insert_unless_present
from service.models import Blob

CHUNK_SIZE = 256 * 1024
READ_GROUP = 32  # documents per query of read_many


class MissingBlob(LookupError):
    """No bytes are stored under the key."""


class Storage(Protocol):
    def put(self, data: bytes) -> str:
        """Store `data` and return its key."""

    def open(self, key: str) -> BinaryIO:
        """The bytes under `key` as a binary file; MissingBlob if there are none."""

    def stream(self, key: str, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
        """The bytes under `key` in chunks of at most `chunk_size`; MissingBlob (raised by
        the first chunk) if there are none."""

    def read_many(self, keys: Iterable[str]) -> Iterator[bytes]:
        """The bytes under each key, in the order given (a batch's archive reads its documents
        so); MissingBlob for the first key without bytes."""

    def delete(self, key: str) -> None:
        """Forget the bytes under `key` (nothing if there are none).

        Keys are shared by equal documents: the caller deletes a key no artifact uses.
        """


def content_key(data: bytes) -> str:
    """The key of `data`: its sha256, in hex."""
    return hashlib.sha256(data).hexdigest()


class DatabaseStorage:
    """Bytes in the `blobs` table, each call in a short transaction of its own."""

    def __init__(self, db: Database):
        self.db = db

    def put(self, data: bytes) -> str:
        key = content_key(data)
        with self.db.session() as session:
            if session.get_bind().dialect.name == "postgresql":
                # No wait for the disk here: bytes count only once an artifact names them, and
                # that commit (synchronous) flushes the log up to it, these bytes included. A
                # crash before it loses at most bytes nothing points to.
                session.execute(text("SET LOCAL synchronous_commit TO OFF"))
            # The same bytes stored before (or by another worker) are left as they are.
            insert_unless_present(session, Blob, key=key, data=data, size=len(data))
        return key

    def open(self, key: str) -> BinaryIO:
        with self.db.session() as session:
            data = session.scalar(select(Blob.data).where(Blob.key == key))
        if data is None:
            raise MissingBlob(key)
        return io.BytesIO(data)

    def stream(self, key: str, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
        # A chunk per query, each in its own transaction: a slow reader holds no connection.
        offset = 0
        while True:
            with self.db.session() as session:
                piece = func.substr(Blob.data, offset + 1, chunk_size, type_=LargeBinary)
                row = session.execute(select(piece).where(Blob.key == key)).first()
            if row is None:  # never stored, or deleted while it was read
                raise MissingBlob(key)
            chunk = row[0] or b""  # SQLite's substr of an empty blob is NULL
            if chunk:
                yield bytes(chunk)
            if len(chunk) < chunk_size:
                return
            offset += chunk_size

    def read_many(self, keys: Iterable[str]) -> Iterator[bytes]:
        # A query per READ_GROUP keys, not per key; memory holds one group at a time.
        pending = iter(keys)
        while group := list(islice(pending, READ_GROUP)):
            with self.db.session() as session:
                rows = session.execute(select(Blob.key, Blob.data).where(Blob.key.in_(group)))
                found = {key: bytes(data) for key, data in rows}
            for key in group:
                if key not in found:
                    raise MissingBlob(key)
                yield found[key]

    def delete(self, key: str) -> None:
        with self.db.session() as session:
            session.execute(delete(Blob).where(Blob.key == key))


class MemoryStorage:
    """Bytes in a dict: for tests of code that does not care where bytes go."""

    def __init__(self) -> None:
        self.items: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def put(self, data: bytes) -> str:
        key = content_key(data)
        with self._lock:
            self.items.setdefault(key, bytes(data))
        return key

    def open(self, key: str) -> BinaryIO:
        return io.BytesIO(self._get(key))

    def stream(self, key: str, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
        data = self._get(key)
        for start in range(0, len(data), chunk_size):
            yield data[start : start + chunk_size]

    def read_many(self, keys: Iterable[str]) -> Iterator[bytes]:
        for key in keys:
            yield self._get(key)

    def delete(self, key: str) -> None:
        with self._lock:
            self.items.pop(key, None)

    def _get(self, key: str) -> bytes:
        try:
            return self.items[key]
        except KeyError:
            raise MissingBlob(key) from None
