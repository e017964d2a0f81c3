"""Values shared by every document kind: languages, bilingual text, people, issuing bodies."""

from __future__ import annotations

import enum
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


@dataclass(frozen=True)
class PersonName:
    """A name as documents print it: the surname (declined) and the initials (never declined).

    `surname` is «Асанов», or a father's name with its particle, «Жумабек кызы»
    (`particle`), which Russian texts leave undeclined. A name that could not be read is
    `verbatim`: printed as `written`, never declined (service.language.names parses).
    """

    surname: str
    initials: str = ""
    verbatim: bool = False
    written: str = ""
    particle: bool = False
    # The patronymic when it was written out («Касымовна», «Бакыт кызы»): it tells the gender.
    patronymic: str = ""

    @property
    def surname_first(self) -> str:
        """«Якубова М.К.», as in lists and tables."""
        return f"{self.surname} {self.initials}".strip()

    @property
    def initials_first(self) -> str:
        """«М.К. Якубова», as under a signature."""
        return f"{self.initials} {self.surname}".strip()


@dataclass(frozen=True)
class PersonForms:
    """A person's name set by hand in the forms documents print; None means «compute it».

    Russian forms put the surname first («Асанову Б.К.»), Kyrgyz ones the initials first
    («Б.К. Асановго»), as the texts print them.
    """

    list: str | None = None
    signature: str | None = None
    ru_genitive: str | None = None
    ru_dative: str | None = None
    ru_accusative: str | None = None
    ru_instrumental: str | None = None
    ky_genitive: str | None = None
    ky_dative: str | None = None


@dataclass(frozen=True)
class Person:
    name: PersonName
    gender: Gender
    position: Bilingual
    forms: PersonForms = PersonForms()


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
