"""Kyrgyz case suffixes by vowel harmony and consonant assimilation.

No maintained library declines Kyrgyz correctly (the `kyrgyz` package gets possessive heads
wrong: «өкмөтүгө» for «өкмөтүнө»), so the few rules documents need live here.

«Place + айыл өкмөтү» is an izafet: only the head word takes the case ending, and a head in
the 3rd-person possessive (өкмөтү, кеңеши, Республикасы) inserts the pronominal «н».
"""

from __future__ import annotations

import enum

_VOWELS = "аеёиоөуүыэюя"
_VOICELESS = "кпстфхцчшщ"
_POSSESSIVE_ENDINGS = "ыиуү"


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


def is_possessive(word: str) -> bool:
    """A head ending in ы/и/у/ү after a consonant is taken as 3rd-person possessive."""
    w = word.lower()
    return len(w) > 2 and w[-1] in _POSSESSIVE_ENDINGS and w[-2] not in _VOWELS


def _suffix(word: str, case: Case) -> str:
    w = word.lower()
    last = w[-1]
    pronominal = is_possessive(word)
    vowel_end = last in _VOWELS
    voiceless = last in _VOICELESS
    if case is Case.GENITIVE:
        first = "н" if pronominal or vowel_end else ("т" if voiceless else "д")
        return first + _harmony_high(word, "ын", "ин", "ун", "үн")
    if case is Case.ACCUSATIVE:
        if pronominal:
            return "н"
        first = "н" if vowel_end else ("т" if voiceless else "д")
        return first + _harmony_high(word, "ы", "и", "у", "ү")
    if case is Case.DATIVE:
        if pronominal:
            return "н" + _harmony4(word, "а", "е", "о", "ө")
        first = "к" if voiceless else "г"
        return first + _harmony4(word, "а", "е", "о", "ө")
    first = "нд" if pronominal else ("т" if voiceless else "д")
    suffix = _harmony4(word, "а", "е", "о", "ө")
    if case is Case.LOCATIVE:
        return first + suffix
    return first + suffix + "н"  # ablative


def decline(phrase: str, case: Case) -> str:
    """Put the head (last word) of a Kyrgyz noun phrase into `case`."""
    head = phrase.rstrip()
    if not head:
        return phrase
    suffix = _suffix(head.split(" ")[-1].split("-")[-1], case)
    return head + (suffix.upper() if head.split(" ")[-1].isupper() else suffix)


def possessive(word: str) -> str:
    """Third-person possessive: тескеме → тескемеси, буйрук → буйругу."""
    w = word
    if w[-1].lower() in _VOWELS:
        return w + "с" + _harmony_high(w, "ы", "и", "у", "ү")
    voiced = {"к": "г", "п": "б"}
    if w[-1].lower() in voiced and len(w) > 2:
        w = w[:-1] + voiced[w[-1].lower()]
    return w + _harmony_high(w, "ы", "и", "у", "ү")
