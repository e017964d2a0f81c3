"""The territory a document's title names: «…в Үч-Коргон айыл аймагында», not the office.

A plan or an order is about the territory («айыл аймагы», «шаары»), while the issuer is the
office that governs it («айыл өкмөтү», «шаарынын мэриясы»). The territory is set by hand
(`issuer.territory`, or the municipality's profile) or derived from the body's Kyrgyz name
(`kyrgyz.territory_of`); a name of another shape keeps the office, with a warning. Russian
titles keep the body («в Уч-Коргонском айыл окмоту», as the seed writes) unless a territory
is set, but a town's mayoralty names its town: «Мэрия города Каракол» → «в городе Каракол»
(a plan is not about the mayor's office).
"""

from __future__ import annotations

import re

from service.domain.common import Issuer
from service.domain.notices import Notice
from service.language import kyrgyz, russian
from service.language.grammatical_forms import body_forms

UNKNOWN = "issuer.territory_unknown"
_RU_MAYORALTY = re.compile(r"мэрия города (\S.*)", re.IGNORECASE)


def _kyrgyz_territory(issuer: Issuer) -> str | None:
    if issuer.territory is not None and issuer.territory.has("ky"):
        return issuer.territory.ky
    return kyrgyz.territory_of(issuer.body.ky) if issuer.body.ky else None


def territory_locative(issuer: Issuer, lang: str) -> str:
    """Where the title's plan or group works: «Үч-Коргон айыл аймагында»; Russian: the set
    territory in the prepositional case, or the body's locative."""
    if lang == "ru":
        if issuer.territory is not None and issuer.territory.has("ru"):
            return russian.inflect_phrase(issuer.territory.ru, russian.Case.PREPOSITIONAL)
        if issuer.body.ru and (town := _RU_MAYORALTY.fullmatch(issuer.body.ru.strip())):
            return f"городе {town[1]}"
        return body_forms(issuer.body, issuer.forms).ru_locative
    territory = _kyrgyz_territory(issuer)
    if territory is None:
        return body_forms(issuer.body, issuer.forms).ky_locative
    return kyrgyz.decline(territory, kyrgyz.Case.LOCATIVE)


def warnings(issuer: Issuer, languages: tuple[str, ...], field: str = "issuer") -> list[Notice]:
    """A warning when a Kyrgyz title must name the office, the territory being unknown;
    `field`: the input path of the issuer."""
    if "ky" not in languages or _kyrgyz_territory(issuer) is not None:
        return []
    return [
        Notice(
            UNKNOWN,
            "The territory could not be derived from the body's name «{body}»: the title "
            "names the office. Set {field} (or the municipality's territory).",
            {"body": issuer.body.ky, "field": f"{field}.territory"},
        )
    ]
