"""Amounts in figures and in words: the Kyrgyz converter, Russian via num2words, exact tyiyn."""

from __future__ import annotations

from decimal import Decimal

import pytest

from service.i18n import Phrases
from service.language.money import (
    amount_in_words,
    format_amount,
    format_number,
    kyrgyz_number,
)


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "нөл"),
        (1, "бир"),
        (7, "жети"),
        (10, "он"),
        (15, "он беш"),
        (40, "кырк"),
        (50, "элүү"),
        (99, "токсон тогуз"),
        (100, "жүз"),
        (101, "жүз бир"),
        (200, "эки жүз"),
        (999, "тогуз жүз токсон тогуз"),
        (1000, "миң"),
        (1001, "миң бир"),
        (1100, "миң жүз"),
        (2015, "эки миң он беш"),
        (21000, "жыйырма бир миң"),
        (40000, "кырк миң"),
        (100000, "жүз миң"),
        (125000, "жүз жыйырма беш миң"),
        (307000, "үч жүз жети миң"),
        (1000000, "бир миллион"),
        (1001000, "бир миллион миң"),
        (2500000, "эки миллион беш жүз миң"),
        (1000000000, "бир миллиард"),
        (
            999999999999,
            "тогуз жүз токсон тогуз миллиард тогуз жүз токсон тогуз миллион "
            "тогуз жүз токсон тогуз миң тогуз жүз токсон тогуз",
        ),
    ],
)
def test_kyrgyz_numbers(number, words):
    assert kyrgyz_number(number) == words


@pytest.mark.parametrize("number", [-1, 10**12])
def test_kyrgyz_numbers_out_of_range(number):
    with pytest.raises(ValueError):
        kyrgyz_number(number)


@pytest.mark.parametrize(
    ("amount", "ru", "ky"),
    [
        ("40000.00", "сорок тысяч сомов 00 тыйынов", "кырк миң сом 00 тыйын"),
        ("40000", "сорок тысяч сомов 00 тыйынов", "кырк миң сом 00 тыйын"),
        ("1.5", "один сом 50 тыйынов", "бир сом 50 тыйын"),
        ("0.05", "ноль сомов 05 тыйынов", "нөл сом 05 тыйын"),
        ("21", "двадцать один сом 00 тыйынов", "жыйырма бир сом 00 тыйын"),
        ("2000", "две тысячи сомов 00 тыйынов", "эки миң сом 00 тыйын"),
        (
            "1275500.50",
            "один миллион двести семьдесят пять тысяч пятьсот сомов 50 тыйынов",
            "бир миллион эки жүз жетимиш беш миң беш жүз сом 50 тыйын",
        ),
    ],
)
def test_amount_in_words(amount, ru, ky):
    assert amount_in_words(Phrases("ru"), Decimal(amount)) == ru
    assert amount_in_words(Phrases("ky"), Decimal(amount)) == ky


def test_fractions_of_a_tyiyn_are_never_rounded():
    with pytest.raises(ValueError):
        amount_in_words(Phrases("ru"), Decimal("1.005"))
    with pytest.raises(ValueError):
        format_amount(Decimal("0.001"))


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("40000", "40\u00a0000,00"),
        ("1275500.5", "1\u00a0275\u00a0500,50"),
        ("999.99", "999,99"),
        ("0", "0,00"),
        ("1000000000", "1\u00a0000\u00a0000\u00a0000,00"),
    ],
)
def test_format_amount(amount, text):
    assert format_amount(Decimal(amount)) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [("41.5", "41,5"), ("1200", "1\u00a0200"), ("3.50", "3,5"), ("1E+2", "100"), ("0.25", "0,25")],
)
def test_format_number(value, text):
    assert format_number(Decimal(value)) == text
