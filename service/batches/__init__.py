"""Batches: one kind of document for many municipalities, from JSON or a CSV/XLSX upload.

`creation` records a batch's items as jobs and tells their progress (and cancels them),
`archive` streams the finished batch as a ZIP with its manifest, `tables` reads uploads and
writes the CSV/XLSX files.
"""

from service.batches.archive import MANIFEST_COLUMNS, Archive, BatchNotReady, stream_archive
from service.batches.creation import (
    INTERNAL_ITEM_ERROR,
    INVALID,
    BatchNotFound,
    cancel,
    create,
    describe,
    get,
    item_errors,
    merge,
)
from service.batches.tables import items_from_table, template_csv, template_xlsx

__all__ = [
    "INTERNAL_ITEM_ERROR",
    "INVALID",
    "MANIFEST_COLUMNS",
    "Archive",
    "BatchNotFound",
    "BatchNotReady",
    "cancel",
    "create",
    "describe",
    "get",
    "item_errors",
    "items_from_table",
    "merge",
    "stream_archive",
    "template_csv",
    "template_xlsx",
]
