"""The one error a converter raises."""

from __future__ import annotations


class ConversionError(Exception):
    """A document could not be converted: `code` says why, for machines; `message`, for people.

    Codes: `conversion_timeout` (the slot was killed and is being restarted),
    `converter_crashed` (LibreOffice died during the conversion, and again when it was tried
    once more on a restarted one),
    `converter_unavailable` (LibreOffice or its bridge could not be started, or the pool is
    closed), `fonts_missing` (no font for Times New Roman with ң ө ү), `conversion_failed`
    (LibreOffice could not read or export this document), `unknown_pdf_profile`.
    """

    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")
