"""DOCX → PDF behind the Converter protocol: a pool of warm LibreOffice processes.

    from service.conversion import ConversionError, Converter, ConverterPool, pdf_profiles

    converter = converter_from_config(app.config)   # nothing starts until the first call
    pdf = converter.convert(docx_bytes)                          # PDF bytes
    pdf = converter.convert(docx_bytes, pdf_profile="pdf/a-2b")  # PDF/A-2b, for archiving
    converter.health()   # {"size", "conversions", "restarts", "failures", "slots": [{"slot",
                         #  "state", "pid", "conversions", "restarts", "rss_kib", "font", …}]}
    converter.close()    # stops the processes

`Converter.convert(docx, *, pdf_profile=None, timeout=None) -> bytes`: `pdf_profile` is None
(LibreOffice's PDF) or a key of `pdf_profiles` ("pdf/a-2b"); `timeout` replaces the pool's
per-document timeout. It either returns the PDF or raises `ConversionError`, whose `.code` is
one of `conversion_timeout`, `converter_crashed`, `converter_unavailable`, `fonts_missing`,
`conversion_failed`, `unknown_pdf_profile` and whose `.message` says what happened in plain
English; the caller's thread or process never dies of a converter's failure, a call whose
LibreOffice died under it is tried once more on a restarted one, and the call after a timeout
finds the converter restarted. `ConverterPool` adds `start()` (start every slot now) and
`health(probe=True)` (also ping the idle slots over UNO, restarting one that does not answer).

`ConverterPool(size, *, timeout, max_conversions, start_timeout=60, soffice="soffice",
python=None, environment=None, workdir=None)` is thread-safe: `size` slots, each one
soffice with its own profile and a bridge program (`bridge.py`, under Debian's Python: the
only one LibreOffice's `uno` works with) that loads the .docx from memory and stores the PDF
to memory over UNO; a call takes a free slot or waits for one; there is no lock shared by
the slots. A forked child makes its own processes on first use. The settings are in
`service.config` (`CONVERTER_*`); `converter_from_config` reads them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from service.config import CONVERTER_SETTINGS
from service.conversion.errors import ConversionError
from service.conversion.pool import ConverterPool, default_python, pdf_profiles


class Converter(Protocol):
    """What turns a .docx into a PDF."""

    def convert(
        self, docx: bytes, *, pdf_profile: str | None = None, timeout: float | None = None
    ) -> bytes: ...

    def health(self) -> dict: ...

    def close(self) -> None: ...


def converter_from_config(config: Mapping[str, Any]) -> Converter:
    """The converter pool the settings describe; its processes start on first use."""

    def setting(key: str) -> Any:
        value = config.get(key)
        return CONVERTER_SETTINGS[key] if value is None or value == "" else value

    return ConverterPool(
        int(setting("CONVERTER_SLOTS")),
        timeout=float(setting("CONVERTER_TIMEOUT_SECONDS")),
        max_conversions=int(setting("CONVERTER_MAX_CONVERSIONS")),
        start_timeout=float(setting("CONVERTER_START_TIMEOUT_SECONDS")),
        soffice=setting("CONVERTER_SOFFICE"),
        python=setting("CONVERTER_PYTHON") or default_python(),
    )


__all__ = [
    "ConversionError",
    "Converter",
    "ConverterPool",
    "converter_from_config",
    "default_python",
    "pdf_profiles",
]
