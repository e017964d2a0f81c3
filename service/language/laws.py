"""The laws an order cites by default: those in force on the document's date.

The seed's two laws (2011 No 101 and 2005 No 82) were replaced in 2021 by Law No 123 of
20.10.2021 and Law No 60 of 05.05.2021. Article numbers are given only where the seed gives
them; for the 2021 laws the law is cited as a whole, never with an invented article.
The citation texts live in the documents catalog (Russian: instrumental case after
«В соответствии с»; Kyrgyz: dative before «ылайык»).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from service.domain.common import Bilingual
from service.i18n import Phrases


@dataclass(frozen=True)
class Law:
    citation: str  # message id in the documents catalog
    in_force_from: date
    replaced_on: date | None = None


LAWS = (
    Law("art. 18 item 17 of the Law on local self-government (2011 No 101)",
        date(2011, 7, 15), replaced_on=date(2021, 10, 20)),
    Law("art. 14 of the Law on prevention of offences (2005 No 82)",
        date(2005, 6, 25), replaced_on=date(2021, 5, 5)),
    Law("the Law on local state administration and local self-government bodies (2021 No 123)",
        date(2021, 10, 20)),
    Law("the Law on the basics of prevention of offences (2021 No 60)", date(2021, 5, 5)),
)  # fmt: skip


def laws_in_force(on: date) -> list[Law]:
    return [
        law
        for law in LAWS
        if law.in_force_from <= on and (law.replaced_on is None or on < law.replaced_on)
    ]


def default_legal_basis(on: date) -> tuple[Bilingual, ...]:
    """Return the citations of the laws in force on `on`, in both languages."""
    ky, ru = Phrases("ky"), Phrases("ru")
    return tuple(
        Bilingual(ky=ky.gettext(law.citation), ru=ru.gettext(law.citation))
        for law in laws_in_force(on)
    )
