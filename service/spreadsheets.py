"""CSV and XLSX writing lives in service.batches.tables; these two names remain for the
modules that still import them from here (service.registry).

They import it when called: service.batches imports the registry, so an import here at load
time would be circular.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """See service.batches.tables.csv_bytes."""
    from service.batches import tables

    return tables.csv_bytes(header, rows)


def xlsx_bytes(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    title: str,
    widths: Sequence[float] = (),
) -> bytes:
    """See service.batches.tables.xlsx_bytes."""
    from service.batches import tables

    return tables.xlsx_bytes(header, rows, title=title, widths=widths)
