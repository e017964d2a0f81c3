"""Where document bytes live, behind one small interface.

The database backend keeps a deployment to one stateful service (PostgreSQL, or the SQLite
file); an object store can replace it without touching the callers.
"""

from __future__ import annotations

import hashlib
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db import insert_unless_present
from service.models import Blob


class Storage(Protocol):
    def put(self, session: Session, data: bytes) -> str:
        """Store `data` and return its key (the sha256)."""

    def get(self, session: Session, key: str) -> bytes | None:
        """Return the bytes under `key`, or None."""


class DatabaseStorage:
    """Bytes in the `blobs` table, written in the caller's transaction."""

    def put(self, session: Session, data: bytes) -> str:
        key = hashlib.sha256(data).hexdigest()
        # The same bytes stored before (or by another worker) are left as they are.
        insert_unless_present(session, Blob, key=key, data=data, size=len(data))
        return key

    def get(self, session: Session, key: str) -> bytes | None:
        return session.scalar(select(Blob.data).where(Blob.key == key))


class MemoryStorage:
    """Bytes in a dict: for tests of code that does not care where bytes go."""

    def __init__(self) -> None:
        self.items: dict[str, bytes] = {}

    def put(self, session: Session, data: bytes) -> str:
        key = hashlib.sha256(data).hexdigest()
        self.items[key] = data
        return key

    def get(self, session: Session, key: str) -> bytes | None:
        return self.items.get(key)
