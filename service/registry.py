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
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.batches.tables import csv_bytes, xlsx_bytes
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
    exists = session.get(RegisterCounter, (municipality.id, year))
    if exists is None:
        insert_unless_present(
            session, RegisterCounter, municipality_id=municipality.id, year=year, last_seq=0
        )
    seq = session.execute(
        update(RegisterCounter)
        .where(RegisterCounter.municipality_id == municipality.id, RegisterCounter.year == year)
        .values(last_seq=RegisterCounter.last_seq + 1)
        .returning(RegisterCounter.last_seq)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return seq, outgoing_number(municipality.numbering_pattern, seq=seq, year=year)


def record_issue(
    session: Session,
    municipality: Municipality,
    *,
    seq: int,
    number: str,
    issued_on: date,
    kind: str,
    subject: str,
    document_id: str,
) -> None:
    session.add(
        RegisterEntry(
            municipality_id=municipality.id,
            year=issued_on.year,
            seq=seq,
            number=number,
            issued_on=issued_on,
            kind=kind,
            subject=subject,
            document_id=document_id,
        )
    )
    session.flush()


# The register status of a deleted document: its line and number stay.
WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Issue:
    """One line of the outgoing register. A number, once taken, stays taken: a document
    that was then cancelled, failed or deleted (withdrawn) keeps it, and its status says so."""

    number: str
    seq: int
    issued_on: date
    kind: str
    subject: str
    document_id: str
    status: str


def register(session: Session, scope: Scope, municipality_id: str, year: int) -> list[Issue]:
    get(session, scope, municipality_id)
    rows = session.execute(
        select(RegisterEntry, DocumentRecord.status, DocumentRecord.deleted_at)
        .join(DocumentRecord, DocumentRecord.id == RegisterEntry.document_id)
        .where(RegisterEntry.municipality_id == municipality_id, RegisterEntry.year == year)
        .order_by(RegisterEntry.seq)
    )
    return [
        Issue(
            e.number,
            e.seq,
            e.issued_on,
            e.kind,
            e.subject,
            e.document_id,
            WITHDRAWN if deleted_at else str(status),
        )
        for e, status, deleted_at in rows
    ]


REGISTER_COLUMNS = ("number", "seq", "date", "kind", "subject", "document_id", "status")


def _rows(entries: list[Issue]) -> list[list]:
    return [
        [e.number, e.seq, e.issued_on.isoformat(), e.kind, e.subject, e.document_id, e.status]
        for e in entries
    ]


def register_csv(entries: list[Issue]) -> bytes:
    return csv_bytes(REGISTER_COLUMNS, _rows(entries))


def register_xlsx(entries: list[Issue], title: str) -> bytes:
    return xlsx_bytes(
        REGISTER_COLUMNS, _rows(entries), title=title, widths=(18, 6, 12, 22, 70, 34, 10)
    )
