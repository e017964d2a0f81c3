"""Outgoing numbers: a municipality's pattern («03-12/{seq}-Б») filled in for one document."""

from __future__ import annotations

import re
import string

MAX_NUMBER_LENGTH = 50  # what a document's `number` field holds
PATTERN_ERROR = "The pattern must contain {seq} and may contain {year}."
LENGTH_ERROR = "The pattern gives numbers longer than 50 characters."
# Fields are {seq} and {year}, bare or zero-padded ({seq:03d}, {seq:03}): nothing else.
_FIELDS = ("seq", "year")
_SPEC = re.compile(r"(0[1-9])?d?")


def pattern_error(pattern: str) -> str | None:
    """Why `pattern` cannot number documents (an English message), or None if it can."""
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError:
        return PATTERN_ERROR  # an unmatched brace
    fields = [name for _, name, _, _ in parts if name is not None]
    for _, name, spec, conversion in parts:
        if name is not None and (name not in _FIELDS or conversion or not _SPEC.fullmatch(spec)):
            return PATTERN_ERROR
    if "seq" not in fields:
        return PATTERN_ERROR
    if len(outgoing_number(pattern, seq=99999, year=9999)) > MAX_NUMBER_LENGTH:
        return LENGTH_ERROR
    return None


def outgoing_number(pattern: str, *, seq: int, year: int) -> str:
    """«03-12/{seq}-Б» with seq 146 → «03-12/146-Б»."""
    return pattern.format(seq=seq, year=year)
