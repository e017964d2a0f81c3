"""Kyrgyz case suffixes by vowel harmony and consonant assimilation.

No maintained library declines Kyrgyz correctly (the `kyrgyz` package gets possessive heads
wrong: «өкмөтүгө» for «өкмөтүнө»), so the few rules documents need live here.

«Place + айыл өкмөтү» is an izafet: only the head word takes the case ending, and a head in
the 3rd-person possessive (өкмөтү, кеңеши, Республикасы) inserts the pronominal «н».

A suffix is always written in lower case, also after a word in capitals («АСАНОВго») and after
an abbreviation («РИИБге», «ИИМдин»). An abbreviation is declined as it is read: letter by
letter, by the letters' Kyrgyz names (РИИБ [эр-и-и-бэ] → «РИИБге», АКШ [а-ка-ша] →
«АКШнын»), unless it is read as a word (БУУ → «БУУнун», `READ_AS_WORDS`). The forms after a letter
whose name ends in a vowel («РИИБнин» [бэ], «ОВДге» [дэ]) follow that reading; some writers
follow the written letter instead («РИИБдин»): a native speaker should confirm them
(tests/test_kyrgyz.py holds the table).
"""

from __future__ import annotations

import enum
import re

_VOWELS = "аеёиоөуүыэюя"
_VOICELESS = "кпстфхцчшщ"
_POSSESSIVE_ENDINGS = "ыиуү"

# How each letter is named when an abbreviation is read letter by letter.
LETTER_NAMES = {
    "а": "а", "б": "бэ", "в": "вэ", "г": "гэ", "д": "дэ", "е": "е", "ё": "ё", "ж": "же",
    "з": "зэ", "и": "и", "й": "ий", "к": "ка", "л": "эл", "м": "эм", "н": "эн", "ң": "эң",
    "о": "о", "ө": "ө", "п": "пэ", "р": "эр", "с": "эс", "т": "тэ", "у": "у", "ү": "ү",
    "ф": "эф", "х": "ха", "ц": "цэ", "ч": "чэ", "ш": "ша", "щ": "ща", "ы": "ы", "э": "э",
    "ю": "ю", "я": "я",
}  # fmt: skip

# Abbreviations read as words, not letter by letter.
READ_AS_WORDS = frozenset({"БУУ", "ЖОЖ", "ЖӨБ", "НАТО", "ЮНЕСКО", "ЮНИСЕФ", "ЕККУ"})

# A word in capitals is an abbreviation when no Kyrgyz word could be spelled so: no vowel,
# «ИИ» (РИИБ, ИИМ), two consonants at the start (МТУ, ЖМК) or at the end (ОВД, АКШ, ОПЦ) but
# the clusters that end words («курт», «түрк», «акт», «банк»). Longer than
# `_ABBREVIATION_LENGTH` letters, it is a word in capitals («ТЕСКЕМЕ», «АСАНОВ», «ЖЕТИ-ӨГҮЗ»).
_ABBREVIATION_LENGTH = 6
_WORD_FINAL_CLUSTERS = frozenset(
    {"рт", "рк", "рд", "рс", "нт", "нк", "нд", "йт", "йк", "лт", "лк", "лд", "ст", "кт"}
)


class Case(enum.Enum):
    GENITIVE = "genitive"
    DATIVE = "dative"
    ACCUSATIVE = "accusative"
    LOCATIVE = "locative"
    ABLATIVE = "ablative"


def _last_vowel(word: str) -> str:
    for ch in reversed(word.lower()):
        if ch in _VOWELS:
            return ch
    return "ы"


def _harmony4(word: str, a: str, e: str, o: str, oe: str) -> str:
    """Pick the а/е/о/ө variant of a low-vowel suffix (у takes а: сууга, уулуна)."""
    v = _last_vowel(word)
    if v in "аыяую":
        return a
    if v in "еиэ":
        return e
    if v in "оё":
        return o
    return oe


def _harmony_high(word: str, y: str, i: str, u: str, ue: str) -> str:
    """Pick the ы/и/у/ү variant of a high-vowel suffix."""
    v = _last_vowel(word)
    if v in "аыя":
        return y
    if v in "еиэ":
        return i
    if v in "оуёю":
        return u
    return ue


def _consonant(ch: str) -> bool:
    return ch not in _VOWELS and ch not in "ъь"


def is_abbreviation(word: str) -> bool:
    """Tell whether `word` is an abbreviation read letter by letter («РИИБ», «ОВД», «МТУ»),
    not a word («БУУ», «ОШ», «АСАНОВ» in capitals)."""
    letters = word.replace("-", "")
    if not letters.isalpha() or not letters.isupper() or letters in READ_AS_WORDS:
        return False
    w = letters.lower()
    if not any(c in _VOWELS for c in w):
        return True
    if len(w) > _ABBREVIATION_LENGTH or len(w) < 2:
        return False
    start = _consonant(w[0]) and _consonant(w[1])
    end = _consonant(w[-1]) and _consonant(w[-2]) and w[-2:] not in _WORD_FINAL_CLUSTERS
    return "ии" in w or start or end


def spoken(word: str) -> str:
    """The word as it is read, in lower case: an abbreviation by its letters' names."""
    if is_abbreviation(word):
        return "".join(LETTER_NAMES.get(c, c) for c in word.lower() if c != "-")
    return word.lower()


def is_possessive(word: str) -> bool:
    """A head ending in ы/и/у/ү after a consonant is taken as 3rd-person possessive."""
    if is_abbreviation(word):
        return False  # МТУ [эм-тэ-у] is not «мту» + possessive
    w = word.lower()
    return len(w) > 2 and w[-1] in _POSSESSIVE_ENDINGS and w[-2] not in _VOWELS


def _suffix(word: str, case: Case) -> str:
    w = spoken(word)
    last = w[-1]
    pronominal = is_possessive(word)
    vowel_end = last in _VOWELS
    voiceless = last in _VOICELESS
    if case is Case.GENITIVE:
        first = "н" if pronominal or vowel_end else ("т" if voiceless else "д")
        return first + _harmony_high(w, "ын", "ин", "ун", "үн")
    if case is Case.ACCUSATIVE:
        if pronominal:
            return "н"
        first = "н" if vowel_end else ("т" if voiceless else "д")
        return first + _harmony_high(w, "ы", "и", "у", "ү")
    if case is Case.DATIVE:
        if pronominal:
            return "н" + _harmony4(w, "а", "е", "о", "ө")
        first = "к" if voiceless else "г"
        return first + _harmony4(w, "а", "е", "о", "ө")
    first = "нд" if pronominal else ("т" if voiceless else "д")
    suffix = _harmony4(w, "а", "е", "о", "ө")
    if case is Case.LOCATIVE:
        return first + suffix
    return first + suffix + "н"  # ablative


def decline(phrase: str, case: Case) -> str:
    """Put the head (last word) of a Kyrgyz noun phrase into `case`; the suffix in lower case."""
    head = phrase.rstrip()
    if not head:
        return phrase
    word = head.split()[-1]
    parts = [part for part in word.split("-") if any(c.isalpha() for c in part)]
    if not parts:
        return phrase  # no letters («‑», «1»): nothing a suffix could follow by harmony
    # An abbreviation is read whole («ЖМК»); a word's harmony is its last part's («Жети-Өгүз»).
    return head + _suffix(word if is_abbreviation(word) else parts[-1], case)


def possessive(word: str) -> str:
    """Third-person possessive: тескеме → тескемеси, буйрук → буйругу."""
    w = word
    if w[-1].lower() in _VOWELS:
        return w + "с" + _harmony_high(w, "ы", "и", "у", "ү")
    voiced = {"к": "г", "п": "б"}
    if w[-1].lower() in voiced and len(w) > 2:
        w = w[:-1] + voiced[w[-1].lower()]
    return w + _harmony_high(w, "ы", "и", "у", "ү")


# The territory an executive body governs, from the body's name: a title names the territory
# («Үч-Коргон айыл аймагында»), not the office («…айыл өкмөтүндө»).
_PLACE = r"(?P<place>.+?)"
_TERRITORIES = (
    (re.compile(rf"^{_PLACE} айыл өкмөтү$"), "{place} айыл аймагы"),
    (re.compile(rf"^{_PLACE} шаарынын мэриясы$"), "{place} шаары"),
    (re.compile(rf"^{_PLACE} шаардык мэриясы$"), "{place} шаары"),
    (re.compile(rf"^{_PLACE} шаар өкмөтү$"), "{place} шаары"),
    # Bishkek's district administrations: «…мэриясынын Свердлов административдик району
    # боюнча муниципалдык администрациясы» → «Бишкек шаарынын Свердлов административдик району».
    (
        re.compile(
            rf"^{_PLACE} шаарынын мэриясынын (?P<district>.+? району) боюнча "
            r"муниципалдык администрациясы$"
        ),
        "{place} шаарынын {district}",
    ),  # fmt: skip
    # A municipal territorial office (МТУ) governs «its territory».
    (re.compile(r"^(?P<place>.*муниципалдык аймактык башкармалык)$"), "{place}тын аймагы"),
)


def territory_of(body: str) -> str | None:
    """The territory a body governs, in the nominative: «Үч-Коргон айыл өкмөтү» → «Үч-Коргон
    айыл аймагы», «Кара-Суу шаарынын мэриясы» → «Кара-Суу шаары»; None if the name is of
    another shape."""
    text = " ".join(body.split())
    for pattern, territory in _TERRITORIES:
        found = pattern.match(text)
        if found:
            return territory.format(**found.groupdict())
    return None
