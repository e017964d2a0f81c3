"""The fonts check a converter runs each time it starts: Times New Roman, or a font with its
metrics, that has the Kyrgyz letters ң ө ү, as fontconfig (LibreOffice's font source) sees it.

The documents name Times New Roman. Where it is not installed LibreOffice prints them in a
metric-compatible substitute, Liberation Serif; version 1.x of it (Debian's fonts-liberation,
brought in by other packages) has no ң ө ү, so the Kyrgyz text would fall back to another
typeface letter by letter: version 2 (fonts-liberation2) has them.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping

from service.conversion.errors import ConversionError

KYRGYZ_LETTERS = "ңөү"
# fontconfig's charset notation: U+04A3 ң, U+04E9 ө, U+04AF ү.
CHARSET = " ".join(f"{ord(letter):x}" for letter in KYRGYZ_LETTERS)
# Times New Roman and the families with its metrics, in the order LibreOffice prefers them.
FAMILIES = ("Times New Roman", "Liberation Serif", "Tinos")
PACKAGE = "fonts-liberation2"


def find_font(environment: Mapping[str, str] | None = None) -> str:
    """The family documents will be printed in (see FAMILIES), or raise ConversionError
    fonts_missing; `environment` is the converter's (FONTCONFIG_FILE and the like)."""
    command = ["fc-list", f":charset={CHARSET}", "family"]
    try:
        listed = subprocess.run(
            command, capture_output=True, text=True, timeout=30, env=environment, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError) as error:
        raise ConversionError(
            "fonts_missing",
            f"The fonts cannot be checked: fontconfig's fc-list did not run ({error}). "
            "Install the Debian package fontconfig.",
        ) from error
    families = {name.strip() for line in listed.splitlines() for name in line.split(",")}
    for family in FAMILIES:
        if family in families:
            return family
    raise ConversionError(
        "fonts_missing",
        "No font for Times New Roman has the Kyrgyz letters ң ө ү: install Times New Roman, "
        f"or the Debian package {PACKAGE} (Liberation Serif 2, with the same metrics; "
        "fonts-liberation 1.x lacks these letters).",
    )
