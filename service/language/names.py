"""Person names as offices write them: parsing, normalisation and declension.

Shapes read: «Фамилия И.О.», «И.О. Фамилия», «Фамилия Имя Отчество», «Имя Отчество Фамилия»,
«Фамилия Имя»; Kyrgyz patronymic particles in either order («Асан уулу Бакыт», «Бакыт Асан
уулу», «Токтогулова Айгуль Бакыт кызы»); hyphenated surnames and initials («Ахмедов Х.-А.»);
a missing final dot, spaces or none after the dots; ALL CAPS («АСАНОВ Б.К.» prints «Асанов
Б.К.» unless the capitals are kept); Latin look-alike letters inside Cyrillic names.

Russian cases come from pytrovich, part by part of a hyphenated surname; a father's name with
«уулу/кызы» stays undeclined in Russian, as Russian official texts write it («возложить на
Асан уулу Б.»). Kyrgyz cases take the suffix of `kyrgyz.decline`, in lower case, by the
vowel harmony of the surname («Асановго», «Жумабек кызына»).

What cannot be read is printed as written; `person_notices` turns that, a gender the name
contradicts and a declension pytrovich is unsure of into warnings naming the field to set by
hand. A hand-set form (`Person.forms`) always wins.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from pytrovich.enums import Case as PetrovichCase
from pytrovich.enums import Gender as PetrovichGender
from pytrovich.enums import NamePart
from pytrovich.maker import PetrovichDeclinationMaker

from service.domain.common import Gender, Person, PersonName
from service.domain.notices import Notice
from service.language import kyrgyz


class Form(enum.StrEnum):
    """The forms of a name documents print; each value is a field of `PersonForms`."""

    LIST = "list"
    SIGNATURE = "signature"
    RU_GENITIVE = "ru_genitive"
    RU_DATIVE = "ru_dative"
    RU_ACCUSATIVE = "ru_accusative"
    RU_INSTRUMENTAL = "ru_instrumental"
    KY_GENITIVE = "ky_genitive"
    KY_DATIVE = "ky_dative"


_RUSSIAN_CASES = {
    Form.RU_GENITIVE: PetrovichCase.GENITIVE,
    Form.RU_DATIVE: PetrovichCase.DATIVE,
    Form.RU_ACCUSATIVE: PetrovichCase.ACCUSATIVE,
    Form.RU_INSTRUMENTAL: PetrovichCase.INSTRUMENTAL,
}
_KYRGYZ_CASES = {Form.KY_GENITIVE: kyrgyz.Case.GENITIVE, Form.KY_DATIVE: kyrgyz.Case.DATIVE}

PARTICLES = ("уулу", "кызы")
# Latin letters that look like Cyrillic ones, as typed in a Cyrillic name by mistake.
_LOOKALIKES = str.maketrans("AaBCcEeHKMOoPpTXxYy", "АаВСсЕеНКМОоРрТХхУу")
_LOOKALIKE_LETTERS = frozenset("AaBCcEeHKMOoPpTXxYy")
_CYRILLIC = "\u0400-\u04ff"
_LETTER = f"[{_CYRILLIC}]"
_WORD = re.compile(f"^{_LETTER}+(?:[-'’]{_LETTER}+)*$")
# «Б.К.», «Б.К», «Х.-А.», «Б»: capitals with dots (or one letter alone).
_INITIALS = re.compile(f"^{_LETTER}\\.?(?:-?{_LETTER}\\.?)*$")
_INITIAL = re.compile(f"({_LETTER})\\.?(-?)")

_FEMALE_SURNAME = ("ова", "ева", "ёва", "ина", "ына", "ская", "цкая")
_MALE_SURNAME = ("ов", "ев", "ёв", "ин", "ын", "ский", "цкий")
# Endings that mark a surname, the first more surely than the second (a given name such as
# «Марина» ends in -ина too).
_SURE_SURNAME = ("ов", "ев", "ёв", "ова", "ева", "ёва", "ский", "ская", "цкий", "цкая", "енко")
_LIKELY_SURNAME = ("ин", "ын", "ина", "ына", "ук", "юк")
_FEMALE_PATRONYMIC = ("вна", "чна", "кызы")
_MALE_PATRONYMIC = ("вич", "ьич", "уулу")


def normalise_letters(text: str) -> str:
    """NFC; Latin look-alikes (a, e, o, p, c, x, y, K, M, H, T, B…) in a Cyrillic name become
    Cyrillic, and so does a name written in look-alikes only («ACAHOB M.K.», typed with the
    wrong keyboard layout). Any other text with no Cyrillic letter is left as it is."""
    text = unicodedata.normalize("NFC", text)
    letters = [c for c in text if c.isalpha()]
    if not re.search(_LETTER, text) and not all(c in _LOOKALIKE_LETTERS for c in letters):
        return text
    return text.translate(_LOOKALIKES)


def _normal_word(word: str) -> str:
    """«АСАНОВ» → «Асанов», «асанов» → «Асанов»; a mixed spelling («МакДональд») as written."""
    parts = re.split(r"([-'’])", word)
    out = []
    for i, part in enumerate(parts):
        if i and part.lower() in PARTICLES:
            part = part.lower()
        elif len(part) > 1 and (part.isupper() or part.islower()):
            part = part[0].upper() + part[1:].lower()
        elif len(part) == 1 and part.isalpha():
            part = part.upper()
        out.append(part)
    return "".join(out)


def normal_case(surname: str) -> str:
    """A surname in normal capitalisation, its particle in lower case: «АСАН УУЛУ» → «Асан
    уулу»."""
    return " ".join(
        w.lower() if w.lower() in PARTICLES else _normal_word(w) for w in surname.split(" ")
    )


def _initials_of(token: str) -> str:
    """«б.к» → «Б.К.», «Х-А» → «Х.-А.», «Бакыт» → «Б.», «Абдул-Азиз» → «А.-А.»."""
    if _kind(token) == "W":
        return "-".join(part[0].upper() + "." for part in token.split("-"))
    return "".join(letter.upper() + "." + hyphen for letter, hyphen in _INITIAL.findall(token))


def surname_likeness(word: str) -> int:
    """2: surely a surname by its ending (Асанов), 1: likely (Бакин), 0: no sign. A hyphenated
    word counts its likeliest part: «Осмонова-Ким» is surely a surname."""
    return max(_part_likeness(part) for part in word.lower().split("-"))


def _part_likeness(w: str) -> int:
    if len(w) <= 3:
        return 0
    return 2 if w.endswith(_SURE_SURNAME) else 1 if w.endswith(_LIKELY_SURNAME) else 0


def ambiguous_order(text: str) -> bool:
    """Whether a two-word name («Елена Ким», «Марина Ильина») reads either way round: neither
    word is likelier a surname than the other, so which is the surname is a guess."""
    tokens = _tokens(normalise_letters(text))
    kinds = "".join(_kind(t) for t in tokens)
    return kinds == "WW" and surname_likeness(tokens[0]) == surname_likeness(tokens[1])


def looks_like_surname(word: str) -> bool:
    return surname_likeness(word) > 0


def looks_like_patronymic(word: str) -> bool:
    w = word.lower()
    return len(w) > 4 and w.endswith(("вич", "ьич", "вна", "чна", "ична"))


def _is_particle(token: str) -> bool:
    return token.lower() in PARTICLES


def _kind(token: str) -> str:
    """I: initials, P: a particle, W: a word, X: anything else."""
    if _is_particle(token):
        return "P"
    if _INITIALS.match(token) and (len(token) == 1 or "." in token):
        return "I"
    if _WORD.match(token):
        return "W"
    return "X"


def _tokens(text: str) -> list[str]:
    text = re.sub(r"\s+", " ", text).strip()
    # «Б.К.Асанов»: a space after the dot before a word.
    text = re.sub(f"\\.(?={_LETTER}{{2}})", ". ", text)
    # «Х. -А.», «Х. - А.»: a hyphenated initial with spaces.
    text = re.sub(f"(?<=\\.) ?- ?(?={_LETTER}\\.)", "-", text)
    return text.split(" ") if text else []


def _surname(word: str, keep_capitals: bool) -> str:
    return word if keep_capitals else _normal_word(word)


def _join_initials(tokens: Iterable[str]) -> str:
    return "".join(_initials_of(t) for t in tokens)


# A batch names the same people again and again; a PersonName is immutable.
@lru_cache(maxsize=8192)
def parse_name(text: str, *, keep_capitals: bool = False) -> PersonName:
    """Read a name in any of the shapes offices write (see the module docstring).

    A name that fits none of them is kept verbatim: printed as written, never declined.
    `keep_capitals` prints a surname written in capitals as it is.
    """
    written = text
    tokens = _tokens(normalise_letters(text))
    kinds = "".join(_kind(t) for t in tokens)
    verbatim = PersonName(surname=written, verbatim=True, written=written)
    if not tokens or "X" in kinds:
        return verbatim
    particles = [i for i, k in enumerate(kinds) if k == "P"]
    if particles:
        return _with_particle(tokens, kinds, particles, keep_capitals, written) or verbatim
    words = [i for i, k in enumerate(kinds) if k == "W"]
    if not words:
        return verbatim
    if "I" in kinds:
        # One word and its initials; a second word («Капитан Асанов Б.К.») is not read.
        if kinds[0] == "W" and set(kinds[1:]) == {"I"}:
            surname, rest = tokens[0], tokens[1:]
        elif kinds[-1] == "W" and set(kinds[:-1]) == {"I"}:
            surname, rest = tokens[-1], tokens[:-1]
        else:
            return verbatim
        return _plain(surname, rest, "", keep_capitals, written)
    if len(tokens) == 1:
        return _plain(tokens[0], [], "", keep_capitals, written)
    if len(tokens) == 2:
        first, second = tokens
        if surname_likeness(second) > surname_likeness(first):
            first, second = second, first
        return _plain(first, [second], "", keep_capitals, written)
    if len(tokens) == 3:
        a, b, c = tokens
        if looks_like_patronymic(b) and not looks_like_patronymic(c):
            return _plain(c, [a, b], b, keep_capitals, written)
        return _plain(a, [b, c], c, keep_capitals, written)
    return verbatim


def _plain(
    surname: str, rest: list[str], patronymic: str, keep_capitals: bool, written: str
) -> PersonName:
    # «Асануулу», «Асан-уулу»: a particle name written as one word.
    low = surname.lower()
    one_word_particle = low.endswith(PARTICLES) and len(low) > 5
    return PersonName(
        surname=_surname(surname, keep_capitals),
        initials=_join_initials(rest),
        written=written,
        particle=one_word_particle,
        patronymic=_normal_word(patronymic) if patronymic else "",
    )


def _with_particle(
    tokens: list[str], kinds: str, particles: list[int], keep_capitals: bool, written: str
) -> PersonName | None:
    if len(particles) != 1 or particles[0] == 0 or kinds[particles[0] - 1] != "W":
        return None
    p = particles[0]
    father, particle = tokens[p - 1], tokens[p].lower()
    before, after = tokens[: p - 1], tokens[p + 1 :]
    before_kinds, after_kinds = kinds[: p - 1], kinds[p + 1 :]
    if keep_capitals:
        particle_name = f"{father} {tokens[p]}"
    else:
        particle_name = f"{_normal_word(father)} {particle}"
    if before and after:
        return None
    if len(before) == 2 and before_kinds == "WW":
        # «Токтогулова Айгуль Бакыт кызы»: a surname, a given name and the patronymic.
        return PersonName(
            surname=_surname(before[0], keep_capitals),
            initials=_join_initials([before[1], father]),
            written=written,
            patronymic=particle_name,
        )
    rest, rest_kinds = (before, before_kinds) if before else (after, after_kinds)
    if len(rest) > 1 or rest_kinds not in ("", "W", "I"):
        return None
    return PersonName(
        surname=particle_name,
        initials=_join_initials(rest),
        written=written,
        particle=True,
        patronymic=particle_name,
    )


def looks_gender(name: PersonName) -> Gender | None:
    """The gender the name itself shows (its patronymic, particle or surname ending), or
    None when it shows none. Given names are not used: pytrovich takes «Мээрим» as male."""
    if name.verbatim:
        return None
    patronymic, surname = name.patronymic.lower(), name.surname.lower()
    if patronymic.endswith(_FEMALE_PATRONYMIC) or surname.endswith("кызы"):
        return Gender.FEMALE
    if patronymic.endswith(_MALE_PATRONYMIC) or surname.endswith("уулу"):
        return Gender.MALE
    if _female_surname(surname):
        return Gender.FEMALE
    if _male_surname(surname):
        return Gender.MALE
    return None


def _last_part(word: str) -> str:
    return word.rsplit("-", 1)[-1]


def _female_surname(surname: str) -> bool:
    return len(surname) > 4 and _last_part(surname).endswith(_FEMALE_SURNAME)


def _male_surname(surname: str) -> bool:
    return len(surname) > 3 and _last_part(surname).endswith(_MALE_SURNAME)


@cache
def _petrovich() -> PetrovichDeclinationMaker:
    return PetrovichDeclinationMaker()


def _indeclinable(word: str, gender: Gender) -> bool:
    """Russian grammar leaves these surnames as they are: those ending in о, е, и, у, ы, э, ю,
    in -их/-ых, a vowel + а, and a woman's surname ending in a consonant."""
    w = word.lower()
    if w[-1] in "оеёиуыэю" or w.endswith(("их", "ых")):
        return True
    if w[-1] in "ая" and len(w) > 1 and w[-2] in "аеёиоуыэюя":
        return True
    return gender is Gender.FEMALE and w[-1] not in "ая"


@dataclass(frozen=True)
class Declined:
    """A surname in a case, and whether the declension is certain."""

    text: str
    certain: bool


def _decline_part(part: str, gender: Gender, case: PetrovichCase) -> Declined:
    normal = _normal_word(part)
    pg = PetrovichGender.FEMALE if gender is Gender.FEMALE else PetrovichGender.MALE
    declined = _petrovich().make(NamePart.LASTNAME, pg, case, normal)
    if declined == normal:
        certain = _indeclinable(normal, gender)
    else:
        # Only the ending changes (two letters of an adjective's: «-ский» → «-ского»); a
        # dropped vowel («Орел» → «Орла») is a guess.
        adjective = normal.lower().endswith(("ий", "ый", "ой", "ая", "яя"))
        certain = declined.startswith(normal[: -2 if adjective else -1])
    if part.isupper() and len(part) > 1:
        declined = declined.upper()
    return Declined(declined, certain)


def russian_surname(name: PersonName, gender: Gender, form: Form) -> Declined:
    """The surname in a Russian case: pytrovich for each surname-like part of a hyphenated
    surname; a particle name undeclined."""
    if name.verbatim or name.particle:
        return Declined(name.surname, not name.verbatim)
    parts = name.surname.split("-")
    case = _RUSSIAN_CASES[form]
    if len(parts) == 1:
        return _decline_part(name.surname, gender, case)
    declinable = [i for i, p in enumerate(parts) if looks_like_surname(p)]
    certain = bool(declinable)
    if not declinable:
        declinable = [len(parts) - 1]
    out = list(parts)
    for i in declinable:
        result = _decline_part(parts[i], gender, case)
        out[i] = result.text
        certain = certain and result.certain
    return Declined("-".join(out), certain)


def kyrgyz_surname(name: PersonName, form: Form) -> Declined:
    """The surname with a Kyrgyz case suffix in lower case: «Асановго», «АСАНОВго» (capitals
    kept), «Жумабек кызына». A surname that ends like a possessive («Кулу») is uncertain."""
    if name.verbatim:
        return Declined(name.surname, False)
    normal = normal_case(name.surname)
    suffix = kyrgyz.decline(normal, _KYRGYZ_CASES[form])[len(normal) :].lower()
    last = normal.split(" ")[-1]
    certain = name.particle or not kyrgyz.is_possessive(_last_part(last))
    return Declined(name.surname + suffix, certain)


def _computed(person: Person, form: Form) -> Declined:
    name = person.name
    if name.verbatim:
        return Declined(name.written, False)
    if form is Form.LIST:
        return Declined(name.surname_first, True)
    if form is Form.SIGNATURE:
        return Declined(name.initials_first, True)
    if form in _RUSSIAN_CASES:
        surname = russian_surname(name, person.gender, form)
        return Declined(f"{surname.text} {name.initials}".strip(), surname.certain)
    surname = kyrgyz_surname(name, form)
    return Declined(f"{name.initials} {surname.text}".strip(), surname.certain)


def name_form(person: Person, form: Form) -> str:
    """The person's name in `form`: the hand-set one, or computed."""
    given = getattr(person.forms, form.value)
    return given if given else _computed(person, form).text


def _gender_contradicted(person: Person) -> Gender | None:
    shown = looks_gender(person.name)
    return shown if shown is not None and shown is not person.gender else None


def person_notices(path: str, person: Person, forms: Iterable[Form]) -> list[Notice]:
    """Warnings about the name of the person at `path` («control», «members.3») in the forms
    a document prints: not readable, a gender it contradicts, an uncertain declension. Each
    names the hand-set forms that would settle it; forms set by hand give none."""
    unset = [f for f in dict.fromkeys(forms) if not getattr(person.forms, f.value)]
    if not unset:
        return []
    name = person.name
    field = f"{path}.name"

    def to_set(which: Iterable[Form]) -> str:
        return ", ".join(f"{path}.forms.{f.value}" for f in which)

    if name.verbatim:
        return [
            Notice(
                "name.unparsed",
                "The name in {field} («{name}») could not be read as a surname with a given "
                "name or initials: it is printed as written and not declined. If that is "
                "wrong, set {forms}.",
                {"field": field, "name": name.written, "forms": to_set(unset)},
            )
        ]
    found = []
    if ambiguous_order(name.written):
        found.append(
            Notice(
                "name.uncertain_order",
                "The name in {field} («{name}») can be read either way round: it is printed "
                "with «{surname}» as the surname («{listed}»). If that is wrong, set {forms}.",
                {
                    "field": field,
                    "name": name.written,
                    "surname": name.surname,
                    "listed": name.surname_first,
                    "forms": to_set(unset),
                },
            )
        )
    russian = [f for f in unset if f in _RUSSIAN_CASES]
    shown = _gender_contradicted(person)
    if russian and shown is not None:
        found.append(
            Notice(
                f"name.looks_{shown.value}",
                "The name in {field} («{name}») looks female, but the gender given is male: "
                "check {gender} or set {forms}."
                if shown is Gender.FEMALE
                else "The name in {field} («{name}») looks male, but the gender given is "
                "female: check {gender} or set {forms}.",
                {
                    "field": field,
                    "name": name.written,
                    "gender": f"{path}.gender",
                    "forms": to_set(russian),
                },
            )
        )
    uncertain = [(f, d) for f in unset if not (d := _computed(person, f)).certain]
    if uncertain:
        found.append(
            Notice(
                "name.uncertain_declension",
                "The declension of the name in {field} is uncertain ({declined}): check it, "
                "or set {forms}.",
                {
                    "field": field,
                    "declined": ", ".join(f"«{d.text}»" for _, d in uncertain),
                    "forms": to_set(f for f, _ in uncertain),
                },
            )
        )
    return found


def forms_in(languages: Iterable[str], ru: Form | None, ky: Form | None) -> list[Form]:
    """The forms a text prints in `languages`: `ru` in a Russian part, `ky` in a Kyrgyz one."""
    chosen = {"ru": ru, "ky": ky}
    return [form for lang in languages if (form := chosen.get(lang)) is not None]


def people_notices(people: Iterable[tuple[str, Person, Iterable[Form]]]) -> list[Notice]:
    """`person_notices` of each (path, person, forms printed), in that order."""
    return [n for path, person, forms in people for n in person_notices(path, person, forms)]
