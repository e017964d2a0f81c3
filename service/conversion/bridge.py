"""The converter's bridge: drives one soffice over UNO, for one slot of the pool.

Run by `service.conversion.pool` under Debian's `/usr/bin/python3` (or an environment made on
it with `--system-site-packages`), the only interpreter LibreOffice's `uno` module works with,
so it imports nothing but the standard library and `uno`: never the service.

    python3 bridge.py --pipe NAME --soffice-pgid PGID --connect-timeout SECONDS

It connects to the soffice listening on the pipe NAME (`--accept=pipe,name=NAME;urp;`), then
answers requests read from its standard input, each a header and a body, both frames of a
4-byte big-endian length and that many bytes; the header is UTF-8 JSON:

    {"op": "convert", "profile": null | "pdf/a-2b"} + the .docx
                        →  {"ok": true} + the PDF, or {"ok": false, "code", "message"}
    {"op": "ping"}      →  {"ok": true}
    {"op": "quit"}      →  soffice terminated, {"ok": true}, exit

The first frame it writes is {"ok": true, "event": "ready", …} once soffice answers, or
{"ok": false, …} if it never does. The document is loaded from memory (`private:stream` with
a `SequenceInputStream` over the bytes) and the PDF stored into a `SequenceOutputStream`:
nothing is written to disk. Whatever ends it but a quit (its standard input closed because
the service died, a reply it cannot write, SIGTERM) kills soffice's process group first, so
no LibreOffice outlives the service.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import struct
import sys
import time

import uno
from com.sun.star.beans import PropertyValue

WORD_FILTER = "MS Word 2007 XML"
PDF_FILTER = "writer_pdf_Export"
# PDF export options of each profile (LibreOffice's writer_pdf_Export FilterData).
PROFILES = {
    None: {},
    "pdf/a-2b": {"SelectPdfVersion": 2},
}
# Errors that mean the office process is gone: the slot must be restarted.
FATAL = ("DisposedException", "RuntimeException")


class Unreadable(Exception):
    """The input is not a document LibreOffice can open."""


def properties(**values) -> tuple:
    """UNO PropertyValues from keyword arguments."""
    result = []
    for name, value in values.items():
        prop = PropertyValue()
        prop.Name, prop.Value = name, value
        result.append(prop)
    return tuple(result)


class Bridge:
    """One UNO connection to one soffice."""

    def __init__(self, pipe: str, timeout: float, soffice_pgid: int):
        self.soffice_pgid = soffice_pgid
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.context = resolver.resolve(
                    f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext"
                )
                break
            except Exception:  # NoConnectException until soffice listens
                if time.monotonic() > deadline or not self._soffice_alive():
                    raise
                time.sleep(0.05)
        self.manager = self.context.ServiceManager
        self.desktop = self.manager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", self.context
        )
        self.document = None

    def _soffice_alive(self) -> bool:
        try:
            os.killpg(self.soffice_pgid, 0)
        except ProcessLookupError:
            return False
        return True

    def convert(self, docx: bytes, profile: str | None) -> bytes:
        """The PDF of `docx`, converted in memory; the document stays open until
        `close_document` (called once the PDF is sent: the caller need not wait for it)."""
        stream = self.manager.createInstanceWithArgumentsAndContext(
            "com.sun.star.io.SequenceInputStream", (uno.ByteSequence(docx),), self.context
        )
        document = self.desktop.loadComponentFromURL(
            "private:stream",
            "_blank",
            0,
            properties(
                InputStream=stream,
                FilterName=WORD_FILTER,
                Hidden=True,
                ReadOnly=True,
                MacroExecutionMode=0,  # NEVER_EXECUTE
                UpdateDocMode=0,  # NO_UPDATE: no links fetched
            ),
        )
        if document is None:
            raise Unreadable("LibreOffice could not read the document as a Word (.docx) file.")
        self.document = document
        output = self.manager.createInstanceWithContext(
            "com.sun.star.io.SequenceOutputStream", self.context
        )
        filter_data = uno.Any("[]com.sun.star.beans.PropertyValue", properties(**PROFILES[profile]))
        document.storeToURL(
            "private:stream",
            properties(OutputStream=output, FilterName=PDF_FILTER, FilterData=filter_data),
        )
        return output.getWrittenBytes().value

    def close_document(self) -> None:
        document, self.document = self.document, None
        if document is None:
            return
        try:
            document.close(True)
        except Exception:
            with contextlib.suppress(Exception):
                document.dispose()

    def ping(self) -> None:
        self.desktop.getFrames().getCount()

    def terminate(self) -> None:
        with contextlib.suppress(Exception):
            self.desktop.terminate()


def read_exact(stream, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def read_frame(stream) -> bytes | None:
    head = read_exact(stream, 4)
    if head is None:
        return None
    return read_exact(stream, struct.unpack(">I", head)[0])


def write_message(stream, header: dict, body: bytes = b"") -> None:
    encoded = json.dumps(header).encode()
    stream.write(struct.pack(">I", len(encoded)) + encoded + struct.pack(">I", len(body)))
    stream.write(body)
    stream.flush()


def serve(bridge: Bridge, requests, replies) -> bool:
    """Answer requests until quit (True) or the end of the input or a fatal error (False)."""
    while True:
        header = read_frame(requests)
        body = read_frame(requests) if header is not None else None
        if header is None or body is None:
            return False  # the service is gone
        request = json.loads(header)
        op = request.get("op")
        if op == "quit":
            bridge.terminate()
            write_message(replies, {"ok": True})
            return True
        try:
            if op == "ping":
                bridge.ping()
                write_message(replies, {"ok": True})
            elif op == "convert":
                pdf = bridge.convert(body, request.get("profile"))
                write_message(replies, {"ok": True}, pdf)
            else:
                write_message(replies, {"ok": False, "code": "bad_request", "message": op})
        except Unreadable as error:
            write_message(
                replies, {"ok": False, "code": "conversion_failed", "message": str(error)}
            )
        except OSError:
            raise  # the reply could not be written: the service is gone
        except Exception as error:
            name = type(error).__name__
            fatal = any(word in name for word in FATAL)
            code = "converter_crashed" if fatal else "conversion_failed"
            detail = getattr(error, "Message", "") or str(error)
            message = f"LibreOffice could not convert the document ({name}{': ' * bool(detail)}"
            write_message(replies, {"ok": False, "code": code, "message": f"{message}{detail})."})
            if fatal:
                return False
        finally:
            bridge.close_document()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pipe", required=True)
    parser.add_argument("--soffice-pgid", type=int, required=True)
    parser.add_argument("--connect-timeout", type=float, default=60.0)
    args = parser.parse_args()
    # The protocol owns the standard output: whatever else prints goes to the error output.
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    orderly = False
    try:
        try:
            bridge = Bridge(args.pipe, args.connect_timeout, args.soffice_pgid)
        except Exception as error:
            name = type(error).__name__
            message = getattr(error, "Message", "") or str(error) or name
            write_message(
                replies, {"ok": False, "code": "converter_unavailable", "message": message}
            )
            return 1
        write_message(replies, {"ok": True, "event": "ready", "python": sys.version.split()[0]})
        orderly = serve(bridge, sys.stdin.buffer, replies)
        return 0
    finally:
        # Whatever ended this bridge but a quit (the service gone, a broken pipe, a signal),
        # its soffice must not outlive it.
        if not orderly:
            with contextlib.suppress(OSError):
                os.killpg(args.soffice_pgid, signal.SIGKILL)


if __name__ == "__main__":
    sys.exit(main())
