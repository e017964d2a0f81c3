"""Amounts of money in figures and in words, in Kyrgyz and Russian.

Figures: «40 000,00» in both languages: a no-break space (U+00A0) groups thousands, so an
amount never wraps inside a narrow table cell, and a comma separates the tyiyn.

Words: «сорок тысяч сомов 00 тыйынов» / «кырк миң сом 00 тыйын»: the som in words, the tyiyn
in two digits. In Russian the currency words agree with the number before them, as Kyrgyz
Russian-language legal texts write them («двадцать один сом», «восемьдесят два сома»,
«девяносто семь сомов 22 тыйына»); in Kyrgyz «сом» and «тыйын» stay uninflected. The phrase
and the words of each plural category live in the documents catalog. Russian numerals come
from num2words; num2words has no Kyrgyz (its «kz» is Kazakh), so the Kyrgyz numerals are
written out here. A bare hundred or thousand is
«жүз» / «миң», as on the som banknotes («жүз сом», «миң сом»), and «бир жүз» / «бир миң» are
never used; millions and milliards always take their count: «бир миллион».
"""

from __future__ import annotations

from decimal import Decimal

from num2words import num2words

from service.i18n import Phrases

CENT = Decimal("0.01")
NBSP = "\u00a0"

_UNITS = ("", "бир", "эки", "үч", "төрт", "беш", "алты", "жети", "сегиз", "тогуз")
_TENS = ("", "он", "жыйырма", "отуз", "кырк", "элүү", "алтымыш", "жетимиш", "сексен", "токсон")
_SCALES = ((10**9, "миллиард"), (10**6, "миллион"), (10**3, "миң"))
_LIMIT = 10**12


def _below_thousand(n: int) -> list[str]:
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    words = []
    if hundreds:
        words += ([] if hundreds == 1 else [_UNITS[hundreds]]) + ["жүз"]
    if tens:
        words.append(_TENS[tens])
    if units:
        words.append(_UNITS[units])
    return words


def kyrgyz_number(n: int) -> str:
    """Write a whole number below a trillion in Kyrgyz words: 125000 → «жүз жыйырма беш миң»."""
    if not 0 <= n < _LIMIT:
        raise ValueError(f"out of range: {n}")
    if n == 0:
        return "нөл"
    words = []
    for scale, name in _SCALES:
        count, n = divmod(n, scale)
        if count:
            bare_thousand = count == 1 and scale == 1000
            words += ([] if bare_thousand else _below_thousand(count)) + [name]
    return " ".join(words + _below_thousand(n))


def russian_number(n: int) -> str:
    """Write a whole number in Russian words (masculine, as «сом» needs)."""
    if not 0 <= n < _LIMIT:
        raise ValueError(f"out of range: {n}")
    return num2words(n, lang="ru")


def _cents(amount: Decimal) -> int:
    """The amount in tyiyn; an amount with fractions of a tyiyn is a bug, never rounded."""
    exact = amount.quantize(CENT)
    if exact != amount:
        raise ValueError(f"more than two decimals: {amount}")
    return int(exact * 100)


def plural_category(n: int) -> str:
    """The Russian plural category of a count: «one» (1, 21), «few» (2–4, 22), «many» (5, 11)."""
    if n % 10 == 1 and n % 100 != 11:
        return "one"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return "few"
    return "many"


def _unit(t: Phrases, word: str, n: int) -> str:
    # One catalog entry per category (msgctxt «amount, one/few/many»): Kyrgyz gives one word.
    category = plural_category(n)
    if category == "one":
        return t.pgettext("amount, one", word)
    if category == "few":
        return t.pgettext("amount, few", word)
    return t.pgettext("amount, many", word)


def amount_in_words(t: Phrases, amount: Decimal) -> str:
    """«сорок тысяч сомов 00 тыйынов» / «кырк миң сом 00 тыйын»."""
    som, tyiyn = divmod(_cents(amount), 100)
    words = kyrgyz_number(som) if t.lang == "ky" else russian_number(som)
    return t.gettext(
        "{som} {som_unit} {tyiyn} {tyiyn_unit}",
        som=words,
        som_unit=_unit(t, "som", som),
        tyiyn=f"{tyiyn:02d}",
        tyiyn_unit=_unit(t, "tyiyn", tyiyn),
    )


def _localise(figures: str) -> str:
    return figures.replace(",", NBSP).replace(".", ",")


def format_amount(amount: Decimal) -> str:
    """«40 000,00» (no-break space between thousands, comma before the tyiyn)."""
    return _localise(f"{Decimal(_cents(amount)) / 100:,.2f}")


def format_number(value: Decimal) -> str:
    """An indicator value: «1 200», «3,5», «0,25» (no trailing zeros)."""
    if value == value.to_integral_value():
        return _localise(f"{value:,.0f}")
    return _localise(f"{value.normalize():,f}")
