"""Who may see what: the scope every query of stored records is made in.

A tenant is an office with an account: one municipality's own office (an aiyl okmotu is
self-governing and may keep its documents itself), or a district office that coordinates
several municipalities and issues documents for those without an account of their own. Every
stored record (documents, batches, municipalities) belongs to exactly one tenant; a
municipality's outgoing register belongs to the municipality, so that the documents a district
office issues for it and those its own office issues take numbers from one sequence (the
accounts issue grants a district office a scope over the municipalities it coordinates).
Until accounts exist, every request acts in the tenant `LOCAL` ("").

No function takes a default scope: a caller that forgets it fails loudly instead of reading
the default tenant's records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

T = TypeVar("T")


@dataclass(frozen=True)
class Scope:
    """The tenant whose records a query may see."""

    tenant: str


LOCAL = Scope("")


def get_scoped(session: Session, model: type[T], record_id: Any, scope: Scope) -> T | None:
    """The record of `model` with this id in the scope's tenant, or None (another tenant's
    record is as absent as one that never existed)."""
    return session.scalar(
        select(model).where(model.id == record_id, model.tenant == scope.tenant)  # type: ignore[attr-defined]
    )
