"""Typographic rules of printed Russian and Kyrgyz.

`polish_context` applies to every string of a document: a document number never splits
across lines («№» is followed by a no-break space and the hyphens of the number are no-break
hyphens, U+2011, which Word and LibreOffice print as an ordinary hyphen: «№ 03-12/146-Б» stays
on one line), the year's abbreviation or the word «год» stays with its year («2015 г.»,
«2021 года»), a person's initials with the surname («Якубову М.К.», «М.К. Якубовага»), and
a date never splits: «от 20 октября 2021 г.» and «2021-жылдын 20-октябрындагы» are joined by
no-break spaces and no-break hyphens from the preposition to the month.

`hyphenate` is for the text of narrow table columns: it puts soft hyphens (U+00AD, printed
only where a line breaks) between the syllables of long words, so that «несовершеннолетних»
breaks as «несовершен-нолетних» instead of being cut anywhere. Russian follows the
hyphenation patterns LibreOffice uses (pyphen); Kyrgyz, for which there are none, follows its
syllable rule (below).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

import pyphen

_NUMBER = re.compile(r"№[ \u00a0]*([^\s,;:()«»]+)")
_YEAR = re.compile(r"(\d) (гг?\.|год(?:а|у|ом|ы|ов)?\b)")
# A person's initials stay with the surname, on either side: «Якубову М.К.», «М.К. Якубовага»,
# «Жумабек кызы М.», «Б. Асан уулу». (Capital letters only: «с. Чаувай» is a village.)
NBSP = "\u00a0"
_UPPER, _LOWER = "А-ЯЁӨҮҢ", "а-яёөүң"
_INITIALS = rf"[{_UPPER}]\.(?:[ \u00a0]?[{_UPPER}]\.)?(?:-[{_UPPER}]\.)?"
_SURNAME = rf"[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?|уулу|кызы"
_NAME_INITIALS = re.compile(rf"((?<![\w.])(?:{_SURNAME})) ({_INITIALS})(?!\w)")
_INITIALS_NAME = re.compile(rf"((?<![\w.]){_INITIALS}) (?=[{_UPPER}][{_LOWER}])")
_RU_MONTHS = "января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря"
# «20 октября», «октября 2021», «от 20», «до 1»: Russian dates in running text.
_RU_DATE = re.compile(
    rf"(?<!\w)(?:(от|до|с|по|к) (?=\d{{1,2}} (?:{_RU_MONTHS})))?"
    rf"(\d{{1,2}}) ({_RU_MONTHS})(?: (\d{{4}}))?"
)
# «2021-жылдын», «2021-жылы», «2021-ж.»; «20-октябрына»; «2021-жылдын 20-…»: Kyrgyz dates.
_KY_YEAR = re.compile(r"(\d)-(жыл|ж\.)")
_KY_DAY = re.compile(r"(\b\d{1,2})-(?=[а-яөүң])")
_KY_YEAR_DAY = re.compile(r"(\d\u2011(?:жылдын|жылы)) (\d)")


def _ru_date(match: re.Match[str]) -> str:
    preposition, day, month, year = match.groups()
    text = f"{day}\u00a0{month}" + (f"\u00a0{year}" if year else "")
    return f"{preposition}\u00a0{text}" if preposition else text


def _name_initials(match: re.Match[str]) -> str:
    return match[1] + NBSP + match[2].replace(" ", NBSP)


def _number(match: re.Match[str]) -> str:
    # A sentence's full stop after the number is not part of it.
    return "№\u00a0" + match[1].replace("-", "\u2011")


def polish(text: str) -> str:
    """Apply the rules to one string."""
    if "№" in text:
        text = _NUMBER.sub(_number, text)
    if " г" in text:
        text = _YEAR.sub("\\1\u00a0\\2", text)
    if "." in text:
        text = _NAME_INITIALS.sub(_name_initials, text)
        text = _INITIALS_NAME.sub(lambda m: m[1].replace(" ", NBSP) + NBSP, text)
    if any(c.isdigit() for c in text):
        text = _RU_DATE.sub(_ru_date, text)
        text = _KY_YEAR.sub("\\1\u2011\\2", text)
        text = _KY_DAY.sub("\\1\u2011", text)
        text = _KY_YEAR_DAY.sub("\\1\u00a0\\2", text)
    return text


def line_start(text: str) -> str:
    """A position that begins a line of its own (a signature block, the secretary's line)
    begins with a capital, however it was typed: «заместитель главы» → «Заместитель главы»."""
    return text[:1].upper() + text[1:] if text[:1].islower() else text


def polish_context(value: Any) -> Any:
    """Apply the rules to every string of a context made of dicts, lists and strings."""
    if isinstance(value, str):
        return polish(value)
    if isinstance(value, dict):
        return {k: polish_context(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [polish_context(v) for v in value]
    return value


SOFT_HYPHEN = "\u00ad"
# Words of 7 letters or more, but not the month of a date: «30-сентябрына», «30 сентября».
_LONG_WORD = re.compile(
    rf"(?<![^\W\d_])(?<!\d[-\u2011])(?!(?:{_RU_MONTHS})\b)[^\W\d_]{{7,}}", re.IGNORECASE
)


ZERO_WIDTH_SPACE = "\u200b"
# Where a date in a narrow column may break: before the year («25 августа» / «2018 г.») and
# after the year's hyphen («2018-» / «жылдын»). A zero-width space there keeps `polish` from
# joining the whole date, which a column a dozen letters wide cannot hold.
_NARROW_RU_YEAR = re.compile(rf"({_RU_MONTHS}) (\d{{4}})")
_NARROW_KY_YEAR = re.compile(r"(\d)-(жыл)")


def hyphenate(text: str, lang: str) -> str:
    """Soft hyphens between the syllables of the words of 7 letters or more (never in a
    date: a month split across lines reads badly); a date may break only before its year or
    after the year's hyphen."""
    text = _NARROW_RU_YEAR.sub(f"\\1{ZERO_WIDTH_SPACE} \\2", text)
    text = _NARROW_KY_YEAR.sub(f"\\1-{ZERO_WIDTH_SPACE}\\2", text)
    return _LONG_WORD.sub(lambda m: _hyphenated(m[0], lang), text)


def hyphenate_some(texts: dict, keys: tuple[str, ...], lang: str) -> dict:
    """`texts` with those under `keys` hyphenated (each text of a list, too)."""

    def one(value):
        return (
            [hyphenate(v, lang) for v in value]
            if isinstance(value, list)
            else hyphenate(value, lang)
        )

    return texts | {key: one(texts[key]) for key in keys}


@cache
def _russian() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="ru_RU", left=2, right=2)


@lru_cache(maxsize=65536)
def _hyphenated(word: str, lang: str) -> str:
    if lang == "ky":
        return SOFT_HYPHEN.join(kyrgyz_syllables(word))
    return _russian().inserted(word, hyphen=SOFT_HYPHEN)


_KY_VOWELS = frozenset("аеёиоөуүыэюяАЕЁИОӨУҮЫЭЮЯ")
_KY_SIGNS = frozenset("ьъЬЪ")


def kyrgyz_syllables(word: str) -> list[str]:
    """Split a Kyrgyz word where a line may break: before the last consonant between two
    vowels (a long vowel, «оо», «үү», is one), keeping two letters at least on each side.

    «коопсуздугун» → кооп-суз-ду-гун, «башкармалыгынын» → баш-кар-ма-лы-гы-нын.
    """
    nuclei = []  # (start, end) of each vowel or long vowel
    i = 0
    while i < len(word):
        if word[i] in _KY_VOWELS:
            end = i + 1
            if end < len(word) and word[end].lower() == word[i].lower():
                end += 1
            nuclei.append((i, end))
            i = end
        else:
            i += 1
    cuts = []
    for (_, end), (start, _) in zip(nuclei, nuclei[1:], strict=False):
        consonants = start - end
        if consonants == 0:
            continue  # two different vowels side by side: not split
        cut = start - 1
        while cut > end and word[cut] in _KY_SIGNS:
            cut -= 1  # a soft or hard sign stays with the consonant before it
        cuts.append(cut)
    cuts = [c for c in cuts if c >= 2 and len(word) - c >= 2]
    return [word[a:b] for a, b in zip([0, *cuts], [*cuts, len(word)], strict=True)]
