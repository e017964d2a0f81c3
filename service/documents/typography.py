"""Typographic rules of printed Russian and Kyrgyz, applied to every string of a context.

A document number never splits across lines: «№» is followed by a no-break space and the
hyphens of the number are no-break hyphens (U+2011, which Word and LibreOffice print as an
ordinary hyphen): «№ 03-12/146-Б» stays on one line. The year's abbreviation stays with its
year: «2015 г.».
"""

from __future__ import annotations

import re
from typing import Any

_NUMBER = re.compile(r"№[ \u00a0]*([^\s,;:()«»]+)")
_YEAR = re.compile(r"(\d) (гг?\.)")


def _number(match: re.Match[str]) -> str:
    # A sentence's full stop after the number is not part of it.
    return "№\u00a0" + match[1].replace("-", "\u2011")


def polish(text: str) -> str:
    """Apply the rules to one string."""
    if "№" in text:
        text = _NUMBER.sub(_number, text)
    if " г" in text:
        text = _YEAR.sub("\\1\u00a0\\2", text)
    return text


def polish_context(value: Any) -> Any:
    """Apply the rules to every string of a context made of dicts, lists and strings."""
    if isinstance(value, str):
        return polish(value)
    if isinstance(value, dict):
        return {k: polish_context(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [polish_context(v) for v in value]
    return value
