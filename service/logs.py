"""Structured logs: one JSON object per line, with the job id wherever there is one.

Secrets never reach a log line: a field whose name says password, token, secret, API key,
cookie or authorization is written as «[redacted]», and so is what follows «Bearer », a
«password=…» or «"token": "…"» in a message or a traceback (a failed request's URL, a
database error quoting its parameters).
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


_job_id: ContextVar[str | None] = ContextVar("job_id", default=None)

REDACTED = "[redacted]"
_SECRET_NAME = re.compile(
    r"pass(?:word|wd|phrase)?|token|secret|api[_-]?key|cookie|authori[sz]ation|credential",
    re.IGNORECASE,
)
_SECRET_IN_TEXT = re.compile(
    r"""(?P<bearer>\b(?:Bearer|Basic|Token)\s+)[^\s"',;]+"""
    r"""|(?P<pair>["']?\b\w*(?:pass(?:word|wd)?|token|secret|api[_-]?key)\w*["']?\s*[:=]\s*["']?)"""
    r"""[^\s"'&,;)}\]]+""",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """`text` with every secret it shows replaced by «[redacted]»."""
    return _SECRET_IN_TEXT.sub(lambda m: (m["bearer"] or m["pair"]) + REDACTED, text)


def _redacted(key: str, value):
    if _SECRET_NAME.search(key):
        return REDACTED
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redacted(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted("", v) for v in value]
    return value


@contextmanager
def job_context(job_id: str) -> Iterator[None]:
    """Tag every log line written inside the block with `job_id`."""
    token = _job_id.set(job_id)
    try:
        yield
    finally:
        _job_id.reset(token)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        if _job_id.get() is not None:
            entry["job_id"] = _job_id.get()
        entry.update({k: _redacted(k, v) for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO") -> None:
    """Send JSON lines to stderr (once per process)."""
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        root.setLevel(level)
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
