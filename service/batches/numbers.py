"""Outgoing numbers for a chunk of a batch: many documents numbered in one transaction, no gaps.

Alone, a document takes its number with one UPDATE of its counter before its input is
checked, and a savepoint gives the number back if the input is refused. A chunk of a batch
instead reads each counter it needs once, locking it (`ChunkNumbers.next` says which number
the item being checked would get), keeps the number only once the item is recorded
(`keep`; `drop` gives it to the next valid item), and moves each counter on by the numbers
kept in one UPDATE … RETURNING (`close`). The counters stay locked until the chunk commits,
as a single document's does.

`service.registry.next_outgoing_number` asks the chunk's numbers while they are installed on
the session (`installed`), so that every document still goes through
`service.submission.record_document`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import update
from sqlalchemy.orm import Session

from service.db import insert_unless_present
from service.domain.numbering import outgoing_number
from service.models import Municipality, RegisterCounter

# The session.info key under which a chunk's numbers are installed.
INFO_KEY = "docgen.chunk_numbers"


class ChunkNumbers:
    """The numbers of one chunk's transaction (see the module)."""

    def __init__(self, session: Session):
        self.session = session
        self._last: dict[tuple[str, int], int] = {}  # as read under the lock
        self._kept: dict[tuple[str, int], int] = {}
        self._pending: list[tuple[str, int]] = []

    def next(self, municipality: Municipality, year: int) -> tuple[int, str]:
        """The number of `year` the item being recorded gets if it is kept: (seq, text)."""
        key = (municipality.id, year)
        if key not in self._last:
            self._last[key] = self._lock(municipality.id, year)
        seq = self._last[key] + self._kept.get(key, 0) + self._pending.count(key) + 1
        self._pending.append(key)
        return seq, outgoing_number(municipality.numbering_pattern, seq=seq, year=year)

    def keep(self) -> None:
        """The item was recorded: its numbers are taken."""
        for key in self._pending:
            self._kept[key] = self._kept.get(key, 0) + 1
        self._pending.clear()

    def drop(self) -> None:
        """The item was refused: its numbers go to the next items."""
        self._pending.clear()

    def close(self) -> None:
        """Move each counter on by the numbers kept."""
        self.drop()
        for (municipality_id, year), count in self._kept.items():
            seq = self.session.execute(
                update(RegisterCounter)
                .where(
                    RegisterCounter.municipality_id == municipality_id,
                    RegisterCounter.year == year,
                )
                .values(last_seq=RegisterCounter.last_seq + count)
                .returning(RegisterCounter.last_seq)
                .execution_options(synchronize_session=False)
            ).scalar_one()
            if seq != self._last[(municipality_id, year)] + count:
                # Locked since it was read, it cannot have moved: a defect, not a gap.
                raise RuntimeError("outgoing counter moved while locked")
        self._kept.clear()

    def _lock(self, municipality_id: str, year: int) -> int:
        insert_unless_present(
            self.session, RegisterCounter, municipality_id=municipality_id, year=year, last_seq=0
        )
        # An UPDATE that changes nothing: it locks the row and says where the counter is.
        return self.session.execute(
            update(RegisterCounter)
            .where(RegisterCounter.municipality_id == municipality_id, RegisterCounter.year == year)
            .values(last_seq=RegisterCounter.last_seq)
            .returning(RegisterCounter.last_seq)
            .execution_options(synchronize_session=False)
        ).scalar_one()


def of(session: Session) -> ChunkNumbers | None:
    """The chunk's numbers installed on `session`, if any."""
    return session.info.get(INFO_KEY)


@contextmanager
def installed(session: Session) -> Iterator[ChunkNumbers]:
    """Number the documents recorded in `session` from one ChunkNumbers, closed at the end."""
    numbers = ChunkNumbers(session)
    session.info[INFO_KEY] = numbers
    try:
        yield numbers
        numbers.close()
    finally:
        session.info.pop(INFO_KEY, None)
