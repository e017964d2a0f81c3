"""Message catalogs (gettext .po, read with Babel): every fixed phrase of documents and errors.

Catalogs are read from the .po files themselves, so a corrected translation takes effect on the
next start with no compile step. Two domains: ``documents`` (text printed in documents) and
``errors`` (validation and API messages). Message ids are English; English needs no catalog.
"""

from __future__ import annotations

import io
import re
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

CATALOG_DIR = Path(__file__).parent
DOCUMENT_LANGUAGES = ("ky", "ru")
MESSAGE_LANGUAGES = ("en", "ru", "ky")


def catalog_path(lang: str, domain: str) -> Path:
    return CATALOG_DIR / lang / "LC_MESSAGES" / f"{domain}.po"


@cache
def translations(lang: str, domain: str) -> NullTranslations:
    """Return the gettext translations of `domain` for `lang` (English: the ids themselves)."""
    if lang == "en":
        return NullTranslations()
    with catalog_path(lang, domain).open("rb") as fp:
        catalog = read_po(fp, locale=lang, domain=domain)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=domain)


class Phrases:
    """The document phrases of one language: ``t.gettext("I HEREBY ORDER:")``."""

    def __init__(self, lang: str):
        self.lang = lang
        self._tr = translations(lang, "documents")

    def gettext(self, message: str, **values: str) -> str:
        text = self._tr.gettext(message)
        return text.format(**values) if values else text

    def pgettext(self, context: str, message: str) -> str:
        return self._tr.pgettext(context, message)


@cache
def _error_patterns(lang: str) -> list[tuple[re.Pattern[str], str]]:
    """Regexes matching formatted English messages, e.g. 'Longer than maximum length 5.'."""
    with catalog_path(lang, "errors").open("rb") as fp:
        catalog = read_po(fp, locale=lang, domain="errors")
    patterns = []
    for message in catalog:
        if not message.id or not message.string or "{" not in message.id:
            continue
        parts = re.split(r"\{(\w+)\}", message.id)
        regex = "".join(
            re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts)
        )
        patterns.append((re.compile(f"^{regex}$"), message.string))
    return patterns


def translate_error(message: str, lang: str) -> str:
    """Translate an English error message, including ones already formatted with values
    (marshmallow's, and those stored with failed jobs and batch items)."""
    if lang == "en":
        return message
    translated = translations(lang, "errors").gettext(message)
    if translated != message:
        return translated
    for pattern, template in _error_patterns(lang):
        match = pattern.match(message)
        if match:
            return template.format(**match.groupdict())
    return message


def translate_errors(errors: dict[str, list[str]], lang: str) -> dict[str, list[str]]:
    """Field path → messages, each message in `lang`."""
    return {path: [translate_error(m, lang) for m in msgs] for path, msgs in errors.items()}


def translate_message(message: str, values: dict[str, str], lang: str) -> str:
    """A message id of the `errors` catalog in `lang`, then its {values} put in."""
    template = message if lang == "en" else translations(lang, "errors").gettext(message)
    return template.format(**values) if values else template


def translate_notice(notice, lang: str) -> str:
    """A warning (`service.domain.notices.Notice`) in `lang`."""
    return translate_message(notice.message, notice.values, lang)
