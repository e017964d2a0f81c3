"""The `Content-Disposition` of every download (documents, batch archives, merged PDFs,
registers, audit exports, upload templates): one function names them all.

A name with Kyrgyz or Russian letters goes out twice (RFC 6266, RFC 8187 — RFC 5987's
successor): `filename*=UTF-8''…` keeps it as it is, for every current browser and
`curl -OJ`; the plain `filename`, for clients that read only that one, is the name in ASCII
Latin letters («Rasporyazhenie_03-12_146-B_2015-06-26.docx», service.language.latin) where
Werkzeug's own fallback would drop every Cyrillic letter («_03-12_146-_2015-06-26.docx»).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from flask import Response, send_file
from werkzeug.http import dump_options_header

from service.language.latin import to_ascii

# What may stay in the ASCII name: letters, digits and a few marks safe on every system.
_UNSAFE = re.compile(r"[^A-Za-z0-9._()+-]+")
# RFC 8187 attr-char: what `filename*` may carry unescaped.
_ATTR_CHARS = "!#$&+-.^_`|~"


def ascii_filename(filename: str) -> str:
    """`filename` in ASCII letters, digits and `._()+-` (others become «_»); never empty."""
    stem, dot, suffix = filename.rpartition(".")
    if not dot:
        stem, suffix = filename, ""
    stem = _UNSAFE.sub("_", to_ascii(stem)).strip("_") or "download"
    suffix = _UNSAFE.sub("", to_ascii(suffix))
    return f"{stem}.{suffix}" if suffix else stem


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """The header's value: `attachment; filename="<ASCII>"`, and `filename*=UTF-8''<name>`
    when the name is not plain ASCII already."""
    fallback = ascii_filename(filename)
    options = {"filename": fallback}
    if fallback != filename:
        options["filename*"] = "UTF-8''" + quote(filename, safe=_ATTR_CHARS)
    return dump_options_header(disposition, options)


def attach(response: Response, filename: str) -> Response:
    """Make `response` a download named `filename`."""
    response.headers["Content-Disposition"] = content_disposition(filename)
    return response


def send_download(file: Any, *, download_name: str, **kwargs: Any) -> Response:
    """`flask.send_file(file, as_attachment=True, …)` with this service's file names."""
    kwargs["as_attachment"] = True
    return attach(send_file(file, download_name=download_name, **kwargs), download_name)
