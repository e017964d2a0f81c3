"""The outgoing register of a municipality: the year's issued numbers as the office's paper
journal keeps them, printable on A4, and downloadable as XLSX and CSV.

The lines and the files are the API's (service.registry.register, register_rows,
register_xlsx, register_csv), in the signed-in user's scope and the page's language.
"""

from __future__ import annotations

import io
from datetime import date

from flask import render_template, request, url_for
from flask_login import current_user

from service import extensions, registry
from service.api.downloads import send_download
from service.api.municipalities import XLSX_MIME
from service.batches import spreadsheets
from service.web.blueprint import bp, menu_item
from service.web.documents import audit_event, municipality_names
from service.web.language import ui_language

menu_item("web.register", "Outgoing register")

# The columns the page shows: those of the register export but its link to the service.
SHOWN = registry.REGISTER_COLUMNS[:-1]
FILE_TYPES = {"xlsx": XLSX_MIME, "csv": "text/csv"}


def _year() -> int:
    try:
        year = int(request.args.get("year", ""))
    except ValueError:
        return date.today().year
    return year if 1990 <= year <= 2100 else date.today().year


def _chosen(names: dict[str, str]) -> str | None:
    """The municipality asked for, else the first the user acts for (an unknown id is the
    registry's 404)."""
    asked = request.args.get("municipality_id") or None
    return asked or next(iter(names), None)


@bp.route("/register")
def register():
    """The year's lines of a municipality's outgoing register."""
    scope, lang, year = current_user.scope, ui_language(), _year()
    with extensions.db().session() as session:
        names = municipality_names(session, scope)
        municipality_id = _chosen(names)
        entries = (
            registry.register(session, scope, municipality_id, year) if municipality_id else []
        )
    header = spreadsheets.labels("register column", SHOWN, lang)
    rows = [row[: len(SHOWN)] for row in registry.register_rows(entries, lang)]
    return render_template(
        "register/register.html",
        header=header,
        rows=[
            dict(zip(SHOWN, row, strict=True))
            | {"document_id": entry.document_id if entry.status != registry.WITHDRAWN else None}
            for row, entry in zip(rows, entries, strict=True)
        ],
        names=names,
        municipality_id=municipality_id,
        municipality=names.get(municipality_id or "", ""),
        year=year,
        downloads={
            ext: url_for("web.register_file", ext=ext, municipality_id=municipality_id, year=year)
            for ext in FILE_TYPES
        }
        if municipality_id
        else {},
    )


@bp.route("/register/file.xlsx", defaults={"ext": "xlsx"})
@bp.route("/register/file.csv", defaults={"ext": "csv"})
def register_file(ext: str):
    """The register as the API exports it, headed in the page's language."""
    scope, lang, year = current_user.scope, ui_language(), _year()
    municipality_id = request.args.get("municipality_id", "")
    with extensions.db().session() as session:
        entries = registry.register(session, scope, municipality_id, year)
        body = registry.display_name(registry.get(session, scope, municipality_id))
    audit_event(
        "exported", "register", municipality_id, municipality_id=municipality_id,
        details={"year": year, "format": ext},
    )  # fmt: skip
    what = spreadsheets.labels("export", ["register"], lang)[0]
    filename = spreadsheets.export_filename(what, body, year, ext=ext)
    if ext == "csv":
        content = registry.register_csv(entries, lang)
    else:
        content = registry.register_xlsx(entries, f"{year} {what}", lang)
    return send_download(io.BytesIO(content), mimetype=FILE_TYPES[ext], download_name=filename)
