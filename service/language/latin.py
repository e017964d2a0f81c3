"""Kyrgyz and Russian Cyrillic in ASCII Latin letters, for where only ASCII goes (the plain
`filename` of a download): «Распоряжение № 146-Б» → «Rasporyazhenie No 146-B».

The table is the BGN/PCGN romanisation of Russian (1947), with the three Kyrgyz letters as
BGN/PCGN's romanisation of Kyrgyz (1979) writes them: ң ng, ө ö, ү ü, the umlauts dropped
for ASCII (ö → o, ü → u). One table for both languages, so that a name is always spelt one
way: a Kyrgyz ж is zh as in Russian (BGN/PCGN Kyrgyz writes j), е is always e (no «ye» after
vowels), ё yo, й y, and the hard and soft signs, apostrophes in BGN/PCGN, are left out.
"""

from __future__ import annotations

import unicodedata

LETTERS = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "ң": "ng",
    "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ү": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y",
    "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip


def to_latin(text: str) -> str:
    """`text` with every Kyrgyz and Russian letter in Latin letters (other characters kept:
    «Жаңы Өзгөн» → «Zhangy Ozgon», a capital digraph in capitals within a word in capitals:
    «ЖЭК» → «ZHEK»)."""
    out = []
    for index, char in enumerate(text):
        lower = char.lower()
        latin = LETTERS.get(lower)
        if latin is None:
            out.append(char)
        elif char == lower or not latin:
            out.append(latin)
        elif len(latin) > 1 and _capital_next_to(text, index):
            out.append(latin.upper())
        else:
            out.append(latin.capitalize())
    return "".join(out)


def _capital_next_to(text: str, index: int) -> bool:
    """Whether the letter at `index` is in a word in capitals (its neighbour is a capital)."""
    following = text[index + 1 : index + 2]
    preceding = text[index - 1 : index] if index else ""
    return any(c.isalpha() and c.isupper() for c in (following or preceding))


def to_ascii(text: str) -> str:
    """`to_latin`, then what is still not ASCII decomposed (é → e, № → No) or dropped."""
    decomposed = unicodedata.normalize("NFKD", to_latin(text))
    return decomposed.encode("ascii", "ignore").decode("ascii")
