"""Lists of batches: those a scope may see (exactly those `creation.get` finds), narrowed
and a page at a time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from service.domain.clock import BISHKEK
from service.domain.status import Status
from service.models import Batch, BatchItem, Conversion, DocumentRecord
from service.tenancy import Role, Scope


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=BISHKEK).astimezone(UTC)


def _unfinished_items():
    """SQL: the batch has an item whose job, or one of its outputs, has not ended."""
    running = [Status.QUEUED, Status.RUNNING]
    converting = (
        select(Conversion.id)
        .where(Conversion.document_id == DocumentRecord.id, Conversion.status.in_(running))
        .exists()
    )
    return (
        select(BatchItem.row)
        .join(DocumentRecord, DocumentRecord.id == BatchItem.document_id)
        .where(
            BatchItem.batch_id == Batch.id,
            or_(DocumentRecord.status.in_(running), converting),
        )
        .exists()
    )


def listed(
    session: Session,
    scope: Scope,
    *,
    page: int,
    per_page: int,
    kind: str | None = None,
    municipality_id: str | None = None,
    created_from: date | None = None,
    created_to: date | None = None,
    finished: bool | None = None,
) -> tuple[list[str], int]:
    """A page of the ids of the batches `scope` may see, newest first, and how many match."""
    if not scope.has(Role.COORDINATOR):
        return [], 0
    query = select(Batch.id).where(Batch.tenant == scope.tenant)
    if scope.municipalities is not None:
        # Only batches all of whose items are of its municipalities (as `creation.get`).
        beyond = (
            select(BatchItem.row)
            .where(
                BatchItem.batch_id == Batch.id,
                or_(
                    BatchItem.municipality_id.is_(None),
                    BatchItem.municipality_id.not_in(sorted(scope.municipalities)),
                ),
            )
            .exists()
        )
        query = query.where(~beyond)
    if kind is not None:
        query = query.where(Batch.kind == kind)
    if municipality_id is not None:
        query = query.where(
            select(BatchItem.row)
            .where(BatchItem.batch_id == Batch.id, BatchItem.municipality_id == municipality_id)
            .exists()
        )
    if created_from is not None:
        query = query.where(Batch.created_at >= _start_of(created_from))
    if created_to is not None:
        query = query.where(Batch.created_at < _start_of(created_to + timedelta(days=1)))
    if finished is not None:
        recorded = (
            select(func.count())
            .select_from(BatchItem)
            .where(BatchItem.batch_id == Batch.id)
            .scalar_subquery()
        )
        done = and_(recorded == Batch.item_count, ~_unfinished_items())
        query = query.where(done if finished else ~done)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    ids = session.scalars(
        query.order_by(Batch.created_at.desc(), Batch.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return list(ids), total
