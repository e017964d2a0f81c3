"""Who may see what: the scope every query of stored records is made in.

A tenant is an organisation with accounts: one municipality's own office (an aiyl okmotu is
self-governing and may keep its documents itself), or a district office that coordinates
several municipalities and issues documents for those without an account of their own. Every
stored record (documents, batches, municipalities) belongs to exactly one tenant; a
municipality's outgoing register belongs to the municipality, so that the documents a district
office issues for it and those its own office issues take numbers from one sequence.

A scope is a user's view of its organisation: the tenant, the municipalities it acts for (None:
all of the organisation's) and its roles. A secretary works on orders and on the profile of
their municipalities, a coordinator on plans, reports and batches, an admin on users, tokens
and the organisation's municipalities; in a small aiyl okmotu one person holds all three.
What a scope may not see is absent: another tenant's id, or a record of a municipality or a
kind beyond the scope, is answered as one that never existed (404).

No function takes a default scope: a caller that forgets it fails loudly instead of reading
another tenant's records.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

T = TypeVar("T")


class Role(StrEnum):
    SECRETARY = "secretary"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


ALL_ROLES = frozenset(Role)

# The role that makes and reads the documents of each kind; a kind not listed is the
# coordinator's.
KIND_ROLES: dict[str, Role] = {
    "working-group-order": Role.SECRETARY,
    "joint-plan": Role.COORDINATOR,
    "annual-report": Role.COORDINATOR,
}


def kind_role(kind: str) -> Role:
    """The role that works on documents of `kind`."""
    return KIND_ROLES.get(kind, Role.COORDINATOR)


@dataclass(frozen=True)
class Scope:
    """The tenant whose records a query may see, the municipalities among them it acts for
    (None: all of the tenant's) and the roles it acts in."""

    tenant: str
    municipalities: frozenset[str] | None
    roles: frozenset[Role]

    @classmethod
    def whole(cls, tenant: str) -> Scope:
        """Every role over every municipality of `tenant` (the command line's scope)."""
        return cls(tenant, None, ALL_ROLES)

    def has(self, role: Role) -> bool:
        return role in self.roles

    def covers(self, municipality_id: str | None) -> bool:
        """Whether the scope acts for `municipality_id` (a record of no municipality: only an
        unrestricted scope)."""
        if self.municipalities is None:
            return True
        return municipality_id is not None and municipality_id in self.municipalities

    def kinds_allowed(self, kinds) -> list[str]:
        """Those of `kinds` whose documents the scope's roles work on."""
        return [kind for kind in kinds if kind_role(kind) in self.roles]


def get_scoped(session: Session, model: type[T], record_id: Any, scope: Scope) -> T | None:
    """The record of `model` with this id in the scope's tenant, or None (another tenant's
    record is as absent as one that never existed)."""
    return session.scalar(
        select(model).where(model.id == record_id, model.tenant == scope.tenant)  # type: ignore[attr-defined]
    )
