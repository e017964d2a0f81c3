"""Values shared by every document kind: languages, bilingual text, people, issuing bodies."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass


class Language(enum.StrEnum):
    """The languages a document is produced in; Kyrgyz comes first, as the law requires."""

    KY = "ky"
    RU = "ru"
    KY_RU = "ky+ru"

    @property
    def parts(self) -> tuple[str, ...]:
        """Return the single languages of this choice, in the order they appear."""
        return tuple(self.value.split("+"))


class Gender(enum.StrEnum):
    MALE = "male"
    FEMALE = "female"


@dataclass(frozen=True)
class Bilingual:
    """A text given in Kyrgyz and/or Russian; which one is required depends on the language."""

    ky: str | None = None
    ru: str | None = None

    def __getitem__(self, lang: str) -> str:
        value = getattr(self, lang)
        if value is None:
            raise KeyError(lang)
        return value

    def has(self, lang: str) -> bool:
        return bool(getattr(self, lang))


_PATRONYMIC_PARTICLES = {"уулу", "кызы"}
_INITIALS = re.compile(r"^(?:[^\W\d_]\.)+$")
_WORD = re.compile(r"^[^\W\d_]+(?:[-'][^\W\d_]+)*$")


@dataclass(frozen=True)
class PersonName:
    """A name split into the surname (declined) and the initials (never declined)."""

    surname: str
    initials: str
    verbatim: bool = False

    @classmethod
    def parse(cls, text: str) -> PersonName:
        """Parse «Якубова М.К.», «М.К. Якубова», «Якубова Мээрим Касымовна», «Асан уулу Бакыт».

        A name that fits none of these shapes is kept verbatim and never declined.
        """
        tokens = text.split()
        if len(tokens) > 1 and _INITIALS.match(tokens[0]):
            tokens = [*tokens[1:], tokens[0]]
        take = 2 if len(tokens) > 1 and tokens[1].lower() in _PATRONYMIC_PARTICLES else 1
        surname, rest = tokens[:take], tokens[take:]
        if not all(_WORD.match(t) for t in surname) or not all(
            _INITIALS.match(t) or _WORD.match(t) for t in rest
        ):
            return cls(surname=text, initials="", verbatim=True)
        initials = "".join(t if _INITIALS.match(t) else t[0] + "." for t in rest)
        return cls(surname=" ".join(surname), initials=initials)

    @property
    def surname_first(self) -> str:
        """«Якубова М.К.», as in lists and tables."""
        return f"{self.surname} {self.initials}".strip()

    @property
    def initials_first(self) -> str:
        """«М.К. Якубова», as under a signature."""
        return f"{self.initials} {self.surname}".strip()


@dataclass(frozen=True)
class Person:
    name: PersonName
    gender: Gender
    position: Bilingual


@dataclass(frozen=True)
class NameForms:
    """Grammatical forms of a declined phrase (a body's name, a position) set by hand.

    None means «compute it»; a form given always wins. `ru_in_text` is the nominative as it
    stands inside a sentence («мэрия города Кара-Суу»); the computed cases start from it.
    """

    ru_in_text: str | None = None
    ru_genitive: str | None = None
    ru_dative: str | None = None
    ru_accusative: str | None = None
    ru_instrumental: str | None = None
    ru_locative: str | None = None
    ky_genitive: str | None = None
    ky_dative: str | None = None
    ky_locative: str | None = None


@dataclass(frozen=True)
class Phrase(Bilingual):
    """A text that documents decline (the body a draft goes to, an addressee, a position),
    with the forms set by hand for it."""

    forms: NameForms = NameForms()


@dataclass(frozen=True)
class Issuer:
    """The body that issues a document, with the lines of its letterhead."""

    country: Bilingual
    region: Bilingual | None
    district: Bilingual | None
    body: Bilingual
    head: Person
    forms: NameForms = NameForms()
    # The territory the body governs, nominative («Үч-Коргон айыл аймагы»), which titles
    # name; None: derived from the body's name (service.language.territory).
    territory: Bilingual | None = None

    @property
    def letterhead(self) -> tuple[Bilingual, ...]:
        return tuple(x for x in (self.country, self.region, self.district, self.body) if x)
