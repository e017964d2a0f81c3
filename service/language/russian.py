"""Russian declension of names (pytrovich) and of positions and body names (pymorphy3)."""

from __future__ import annotations

import enum
from functools import cache, lru_cache

import pymorphy3
from pytrovich.enums import Case as PetrovichCase
from pytrovich.enums import Gender as PetrovichGender
from pytrovich.enums import NamePart
from pytrovich.maker import PetrovichDeclinationMaker

from service.domain.common import Gender, PersonName


class Case(enum.Enum):
    NOMINATIVE = "nomn"
    GENITIVE = "gent"
    DATIVE = "datv"
    ACCUSATIVE = "accs"
    INSTRUMENTAL = "ablt"
    PREPOSITIONAL = "loct"


_PETROVICH_CASE = {
    Case.GENITIVE: PetrovichCase.GENITIVE,
    Case.DATIVE: PetrovichCase.DATIVE,
    Case.ACCUSATIVE: PetrovichCase.ACCUSATIVE,
    Case.INSTRUMENTAL: PetrovichCase.INSTRUMENTAL,
    Case.PREPOSITIONAL: PetrovichCase.PREPOSITIONAL,
}


@cache
def _petrovich() -> PetrovichDeclinationMaker:
    return PetrovichDeclinationMaker()


@cache
def _morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()


def warm_up() -> None:
    """Load the dictionaries (about 0.1 s) ahead of the first document."""
    _morph()
    _petrovich()


@cache
def decline_surname(name: PersonName, gender: Gender, case: Case) -> PersonName:
    """Decline the surname; initials and «уулу/кызы» names stay as they are."""
    if case is Case.NOMINATIVE or name.verbatim or " " in name.surname:
        return name
    petrovich_gender = PetrovichGender.FEMALE if gender is Gender.FEMALE else PetrovichGender.MALE
    declined = _petrovich().make(
        NamePart.LASTNAME, petrovich_gender, _PETROVICH_CASE[case], name.surname
    )
    return PersonName(surname=declined, initials=name.initials)


def _match_case(template: str, word: str) -> str:
    if template.isupper() and len(template) > 1:
        return word.upper()
    parts_t, parts_w = template.split("-"), word.split("-")
    if len(parts_t) != len(parts_w):
        return word[:1].upper() + word[1:] if template[:1].isupper() else word
    pairs = zip(parts_t, parts_w, strict=True)
    return "-".join(w[:1].upper() + w[1:] if t[:1].isupper() else w for t, w in pairs)


def _parse(word: str, pos: set[str]):
    for parse in _morph().parse(word):
        if parse.tag.POS in pos and parse.tag.case == "nomn":
            return parse
    return None


def _inflect_word(word: str, parse, grammemes: set[str]) -> str:
    # Hyphenated toponyms (Жети-Огузский) inflect only in their last part.
    head, _, last = word.rpartition("-")
    if head:
        last_parse = _parse(last, {parse.tag.POS})
        if last_parse is None:
            return word
        form = last_parse.inflect(grammemes)
        return _match_case(word, f"{head}-{form.word}") if form else word
    form = parse.inflect(grammemes)
    return _match_case(word, form.word) if form else word


# Kyrgyz nouns that Russian official usage declines as masculine inanimate nouns and pymorphy3
# does not know: «решение айылного кенеша», «доклад кенешу». Endings by case.
_LOANWORD_ENDINGS = {
    "кенеш": {"gent": "а", "datv": "у", "accs": "", "ablt": "ем", "loct": "е"},
}


def _inflect_loanword(word: str, case: Case) -> str:
    return word + _match_case(word[-1], _LOANWORD_ENDINGS[word.lower()][case.value])


@lru_cache(maxsize=16384)
def inflect_phrase(phrase: str, case: Case) -> str:
    """Decline the head of a noun phrase: the leading adjectives and the first noun.

    «заместитель главы Уч-Коргонского айыл окмоту» → (accusative) «заместителя главы …»;
    «старший участковый инспектор» → «старшего участкового инспектора». Words pymorphy3 does
    not know as nouns (айыл окмоту) are left as they are, as Russian usage does; «кенеш» is
    declined as Russian usage declines it.
    """
    if case is Case.NOMINATIVE:
        return phrase
    words = phrase.split(" ")
    adjectives: list[tuple[int, object]] = []
    head: tuple[int, object] | None = None
    for i, word in enumerate(words):
        bare = word.strip(",;:")
        if bare != word or not bare:
            break
        adj = _parse(bare, {"ADJF", "PRTF"})
        noun = _parse(bare, {"NOUN"})
        nxt = words[i + 1] if i + 1 < len(words) else None
        if adj is not None and nxt and (_parse(nxt, {"ADJF", "PRTF"}) or _parse(nxt, {"NOUN"})):
            adjectives.append((i, adj))
            continue
        if bare.lower() in _LOANWORD_ENDINGS:
            head = (i, None)
        elif noun is not None and noun.is_known:
            head = (i, noun)
        elif adj is not None and not adjectives:
            # A substantivised adjective as the head («ответственный», «дежурный»).
            head = (i, adj)
        break
    out = list(words)
    if head is None:
        # Only adjectives before an unknown noun (Уч-Коргонский айыл окмоту): masculine.
        gender, number, animacy = "masc", "sing", "inan"
    elif head[1] is None:
        i = head[0]
        gender, number, animacy = "masc", "sing", "inan"
        out[i] = _inflect_loanword(words[i], case)
    else:
        i, noun = head
        gender = noun.tag.gender or "masc"
        number = noun.tag.number or "sing"
        animacy = noun.tag.animacy or "inan"
        grammemes = {case.value} | ({"sing"} if number == "sing" else {"plur"})
        out[i] = _inflect_word(words[i], noun, grammemes)
    for i, adj in adjectives:
        grammemes = {case.value, number}
        if number == "sing":
            grammemes.add(gender)
        if case is Case.ACCUSATIVE and (number == "plur" or gender == "masc"):
            grammemes.add(animacy)
        out[i] = _inflect_word(words[i], adj, grammemes)
    return " ".join(out)


def lower_first(text: str) -> str:
    """«Глава …» → «глава …» inside a sentence, leaving abbreviations (ОВД) alone."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first.isupper():
        return text
    return text[:1].lower() + text[1:]
