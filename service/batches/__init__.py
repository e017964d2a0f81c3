"""Batches: one kind of document for many municipalities, from JSON or a CSV/XLSX upload.

`creation` records a batch's items as jobs, tells their progress and cancels them; `archive`
streams a finished batch as a ZIP with its manifest; `tables` reads uploads and writes the
CSV/XLSX files.
"""

from service.batches.archive import BatchNotReady, stream_archive
from service.batches.creation import INTERNAL_ITEM_ERROR, BatchNotFound, cancel, create, describe
from service.batches.tables import items_from_table, template_csv, template_xlsx

__all__ = [
    "INTERNAL_ITEM_ERROR",
    "BatchNotFound",
    "BatchNotReady",
    "cancel",
    "create",
    "describe",
    "items_from_table",
    "stream_archive",
    "template_csv",
    "template_xlsx",
]
