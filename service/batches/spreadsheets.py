"""Spreadsheets out, as offices here open and print them: the outgoing register and a batch's
manifest as `;`-separated CSV with a byte-order mark (Excel on a Russian-locale PC opens it
as it is) and as XLSX.

Headers, kinds and statuses are in the request's language, from the `errors` catalogs (one
msgid per column, context «register column» or «manifest column»; «document kind»,
«register status»); English shows the codes. Dates are dates: real date cells in XLSX,
dd.mm.yyyy in CSV. The XLSX is laid out for print: A4, landscape when wide, the header row
repeated on every page, fitted to the page's width.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date

from service.batches.tables import csv_bytes
from service.generation import safe_name
from service.i18n import translations

KIND = "document kind"
STATUS = "register status"
# Wider than this (in Excel's character widths) prints landscape.
PORTRAIT_WIDTH = 100
DATE_FORMAT = "DD.MM.YYYY"


def _pgettext(lang: str, context: str, message: str) -> str:
    return message if lang == "en" else translations(lang, "errors").pgettext(context, message)


def labels(context: str, columns: Sequence[str], lang: str) -> list[str]:
    """The columns' headers in `lang` (the codes themselves in English)."""
    return [_pgettext(lang, context, column) for column in columns]


def kind_name(kind: str, lang: str) -> str:
    """«Распоряжение / буйрук» for `working-group-order` in ru; the code in English."""
    return _pgettext(lang, KIND, kind)


def status_name(status: str, lang: str) -> str:
    return _pgettext(lang, STATUS, status)


def _csv_value(value: object) -> object:
    return value.strftime("%d.%m.%Y") if isinstance(value, date) else value


def csv_export(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """`;`-separated, UTF-8 with a BOM, dates as dd.mm.yyyy, no cell a formula."""
    return csv_bytes(header, ([_csv_value(v) for v in row] for row in rows), delimiter=";")


def xlsx_export(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    title: str,
    widths: Sequence[float],
) -> bytes:
    """One sheet named `title` (Excel's 31 characters): a bold, frozen header row repeated on
    every printed page, date cells as dates, texts as texts (never a formula), wrapped in the
    widest column; A4, landscape when the columns are wider than a portrait page, fitted to
    one page wide."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = safe_sheet_title(title)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    widest = max(range(len(widths)), key=lambda i: widths[i]) + 1 if widths else 0
    for column, text in enumerate(header, start=1):
        cell = sheet.cell(row=1, column=column, value=text)
        cell.data_type = "s"
        cell.font = bold
        cell.alignment = wrap
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=number, column=column, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever it starts with
            elif isinstance(value, date):
                cell.number_format = DATE_FORMAT
            if column == widest:
                cell.alignment = wrap
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if sum(widths) > PORTRAIT_WIDTH else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages long as it takes
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.gridLines = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def safe_sheet_title(title: str) -> str:
    """A sheet name Excel accepts: none of `[]:*?/\\`, at most 31 characters (cut at a word)."""
    cleaned = " ".join("".join(" " if c in "[]:*?/\\" else c for c in title).split())
    if len(cleaned) > 31:
        cleaned = cleaned[:32].rsplit(" ", 1)[0] if " " in cleaned[:32] else cleaned[:31]
    return cleaned or "Sheet"


def export_filename(what: str, *parts: object, ext: str) -> str:
    """The one place export files are named: what it is, then whose, which year, which batch
    («Реестр_исходящих_Уч-Коргон_айыл_окмоту_2026.xlsx»), each part made safe for any
    system; service.api.downloads sends it with its ASCII fallback («Reestr_iskhodyashchikh_…»)
    and the name itself in `filename*`."""
    pieces = [safe_name(str(p), 60) for p in (what, *parts) if p not in (None, "")]
    return f"{'_'.join(p for p in pieces if p)}.{ext}"
