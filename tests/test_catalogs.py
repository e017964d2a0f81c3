"""Every fixed phrase lives in the catalogs, translated into Kyrgyz and Russian."""

from __future__ import annotations

import ast
import re
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
    for file, _line, message, _comments, context in extract_from_dir(
        str(SERVICE),
        method_map=[("**.py", "python")],
        keywords={"gettext": None, "pgettext": ((1, "c"), 2)},
    ):
        if not file.startswith("web/"):  # the pages' phrases: the `web` domain
            found.add((context, message))
    return found


def _used_page_phrases() -> set[str]:
    """Every phrase of the pages: `_()`/`gettext()` in their templates and modules, and the
    labels of their menu entries."""
    return {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(SERVICE / "web"),
            method_map=[("**.py", "python"), ("**/templates/**.html", "jinja2")],
            keywords={
                "_": None,
                "gettext": None,
                "N_": None,
                "ngettext": (1, 2),
                "menu_item": (2,),
            },
        )
    }


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_page_phrases_are_all_translated(lang):
    translated = {m.id for m in _catalog(lang, "web") if m.id and m.string}
    used = _used_page_phrases()
    assert "Sign in" in used  # the extraction reads the templates
    missing = used - translated
    assert not missing, f"untranslated in {lang}: {sorted(missing)}"


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_the_page_catalogs_hold_no_phrase_the_pages_no_longer_use(lang):
    # A native speaker would correct it in vain. (Entries with a context, the fields' labels,
    # are looked up by the forms from the schemas: tests/test_web_forms.py checks them.)
    plain = {m.id for m in _catalog(lang, "web") if m.id and m.context is None}
    assert not plain - _used_page_phrases()


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_document_phrases_are_all_translated(lang):
    catalog = _catalog(lang, "documents")
    translated = {(m.context, m.id) for m in catalog if m.id and m.string}
    used = {(c, m) for c, m in _used_document_phrases() if isinstance(m, str)}
    missing = {m for c, m in used if c is None} - {m for c, m in translated if c is None}
    assert not missing, f"untranslated in {lang}: {sorted(missing)}"


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_placeholders_match(lang):
    for domain in ("documents", "errors", "cli", "web"):
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


# Calls whose string arguments are error messages a user may read.
_ERROR_CALLS = {
    "ValidationError", "InvalidInput", "BadRequest", "NotFound", "NotReady", "Conflict",
    "Unavailable", "ServiceError", "put", "Forbidden", "Unauthorized", "TooManyRequests",
}  # fmt: skip


def _messages_in(node: ast.AST) -> set[str]:
    """String constants in `node`, but dict keys (field names); f-strings as their pattern."""
    found: set[str] = set()
    if isinstance(node, ast.Dict):
        for value in node.values:
            found |= _messages_in(value)
    elif isinstance(node, ast.Constant) and isinstance(node.value, str):
        found.add(node.value)
    elif isinstance(node, ast.JoinedStr):
        found.add("".join(v.value if isinstance(v, ast.Constant) else "{x}" for v in node.values))
    else:
        for child in ast.iter_child_nodes(node):
            found |= _messages_in(child)
    return found


def _used_error_messages() -> set[str]:
    """Every message the service raises: error classes' `message`, literals in error calls."""
    used = set()
    for path in SERVICE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in _ERROR_CALLS:
                    for arg in [*node.args, *(k.value for k in node.keywords)]:
                        used |= _messages_in(arg)
            elif isinstance(node, ast.ClassDef):
                for stmt in node.body:
                    if (
                        isinstance(stmt, ast.Assign)
                        and [getattr(t, "id", None) for t in stmt.targets] == ["message"]
                        and isinstance(stmt.value, ast.Constant)
                    ):
                        used.add(stmt.value.value)
            elif isinstance(node, ast.Assign) and any(
                getattr(t, "id", None) == "default_error_messages"
                or getattr(t, "id", "").endswith("_ERROR")
                for t in node.targets
            ):
                used |= _messages_in(node.value)
    return {m for m in used if " " in m}  # a message is a sentence, not a field or a key


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_error_messages_are_all_translated(lang):
    catalog = {m.id for m in _catalog(lang, "errors") if m.id and m.string}
    # An f-string's values match a placeholder of any name, or the values the catalog lists.
    patterns = {re.sub(r"\{\w+\}", "{x}", m) for m in catalog}

    def translated(message: str) -> bool:
        if message in catalog or message in patterns:
            return True
        regex = ".+".join(re.escape(p) for p in message.split("{x}"))
        return "{x}" in message and any(re.fullmatch(regex, m) for m in catalog)

    missing = {m for m in _used_error_messages() if not translated(m)}
    assert not missing, f"untranslated in {lang}: {sorted(missing)}"


@pytest.mark.parametrize("lang", ["ky", "ru"])
@pytest.mark.parametrize("domain", ["documents", "errors", "cli", "web"])
def test_no_message_is_translated_twice(lang, domain):
    # Babel keeps one of two entries with the same id: the other would be edited in vain.
    keys, context, current = [], None, None
    for line in catalog_path(lang, domain).read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith('"') and current is not None:
            current[1] += line[1:-1]  # a continued string
            continue
        if current is not None and current[0] == "msgid":
            keys.append((context, current[1]))
            context = None
        if current is not None and current[0] == "msgctxt":
            context = current[1]
        current = None
        for keyword in ("msgctxt", "msgid"):
            if line.startswith(keyword + " "):
                current = [keyword, line[len(keyword) + 2 : -1]]
    assert len(keys) == len(set(keys)), [k for k in keys if keys.count(k) > 1]
