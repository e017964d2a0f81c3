"""The interface language of the pages: Kyrgyz or Russian, chosen in the header.

A signed-in user's choice is kept with their account (every browser they use shows it); before
signing in, a cookie keeps it, else the browser's Accept-Language decides, else Kyrgyz, the
state language. The pages' fixed phrases are the `web` gettext catalogs
(service/i18n/<lang>/LC_MESSAGES/web.po, English message ids); the templates read them with
Jinja's i18n extension (`{{ _("Sign in") }}`). The language of a document is chosen apart, in
its form.
"""

from __future__ import annotations

from flask import Flask, g, request

from service.i18n import translations

UI_LANGUAGES = ("ky", "ru")
COOKIE = "docgen_ui_language"
DOMAIN = "web"
# What each language is called in the switch, in itself.
LANGUAGE_NAMES = {"ky": "Кыргызча", "ru": "Русский"}


def ui_language() -> str:
    """The language of this request's page."""
    found = g.get("ui_language")
    if found is None:
        found = g.ui_language = _chosen()
    return found


def _chosen() -> str:
    from flask_login import current_user

    mine = getattr(current_user, "ui_language", None)
    if mine in UI_LANGUAGES:
        return mine
    cookie = request.cookies.get(COOKIE)
    if cookie in UI_LANGUAGES:
        return cookie
    return request.accept_languages.best_match(UI_LANGUAGES, default="ky") or "ky"


def N_(message: str) -> str:
    """Mark `message` as a phrase of the catalogs, translated where it is shown."""
    return message


def gettext(message: str, **values) -> str:
    """`message` in the page's language, its `{name}` fields filled from `values`."""
    text = translations(ui_language(), DOMAIN).gettext(message)
    return text.format(**values) if values else text


def ngettext(singular: str, plural: str, n: int, **values) -> str:
    text = translations(ui_language(), DOMAIN).ngettext(singular, plural, n)
    return text.format(n=n, **values)


def in_page_language(text: dict | None) -> str:
    """A bilingual text ({ky, ru}) in the page's language, else in the other."""
    text = text or {}
    lang = ui_language()
    return text.get(lang) or text.get("ru" if lang == "ky" else "ky") or ""


def init_app(app: Flask) -> None:
    """Templates read the catalogs through Jinja's i18n extension, in the page's language."""
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(gettext, ngettext, newstyle=False)
    app.jinja_env.globals.update(
        ui_language=ui_language, UI_LANGUAGES=UI_LANGUAGES, LANGUAGE_NAMES=LANGUAGE_NAMES
    )
