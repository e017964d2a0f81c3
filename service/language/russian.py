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


# Russian phrases: positions and bodies -------------------------------------------------------

# Abbreviations Russian official usage leaves undeclined, with the gender of the noun they stand
# for (an adjective before them agrees with it: «Жети-Огузский РОВД» = районный отдел).
# None: the gender is not settled (the abbreviation reads two ways), so agreement is a guess.
ABBREVIATIONS: dict[str, str | None] = {
    # masculine: отдел, центр, пункт, комитет, фонд, изолятор
    "ОВД": "masc", "РОВД": "masc", "ГОВД": "masc", "ЛОВД": "masc", "ОПЦ": "masc",
    "ЦСМ": "masc", "ЦОВП": "masc", "ФАП": "masc", "ГКНБ": "masc", "ОФ": "masc",
    "СИЗО": "masc", "ЦРБ": "femn", "ГКЧС": "masc",
    # neuter: управление, министерство, объединение, общество, предприятие
    "УВД": "neut", "ГУВД": "neut", "РУВД": "neut", "МТУ": "neut", "МВД": "neut",
    "МЧС": "neut", "УПСМ": "neut", "ОО": "neut", "ОсОО": "neut", "ГП": "neut",
    "ГУ": "neut", "МСУ": "neut", "ОМСУ": "masc",
    # feminine: инспекция, группа, школа, организация, служба, больница
    "ИДН": "femn", "ГСВ": "femn", "СОШ": "femn", "НПО": "femn", "ГНС": "femn",
    "ОДН": "femn", "ПДН": "neut",
    # read two ways: ЖОЖ (жогорку окуу жайы = вуз?), АО (айыл окмоту or акционерное общество)
    "ЖОЖ": None, "АО": None,
}  # fmt: skip

# Kyrgyz words of Russian official texts that pymorphy3 does not know. Indeclinable nouns
# («айыл окмоту»: «Уч-Коргонского айыл окмоту») and modifiers («Жогорку Кенеш»,
# «айыл кенеш»), with the gender an adjective before them takes.
# «айыл башчы» (the head of a village in an aiyl aimak) stays as it is: «на айыл башчы …».
_INDECLINABLE_NOUNS = {"окмоту": "masc", "өкмөтү": "masc", "башчы": "masc"}
_INDECLINABLE_MODIFIERS = {"айыл", "жогорку"}
# Declined as Russian usage declines them: «решение айылного кенеша», «акимиата».
_LOANWORD_ENDINGS = {
    "кенеш": {"gent": "а", "datv": "у", "accs": "", "ablt": "ем", "loct": "е"},
    "акимиат": {"gent": "а", "datv": "у", "accs": "", "ablt": "ом", "loct": "е"},
}
# Participles that take a direct object after them: «исполняющий обязанности главы» is
# declined in the participle alone («на исполняющего обязанности главы»).
_OBJECT_TAKING = {"исполняющий", "исполняющая", "исполняющие", "исполняющее"}
_ADJECTIVE_ENDINGS = ("ий", "ый", "ой", "ая", "яя", "ое", "ее", "ые", "ие")


def _plain(grammeme) -> str | None:
    """A pymorphy3 grammeme as a plain string (its own type refuses comparisons like «ms-f»)."""
    return str(grammeme) if grammeme else None


def _is_abbreviation(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return word in ABBREVIATIONS or (
        len(letters) > 1 and sum(c.isupper() for c in letters) > 1 and "-" not in word
    )


def _nominatives(word: str, pos: set[str]) -> list:
    """The nominative parses of `word` of the parts of speech `pos`, best first."""
    return [p for p in _morph().parse(word) if p.tag.POS in pos and p.tag.case == "nomn"]


def _last_part(word: str) -> str:
    return word.rpartition("-")[2]


def _adjective(word: str):
    """An adjective or participle parse of `word` (a hyphenated toponym by its last part)."""
    found = _nominatives(_last_part(word), {"ADJF", "PRTF"})
    return found[0] if found else None


# Prefixes of compound titles that do not decline: «вице-мэра», «экс-главы».
_FIXED_PREFIXES = {"вице", "экс", "обер", "штаб", "унтер"}


def _compound_parts(word: str) -> list | None:
    """«специалист-юрист»: one nominative noun parse per part (None for a fixed prefix such
    as «вице»), or None when `word` is not such a compound."""
    parts = word.split("-")
    if len(parts) < 2:
        return None
    parses: list = []
    for n, part in enumerate(parts):
        if n < len(parts) - 1 and part.lower() in _FIXED_PREFIXES:
            parses.append(None)
            continue
        found = [p for p in _nominatives(part, {"NOUN"}) if p.is_known]
        if not found:
            return None
        parses.append(found[0])
    return parses


def _noun(word: str):
    if "-" in word:
        return None
    found = _nominatives(word, {"NOUN"})
    known = [p for p in found if p.is_known]
    return (known or found or [None])[0]


def _agrees(adjective, number: str | None, gender: str | None) -> bool:
    if _plain(adjective.tag.number) != number:
        return False
    return number == "plur" or gender in (None, "ms-f") or _plain(adjective.tag.gender) == gender


def _continues(adjective, word: str | None) -> bool:
    """Whether `word` after `adjective` is still part of the phrase's head (not its tail)."""
    if word is None or word != word.strip(",;:") or "." in word:
        return False
    low = word.lower()
    if _is_abbreviation(word):
        # «заведующий ФАП», «дежурный ОВД»: a person, the abbreviation a genitive tail; a
        # proper adjective («Кадамжайский РОВД») or an ordinary one modifies it.
        return "Subx" not in adjective.tag
    if low in _INDECLINABLE_NOUNS or low in _INDECLINABLE_MODIFIERS:
        return True
    if low in _LOANWORD_ENDINGS:
        return True
    parses = _morph().parse(_last_part(word))
    top = parses[0].score if parses else 0
    for p in parses:
        if p.tag.case != "nomn" or p.tag.POS not in {"NOUN", "ADJF", "PRTF"}:
            continue
        # A noun's nominative reading far less likely than another («обязанности»: mostly
        # accusative) does not continue the head; an agreeing adjective always does.
        if p.tag.POS == "NOUN" and p.score < top / 2:
            continue
        if _agrees(
            adjective, _plain(p.tag.number), _plain(p.tag.gender) if p.tag.POS == "NOUN" else None
        ):
            if p.tag.POS != "NOUN" and not _agrees(
                p, _plain(adjective.tag.number), _plain(adjective.tag.gender)
            ):
                continue
            return True
    return False


def _inflect(word: str, parse, grammemes: set[str]) -> str | None:
    """`word` (its last hyphen part for toponyms) in `grammemes`; None when pymorphy3 can't."""
    head, _, last = word.rpartition("-")
    if head:
        last_parse = next(iter(_nominatives(last, {parse.tag.POS})), None)
        form = last_parse.inflect(grammemes) if last_parse else None
        return _match_case(word, f"{head}-{form.word}") if form else None
    form = parse.inflect(grammemes)
    return _match_case(word, form.word) if form else None


def _looks_adjectival(word: str, parse) -> bool:
    return parse.is_known or word.lower().endswith(_ADJECTIVE_ENDINGS)


@lru_cache(maxsize=16384)
def inflect_phrase_checked(phrase: str, case: Case) -> tuple[str, bool]:
    """Decline the head of a noun phrase; say whether the result follows a known rule.

    The head is the leading adverbs (kept), adjectives and participles, and the first noun,
    abbreviation or substantivised adjective; what follows (a genitive tail: «главы
    Уч-Коргонского айыл окмоту», «обязанности …») is left alone. Abbreviations are indeclinable
    and give the adjectives before them their own gender (`ABBREVIATIONS`). The second value is
    False where the result is a guess (an unknown head word, an abbreviation of unsettled
    gender, a form pymorphy3 cannot make): show the user a warning, never the guess alone.
    """
    if case is Case.NOMINATIVE or not phrase.strip():
        return phrase, True
    words = phrase.split(" ")
    out = list(words)
    certain = True
    modifiers: list[tuple[int, object]] = []
    # The head: its gender and number (for agreement), animacy (for the accusative).
    gender: str | None = None
    number = "sing"
    animate = False
    agreement_fixed = False
    found_head = False
    for i, word in enumerate(words):
        low = word.lower()
        nxt = words[i + 1] if i + 1 < len(words) else None
        if not word or word != word.strip(',;:()«»"'):
            break
        if "." in word or low == "врио":
            # «и.о. главы», «зам. начальника»: an abbreviated word is written as it is.
            found_head = True
            break
        if _is_abbreviation(word):
            gender = ABBREVIATIONS.get(word)
            agreement_fixed = True
            found_head = True
            if gender is None and modifiers:
                certain = False
            break
        if low in _INDECLINABLE_MODIFIERS and nxt is not None:
            continue
        if low in _INDECLINABLE_NOUNS:
            gender, agreement_fixed, found_head = _INDECLINABLE_NOUNS[low], True, True
            break
        if low in _LOANWORD_ENDINGS:
            ending = _LOANWORD_ENDINGS[low][case.value]
            out[i] = word + _match_case(word[-1], ending)
            gender, agreement_fixed, found_head = "masc", True, True
            break
        top = _morph().parse(_last_part(word))[0]
        if top.tag.POS == "ADVB" and top.is_known and not modifiers and nxt is not None:
            continue
        adjective = _adjective(word)
        if adjective is not None and low not in _OBJECT_TAKING and _continues(adjective, nxt):
            if not _looks_adjectival(word, adjective):
                certain = False
            modifiers.append((i, adjective))
            continue
        parts = _compound_parts(word)
        noun = _noun(word)
        if parts is not None:
            first = next(p for p in parts if p is not None)
            number = _plain(first.tag.number) or "sing"
            pieces = []
            for piece, p in zip(word.split("-"), parts, strict=True):
                form = p.inflect({case.value, number}) if p is not None else None
                if p is not None and form is None:
                    certain = False
                pieces.append(_match_case(piece, form.word) if form else piece)
            out[i] = "-".join(pieces)
            gender, animate = _plain(first.tag.gender), _plain(first.tag.animacy) == "anim"
        elif noun is not None and (noun.is_known or adjective is None):
            if not noun.is_known:
                certain = False
            number = _plain(noun.tag.number) or "sing"
            gender, animate = _plain(noun.tag.gender), _plain(noun.tag.animacy) == "anim"
            form = _inflect(word, noun, {case.value, number})
            if form is None:
                certain = False
            else:
                out[i] = form
        elif adjective is not None:
            # A substantivised adjective or participle: a person («уполномоченный»,
            # «исполняющая обязанности», «ответственный»), declined in its own gender.
            modifiers.append((i, adjective))
            if not _looks_adjectival(word, adjective):
                certain = False
            number, animate = _plain(adjective.tag.number) or "sing", True
        else:
            certain = False
        found_head = True
        break
    if not found_head:
        certain = False
    for i, adjective in modifiers:
        own_number = _plain(adjective.tag.number) or number
        own_gender = gender if agreement_fixed and gender else _plain(adjective.tag.gender)
        if (
            agreement_fixed
            and gender
            and own_number == "sing"
            and _plain(adjective.tag.gender) != gender
        ):
            # «Жети-Огузское РОВД»: the nominative itself disagrees with the abbreviation.
            certain = False
        grammemes = {case.value, own_number}
        if own_number == "sing" and own_gender:
            grammemes.add(own_gender)
        if case is Case.ACCUSATIVE and (own_number == "plur" or own_gender == "masc"):
            grammemes.add("anim" if animate else "inan")
        form = _inflect(words[i], adjective, grammemes)
        if form is None:
            certain = False
        else:
            out[i] = form
    return " ".join(out), certain


def inflect_phrase(phrase: str, case: Case) -> str:
    """Decline the head of a noun phrase (see `inflect_phrase_checked`), guess or not.

    «заместитель главы Уч-Коргонского айыл окмоту» → (accusative) «заместителя главы …»;
    «старший участковый инспектор» → «старшего участкового инспектора».
    """
    return inflect_phrase_checked(phrase, case)[0]


def lower_first(text: str) -> str:
    """«Глава …» → «глава …» inside a sentence, leaving abbreviations (ОВД) and toponyms
    («Жети-Огузский …») alone."""
    first = text.split(" ", 1)[0]
    if _is_abbreviation(first) or any(p[:1].isupper() for p in first.split("-")[1:]):
        return text
    return text[:1].lower() + text[1:]


def in_text(name: str, generic_words: tuple[str, ...]) -> str:
    """A body's name inside a sentence: a generic word that begins it loses its capital
    («Мэрия города Кара-Суу» → «мэрия города Кара-Суу»); a proper name keeps it
    («Министерство внутренних дел», «Жогорку Кенеш»)."""
    low = name.lower()
    for generic in generic_words:
        if low == generic or low.startswith(generic + " "):
            return lower_first(name)
    return name
