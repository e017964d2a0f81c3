"""The order (распоряжение / тескеме) of a municipality head that creates a working group."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from service.domain.common import Bilingual, Issuer, Language, Person


class Role(enum.StrEnum):
    """A member's role in the group, in the order the appendix lists them."""

    LEADER = "leader"
    DEPUTY = "deputy"
    SECRETARY = "secretary"
    MEMBER = "member"


ROLE_ORDER = list(Role)


@dataclass(frozen=True)
class Member(Person):
    role: Role = Role.MEMBER
    by_agreement: bool = False


@dataclass(frozen=True)
class DraftPlan:
    """When and to whom the working group submits the draft joint plan."""

    deadline: date
    submit_to: Bilingual


@dataclass(frozen=True)
class HeadKeepsControl:
    """The head who signs keeps control of the order's execution («…оставляю за собой»)."""


HEAD_KEEPS_CONTROL = HeadKeepsControl()


@dataclass(frozen=True)
class WorkingGroupOrder:
    language: Language
    issuer: Issuer
    act: Bilingual
    number: str
    date: date
    place: Bilingual | None
    subject: Bilingual | None
    legal_basis: tuple[Bilingual, ...] | None
    purpose: Bilingual
    draft_plan: DraftPlan
    control: Person | HeadKeepsControl
    members: tuple[Member, ...]
    extra_clauses: tuple[Bilingual, ...]
    responsible_secretary: Person | None
    # The line between the preamble and the clauses where the municipality sets one; None:
    # the act word's own («БУЙРУК КЫЛАМ:» for a буйрук, none for a тескеме).
    order_line: Bilingual | None = None
    # Made with its number and date left blank, for the state's electronic document system
    # to assign (`date` is then the day of the draft: the laws in force, the deadline check);
    # who prepared it, as the outgoing register lists it (not printed).
    assign_number_later: bool = False
    executed_by: str | None = None

    @property
    def members_in_order(self) -> list[Member]:
        """Leader, deputies, secretary, then members, each group in input order."""
        return sorted(self.members, key=lambda m: ROLE_ORDER.index(m.role))
