"""Municipality registry and outgoing register: letterheads by id, numbers without gaps.

A number is taken from the municipality's yearly sequence in the same transaction as the
document record: the counter row stays locked until that transaction commits, so concurrent
requests get consecutive numbers, and a request that fails rolls its number back (no gaps).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from service.batches import numbers, spreadsheets
from service.db import insert_unless_present
from service.domain.common import Bilingual, NameForms
from service.domain.numbering import outgoing_number
from service.errors import Forbidden, InvalidInput, NotFound
from service.language import kyrgyz
from service.language.grammatical_forms import body_forms
from service.models import DocumentRecord, Municipality, RegisterCounter, RegisterEntry, utcnow
from service.schemas.common import clean_texts
from service.schemas.municipality import MunicipalitySchema
from service.tenancy import Role, Scope, get_scoped


class MunicipalityNotFound(NotFound):
    message = "Municipality not found."


ADMIN_ONLY_ERROR = "Only an admin of the organisation may do this."
PROFILE_ROLES_ERROR = "Only a secretary or an admin may change a municipality's profile."


def validate(data: Any) -> dict:
    """Check registry input; return it as given, its texts cleaned as documents clean them
    (it is stored as JSON, and becomes part of document inputs)."""
    try:
        MunicipalitySchema().load(data)
    except ValidationError as err:
        raise InvalidInput(errors=err.messages) from err
    return clean_texts(data)


def create(session: Session, scope: Scope, data: Any) -> Municipality:
    """Add a municipality to the scope's organisation (an admin's)."""
    if not scope.has(Role.ADMIN):
        raise Forbidden(ADMIN_ONLY_ERROR)
    data = validate(data)
    municipality = Municipality(
        id=uuid.uuid4().hex,
        tenant=scope.tenant,
        data=data,
        numbering_pattern=data.get("numbering_pattern", "{seq}"),
    )
    session.add(municipality)
    session.flush()
    return municipality


def replace(session: Session, scope: Scope, municipality_id: str, data: Any) -> Municipality:
    municipality = get(session, scope, municipality_id)
    if not (scope.has(Role.ADMIN) or scope.has(Role.SECRETARY)):
        raise Forbidden(PROFILE_ROLES_ERROR)
    data = validate(data)
    municipality.data = data
    municipality.numbering_pattern = data.get("numbering_pattern", "{seq}")
    municipality.updated_at = utcnow()
    session.flush()
    return municipality


def changed_fields(before: dict, after: dict) -> list[str]:
    """The top-level fields of registry input that differ (head, letterhead, numbering…)."""
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def get(session: Session, scope: Scope, municipality_id: str) -> Municipality:
    """The municipality `municipality_id` of the scope's tenant, one it acts for;
    MunicipalityNotFound else."""
    municipality = get_scoped(session, Municipality, municipality_id, scope)
    if municipality is None or not scope.covers(municipality.id):
        raise MunicipalityNotFound()
    return municipality


def all_of(session: Session, scope: Scope) -> list[Municipality]:
    """The municipalities the scope acts for."""
    query = select(Municipality).where(Municipality.tenant == scope.tenant)
    if scope.municipalities is not None:
        query = query.where(Municipality.id.in_(sorted(scope.municipalities)))
    return list(session.scalars(query.order_by(Municipality.created_at, Municipality.id)))


def effective_forms(municipality: Municipality) -> dict[str, str | None]:
    """The forms documents will use: those set by hand, the others computed."""
    data = municipality.data
    forms = body_forms(Bilingual(**data["name"]), NameForms(**(data.get("forms") or {})))
    return vars(forms)


def effective_territory(municipality: Municipality) -> dict[str, str] | None:
    """The territory documents will name: the one set by hand, or derived from the name."""
    data = municipality.data
    if data.get("territory"):
        return data["territory"]
    derived = kyrgyz.territory_of(data["name"].get("ky") or "")
    return {"ky": derived} if derived else None


def describe(municipality: Municipality) -> dict:
    """The registry entry as the API shows it."""
    return {
        **municipality.data,
        "id": municipality.id,
        "forms": effective_forms(municipality),
        "territory": effective_territory(municipality),
        "created_at": municipality.created_at,
        "updated_at": municipality.updated_at,
    }


def display_name(municipality: Municipality) -> str:
    """The body's name as files name it (Russian where it has one)."""
    name = municipality.data["name"]
    return name.get("ru") or name.get("ky") or ""


def issuer_of(municipality: Municipality) -> dict:
    """The `issuer` block of a document input, from the registry entry."""
    data = municipality.data
    issuer = {"body": data["name"], "head": data["head"]}
    for key in ("country", "region", "district", "forms", "territory"):
        if data.get(key):
            issuer[key] = data[key]
    return issuer


def resolve(
    session: Session, scope: Scope, payload: Any, *, with_act: bool
) -> tuple[dict, Municipality | None]:
    """Fill a document input's letterhead from `municipality_id`, where it gives one: the parts
    of `issuer` the input gives win over the registry's, and (for a kind that has them,
    `with_act`) the municipality's act words and line after the preamble stand unless the
    input has its own."""
    if not isinstance(payload, dict) or "municipality_id" not in payload:
        return payload, None
    reference = payload["municipality_id"]
    if not isinstance(reference, str) or not reference:
        raise InvalidInput(errors={"municipality_id": ["Unknown municipality."]})
    try:
        municipality = get(session, scope, reference)
    except MunicipalityNotFound:
        raise InvalidInput(errors={"municipality_id": ["Unknown municipality."]}) from None
    resolved = {**payload}
    issuer, given = issuer_of(municipality), payload.get("issuer", {})
    # A value that is not an object stays, for the schema to report.
    resolved["issuer"] = {**issuer, **given} if isinstance(given, dict) else given
    for key in ("act", "order_line") if with_act else ():
        if municipality.data.get(key) and key not in payload:
            resolved[key] = municipality.data[key]
    return resolved, municipality


def next_outgoing_number(
    session: Session, municipality: Municipality, year: int
) -> tuple[int, str]:
    """Take the next number of `year`; the counter stays locked until the caller commits."""
    chunk = numbers.of(session)
    if chunk is not None:  # a batch's chunk numbers its valid items at its end
        return chunk.next(municipality, year)
    _ensure_counter(session, municipality, year)
    seq = session.execute(
        update(RegisterCounter)
        .where(RegisterCounter.municipality_id == municipality.id, RegisterCounter.year == year)
        .values(last_seq=RegisterCounter.last_seq + 1)
        .returning(RegisterCounter.last_seq)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return seq, outgoing_number(municipality.numbering_pattern, seq=seq, year=year)


def _ensure_counter(session: Session, municipality: Municipality, year: int) -> None:
    if session.get(RegisterCounter, (municipality.id, year)) is None:
        insert_unless_present(
            session, RegisterCounter, municipality_id=municipality.id, year=year, last_seq=0
        )


COUNTER_BACKWARDS_ERROR = (
    "Numbers up to {issued} of {year} are issued already: the next one cannot be {next}."
)
COUNTER_ROLES_ERROR = "Only a secretary or an admin may change a municipality's register."
SEQ_NOT_NEXT_ERROR = (
    "The next number of {year} in this register is {next}, not {seq}: record the lines in order."
)


@dataclass(frozen=True)
class Counter:
    """Where a municipality's numbering of a year stands: the last sequence issued (or set
    as the start, for a municipality joining mid-year), the next one, and how it will read."""

    year: int
    last_seq: int
    next: int
    next_number: str
    issued: int  # the highest sequence that has a register line


def _keeper(session: Session, scope: Scope, municipality_id: str) -> Municipality:
    municipality = get(session, scope, municipality_id)
    if not (scope.has(Role.ADMIN) or scope.has(Role.SECRETARY)):
        raise Forbidden(COUNTER_ROLES_ERROR)
    return municipality


def _highest_issued(session: Session, municipality_id: str, year: int) -> int:
    return (
        session.scalar(
            select(func.max(RegisterEntry.seq)).where(
                RegisterEntry.municipality_id == municipality_id, RegisterEntry.year == year
            )
        )
        or 0
    )


def counter(session: Session, scope: Scope, municipality_id: str, year: int) -> Counter:
    municipality = get(session, scope, municipality_id)
    found = session.get(RegisterCounter, (municipality.id, year))
    last = found.last_seq if found is not None else 0
    return Counter(
        year,
        last,
        last + 1,
        outgoing_number(municipality.numbering_pattern, seq=last + 1, year=year),
        _highest_issued(session, municipality.id, year),
    )


def set_counter(
    session: Session, scope: Scope, municipality_id: str, year: int, next_seq: int
) -> Counter:
    """Make `next_seq` the next number of `year` (a municipality joining mid-year starts at
    its paper journal's next number). Never below a number issued already: InvalidInput.
    The counter row is locked until the caller commits, as a number taken is."""
    municipality = _keeper(session, scope, municipality_id)
    _ensure_counter(session, municipality, year)
    locked = session.execute(
        select(RegisterCounter)
        .where(RegisterCounter.municipality_id == municipality.id, RegisterCounter.year == year)
        .with_for_update()
    ).scalar_one()
    issued = _highest_issued(session, municipality.id, year)
    if next_seq <= issued:
        raise InvalidInput(
            errors={
                "next": [COUNTER_BACKWARDS_ERROR.format(issued=issued, year=year, next=next_seq)]
            }
        )
    locked.last_seq = next_seq - 1
    session.flush()
    return counter(session, scope, municipality_id, year)


def record_issue(
    session: Session,
    municipality: Municipality,
    *,
    seq: int,
    number: str,
    issued_on: date,
    kind: str,
    subject: str,
    document_id: str | None,
    signed_by: str | None = None,
    executed_by: str | None = None,
) -> RegisterEntry:
    entry = RegisterEntry(
        municipality_id=municipality.id,
        year=issued_on.year,
        seq=seq,
        number=number,
        issued_on=issued_on,
        kind=kind,
        subject=subject,
        document_id=document_id,
        signed_by=signed_by,
        executed_by=executed_by,
    )
    session.add(entry)
    session.flush()
    return entry


def record_outside(session: Session, scope: Scope, municipality_id: str, line: dict) -> Issue:
    """Record a number the office took outside the service (a letter typed by hand, a number
    the electronic document system gave): it takes the next sequence of its year, so the
    counter moves past it and the register stays without gaps. `line` as
    service.schemas.municipality.OutsideLineSchema loads it; a `seq` it gives must be that next
    one (a check that the paper journal and this register agree)."""
    municipality = _keeper(session, scope, municipality_id)
    issued_on = line["date"]
    seq, formatted = next_outgoing_number(session, municipality, issued_on.year)
    if line.get("seq") is not None and line["seq"] != seq:
        raise InvalidInput(
            errors={
                "seq": [SEQ_NOT_NEXT_ERROR.format(year=issued_on.year, next=seq, seq=line["seq"])]
            }
        )
    entry = record_issue(
        session,
        municipality,
        seq=seq,
        number=line.get("number") or formatted,
        issued_on=issued_on,
        kind=line["kind"],
        subject=line["subject"],
        document_id=None,
        signed_by=line.get("signed_by"),
        executed_by=line.get("executed_by"),
    )
    return _issue(entry, None, None)


# The register status of a deleted document: its line and number stay.
WITHDRAWN = "withdrawn"
# …of a line recorded without a document (a number taken outside the service).
OUTSIDE = "recorded"


@dataclass(frozen=True)
class Issue:
    """One line of the outgoing register. A number, once taken, stays taken: a document
    that was then cancelled, failed or deleted (withdrawn) keeps it, and its status says so;
    a number taken outside the service has no document (status «recorded»)."""

    number: str
    seq: int
    issued_on: date
    kind: str
    subject: str
    document_id: str | None
    status: str
    signed_by: str | None = None
    executed_by: str | None = None


def _issue(entry: RegisterEntry, status, deleted_at) -> Issue:
    shown = WITHDRAWN if deleted_at else str(status)
    if entry.document_id is None:
        shown = OUTSIDE
    return Issue(
        entry.number,
        entry.seq,
        entry.issued_on,
        entry.kind,
        entry.subject,
        entry.document_id,
        shown,
        entry.signed_by,
        entry.executed_by,
    )


def register_line(
    session: Session, scope: Scope, municipality_id: str, year: int, seq: int
) -> Issue:
    """The line `seq` of `year` in a municipality's register; NotFound if there is none."""
    for issue in register(session, scope, municipality_id, year):
        if issue.seq == seq:
            return issue
    raise NotFound()


def register(session: Session, scope: Scope, municipality_id: str, year: int) -> list[Issue]:
    get(session, scope, municipality_id)
    rows = session.execute(
        select(RegisterEntry, DocumentRecord.status, DocumentRecord.deleted_at)
        .outerjoin(DocumentRecord, DocumentRecord.id == RegisterEntry.document_id)
        .where(RegisterEntry.municipality_id == municipality_id, RegisterEntry.year == year)
        .order_by(RegisterEntry.seq)
    )
    return [_issue(e, status, deleted_at) for e, status, deleted_at in rows]


def signed_by(issuer: dict | None) -> str | None:
    """«Глава айыл окмоту Б. Асанов»: who signs, from a document input's `issuer.head`."""
    head = (issuer or {}).get("head") if isinstance(issuer, dict) else None
    if not isinstance(head, dict) or not head.get("name"):
        return None
    position = head.get("position") or {}
    title = position.get("ru") or position.get("ky") if isinstance(position, dict) else None
    return f"{title} {head['name']}" if title else str(head["name"])


# The columns of a paper outgoing journal («журнал регистрации исходящих документов»), in
# its order; labels from the catalogs (context «register column»), kinds and statuses too.
REGISTER_COLUMNS = (
    "seq", "number", "date", "kind", "subject", "signed_by", "executed_by", "status",
    "document_id",
)  # fmt: skip
REGISTER_WIDTHS = (6, 16, 11, 18, 60, 28, 24, 12, 34)


def register_rows(entries: list[Issue], lang: str) -> list[list]:
    return [
        [
            e.seq,
            e.number,
            e.issued_on,
            spreadsheets.kind_name(e.kind, lang),
            e.subject,
            e.signed_by or "",
            e.executed_by or "",
            spreadsheets.status_name(e.status, lang),
            e.document_id or "",
        ]
        for e in entries
    ]


def register_csv(entries: list[Issue], lang: str = "en") -> bytes:
    return spreadsheets.csv_export(
        spreadsheets.labels("register column", REGISTER_COLUMNS, lang),
        register_rows(entries, lang),
    )


def register_xlsx(entries: list[Issue], title: str, lang: str = "en") -> bytes:
    return spreadsheets.xlsx_export(
        spreadsheets.labels("register column", REGISTER_COLUMNS, lang),
        register_rows(entries, lang),
        title=title,
        widths=REGISTER_WIDTHS,
    )
