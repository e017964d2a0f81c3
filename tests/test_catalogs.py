"""Every fixed phrase lives in the catalogs, translated into Kyrgyz and Russian."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from service.i18n import catalog_path

SERVICE = Path(__file__).resolve().parent.parent / "service"


def _catalog(lang: str, domain: str):
    with catalog_path(lang, domain).open("rb") as fp:
        return read_po(fp, locale=lang)


def _used_document_phrases() -> set[tuple[str | None, str]]:
    """(context, id) of every t.gettext(...) / t.pgettext(...) call in the code."""
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        str(SERVICE),
        method_map=[("**.py", "python")],
        keywords={"gettext": None, "pgettext": ((1, "c"), 2)},
    ):
        found.add((context, message))
    return found


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_document_phrases_are_all_translated(lang):
    catalog = _catalog(lang, "documents")
    translated = {(m.context, m.id) for m in catalog if m.id and m.string}
    used = {(c, m) for c, m in _used_document_phrases() if isinstance(m, str)}
    missing = {m for c, m in used if c is None} - {m for c, m in translated if c is None}
    assert not missing, f"untranslated in {lang}: {sorted(missing)}"


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_placeholders_match(lang):
    import re

    for domain in ("documents", "errors"):
        for message in _catalog(lang, domain):
            if message.id and message.string:
                ids = set(re.findall(r"\{(\w+)\}", message.id))
                assert ids == set(re.findall(r"\{(\w+)\}", message.string)), message.id


def test_kyrgyz_month_forms_complete():
    catalog = _catalog("ky", "documents")
    for form in ("date", "attributive", "ablative"):
        months = [m for m in catalog if m.context == f"month, {form}" and m.string]
        assert len(months) == 12, form


def test_error_catalogs_cover_the_same_messages():
    ru = {m.id for m in _catalog("ru", "errors") if m.id and m.string}
    ky = {m.id for m in _catalog("ky", "errors") if m.id and m.string}
    assert ru == ky
