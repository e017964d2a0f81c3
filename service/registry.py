"""Municipality registry and outgoing register: letterheads by id, numbers without gaps.

A number is taken from the municipality's yearly sequence in the same transaction as the
document record: the counter row stays locked until that transaction commits, so concurrent
requests get consecutive numbers, and a request that fails rolls its number back (no gaps).
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.db import insert_unless_present
from service.documents.forms import body_forms
from service.domain.common import Bilingual, NameForms
from service.errors import InvalidInput, NotFound
from service.jobs import Scope
from service.models import Municipality, RegisterCounter, RegisterEntry, utcnow
from service.schemas.municipality import MunicipalitySchema


class MunicipalityNotFound(NotFound):
    message = "Municipality not found."


def validate(data: Any) -> dict:
    """Check registry input; return it as given (stored as JSON)."""
    try:
        MunicipalitySchema().load(data)
    except ValidationError as err:
        raise InvalidInput(errors=err.messages) from err
    return data


def create(session: Session, scope: Scope, data: Any) -> Municipality:
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
    municipality.data = validate(data)
    municipality.numbering_pattern = data.get("numbering_pattern", "{seq}")
    municipality.updated_at = utcnow()
    session.flush()
    return municipality


def get(session: Session, scope: Scope, municipality_id: str) -> Municipality:
    municipality = session.scalar(
        select(Municipality).where(
            Municipality.id == municipality_id, Municipality.tenant == scope.tenant
        )
    )
    if municipality is None:
        raise MunicipalityNotFound()
    return municipality


def all_of(session: Session, scope: Scope) -> list[Municipality]:
    return list(
        session.scalars(
            select(Municipality)
            .where(Municipality.tenant == scope.tenant)
            .order_by(Municipality.created_at, Municipality.id)
        )
    )


def effective_forms(municipality: Municipality) -> dict[str, str | None]:
    """The forms documents will use: those set by hand, the others computed."""
    data = municipality.data
    forms = body_forms(Bilingual(**data["name"]), NameForms(**(data.get("forms") or {})))
    return vars(forms)


def describe(municipality: Municipality) -> dict:
    """The registry entry as the API shows it."""
    return {
        **municipality.data,
        "id": municipality.id,
        "forms": effective_forms(municipality),
        "created_at": municipality.created_at,
        "updated_at": municipality.updated_at,
    }


def issuer_of(municipality: Municipality) -> dict:
    """The `issuer` block of a document input, from the registry entry."""
    data = municipality.data
    issuer = {"body": data["name"], "head": data["head"]}
    for key in ("country", "region", "district", "forms"):
        if data.get(key):
            issuer[key] = data[key]
    return issuer


def resolve(session: Session, scope: Scope, payload: Any) -> tuple[dict, Municipality | None]:
    """Fill a document input's letterhead from `municipality_id`, where it gives one."""
    if not isinstance(payload, dict) or not payload.get("municipality_id"):
        return payload, None
    try:
        municipality = get(session, scope, str(payload["municipality_id"]))
    except MunicipalityNotFound:
        raise InvalidInput(errors={"municipality_id": ["Unknown municipality."]}) from None
    resolved = {**payload}
    resolved.setdefault("issuer", issuer_of(municipality))
    if municipality.data.get("act") and "act" not in payload:
        resolved["act"] = municipality.data["act"]
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
    return seq, municipality.numbering_pattern.format(seq=seq, year=year)


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


def register(session: Session, scope: Scope, municipality_id: str, year: int) -> list:
    get(session, scope, municipality_id)
    return list(
        session.scalars(
            select(RegisterEntry)
            .where(RegisterEntry.municipality_id == municipality_id, RegisterEntry.year == year)
            .order_by(RegisterEntry.seq)
        )
    )


REGISTER_COLUMNS = ("number", "seq", "date", "kind", "subject", "document_id")


def _rows(entries) -> list[list]:
    return [
        [e.number, e.seq, e.issued_on.isoformat(), e.kind, e.subject, e.document_id]
        for e in entries
    ]


def register_csv(entries) -> bytes:
    """CSV with a byte-order mark, so that Excel on an office PC shows Cyrillic right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(REGISTER_COLUMNS)
    writer.writerows(_rows(entries))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def register_xlsx(entries, title: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(REGISTER_COLUMNS)
    for row in _rows(entries):
        sheet.append(row)
    for column, width in zip("ABCDEF", (18, 6, 12, 22, 70, 34), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
