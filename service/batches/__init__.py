"""Batches: one kind of document for many municipalities, from JSON or a CSV/XLSX upload.

`creation` records a batch's items as jobs, tells their progress and cancels them; `archive`
streams a finished batch as a ZIP with its manifest; `tables` reads uploads and writes the
CSV/XLSX files (the outgoing register's too).
"""
