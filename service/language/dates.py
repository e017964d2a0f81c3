"""Dates as official documents write them, in Kyrgyz and Russian.

Russian month names come from CLDR through Babel. Babel's Kyrgyz months are nominative only
(«2015-жылдын 26-июнь» would be wrong), so the possessive forms the official Kyrgyz format
needs («2015-жылдын 26-июну») live in the Kyrgyz catalog, where a native speaker can fix them.
"""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

from service.i18n import Phrases

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def _month(t: Phrases, d: date, form: str) -> str:
    """The month name in the form a date needs: CLDR for Russian, the catalog for Kyrgyz."""
    if t.lang == "ky":
        return t.pgettext(f"month, {form}", MONTHS[d.month - 1])
    return format_date(d, "MMMM", locale=t.lang)


def _values(t: Phrases, d: date, form: str) -> dict[str, str]:
    return {"day": str(d.day), "month": _month(t, d, form), "year": str(d.year)}


def date_in_form(t: Phrases, d: date, form: str) -> str:
    """A date whose Kyrgyz month takes the catalog's `form` (dative «…-февралына», ablative
    «…-мартынан»); Russian keeps CLDR's genitive month («1 марта 2016 г.»)."""
    return t.gettext("{day} {month} {year}", **_values(t, d, form))


def long_date(t: Phrases, d: date) -> str:
    """«26 июня 2015 г.» / «2015-жылдын 26-июну»."""
    return t.gettext("{day} {month} {year}", **_values(t, d, "date"))


def attributive_date(t: Phrases, d: date) -> str:
    """«от 26 июня 2015 г.» / «2015-жылдын 26-июнундагы» (a date qualifying a noun)."""
    return t.gettext("{day} {month} {year} (dated)", **_values(t, d, "attributive"))


def deadline_date(t: Phrases, d: date) -> str:
    """«не позднее 30 октября 2015 г.» / «2015-жылдын 30-октябрынан кечиктирбестен»."""
    return t.gettext("no later than {day} {month} {year}", **_values(t, d, "ablative"))
