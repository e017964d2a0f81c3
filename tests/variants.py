"""Variants the examples do not have: tables written by hand and generators of whole inputs.

The tables are written by hand from public Kyrgyz sources: the names of aiyl okmotus, town
mayoralties and Bishkek's territorial offices as their sites, the MVD and the kenesh acts write
them (Kyrgyz and Russian), the staff positions of aiyl okmotus, mayoralties, the militia
(ОВД, РОВД, ГОВД, РУВД), schools, FAPs, keneshes and NGOs, and person names in the shapes
secretaries type. Every declined form the documents print is written here by hand — the
Russian accusative of a controller's position and name, the Kyrgyz dative, the bodies'
genitive and locative, the dates — or is marked `None`: the service is expected to warn about
that field. Municipality numbers of Bishkek's MTUs and every person are invented.

`Chooser` builds inputs from either a hypothesis `draw` (the tests, `tests/test_variants.py`)
or a seeded `random.Random` (`python -m tests.variants OUTDIR`, the review documents: three
orders of 20+ members for municipalities not in the examples, a 7-problem plan of 60
activities and its report, as .docx).
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import strategies as st

T = TypeVar("T")

# ---------------------------------------------------------------------------------------------
# Choosing: one interface over hypothesis and random.


class Chooser:
    """What the builders need: a choice from a list, an integer, a coin."""

    def pick(self, items: Sequence[T]) -> T:  # pragma: no cover - interface
        raise NotImplementedError

    def integer(self, low: int, high: int) -> int:  # pragma: no cover - interface
        raise NotImplementedError

    def coin(self, chance: float = 0.5) -> bool:
        return self.integer(0, 999) < chance * 1000

    def sample(self, items: Sequence[T], count: int) -> list[T]:
        pool, out = list(items), []
        for _ in range(min(count, len(pool))):
            out.append(pool.pop(self.integer(0, len(pool) - 1)))
        return out


class DrawChooser(Chooser):
    def __init__(self, draw: Callable):
        self.draw = draw

    def pick(self, items: Sequence[T]) -> T:
        return self.draw(st.sampled_from(list(items)))

    def integer(self, low: int, high: int) -> int:
        return self.draw(st.integers(low, high))


class RandomChooser(Chooser):
    def __init__(self, seed: int):
        self.random = random.Random(seed)

    def pick(self, items: Sequence[T]) -> T:
        return self.random.choice(list(items))

    def integer(self, low: int, high: int) -> int:
        return self.random.randint(low, high)


# ---------------------------------------------------------------------------------------------
# What a document must print: a form from a table (or set by hand), or a warning.


@dataclass(frozen=True)
class Expect:
    """The document prints `text` (a declined form) — or, when `text` is None, the service
    warns about `field` (an input path: «control.name», «members.3.name»)."""

    field: str
    text: str | None
    what: str = ""


@dataclass
class Case:
    """A generated input of `kind`, with what its document must print."""

    kind: str
    payload: dict
    expects: list[Expect] = field(default_factory=list)
    # Input paths whose names are expected to warn (a person given a name the tables mark).
    warned_people: set[str] = field(default_factory=set)


# ---------------------------------------------------------------------------------------------
# Person names. Surnames: masculine and feminine, with the Russian accusative and dative and the
# Kyrgyz dative (the suffix by the last vowel: -го/-ге after о/е, -га after а; after a voiceless
# consonant -ка/-ке). `sure`: the ending shows a surname (-ов, -ев, -ова, -ева), so a two-word
# name «Бакыт Асанов» can be read in either order.

# m nominative, m accusative, m dative, m Kyrgyz dative,
# f nominative, f accusative, f dative, f Kyrgyz dative, sure
SURNAMES = [
    ("Бакиров", "Бакирова", "Бакирову", "Бакировго",
     "Бакирова", "Бакирову", "Бакировой", "Бакировага", True),
    ("Сатыбалдиев", "Сатыбалдиева", "Сатыбалдиеву", "Сатыбалдиевге",
     "Сатыбалдиева", "Сатыбалдиеву", "Сатыбалдиевой", "Сатыбалдиевага", True),
    ("Токтосунов", "Токтосунова", "Токтосунову", "Токтосуновго",
     "Токтосунова", "Токтосунову", "Токтосуновой", "Токтосуновага", True),
    ("Эшимкулов", "Эшимкулова", "Эшимкулову", "Эшимкуловго",
     "Эшимкулова", "Эшимкулову", "Эшимкуловой", "Эшимкуловага", True),
    ("Өмүрзаков", "Өмүрзакова", "Өмүрзакову", "Өмүрзаковго",
     "Өмүрзакова", "Өмүрзакову", "Өмүрзаковой", "Өмүрзаковага", True),
    ("Үсөнбаев", "Үсөнбаева", "Үсөнбаеву", "Үсөнбаевге",
     "Үсөнбаева", "Үсөнбаеву", "Үсөнбаевой", "Үсөнбаевага", True),
    ("Төрөбеков", "Төрөбекова", "Төрөбекову", "Төрөбековго",
     "Төрөбекова", "Төрөбекову", "Төрөбековой", "Төрөбековага", True),
    ("Шаршенбаев", "Шаршенбаева", "Шаршенбаеву", "Шаршенбаевге",
     "Шаршенбаева", "Шаршенбаеву", "Шаршенбаевой", "Шаршенбаевага", True),
    ("Келдибеков", "Келдибекова", "Келдибекову", "Келдибековго",
     "Келдибекова", "Келдибекову", "Келдибековой", "Келдибековага", True),
    ("Абдыраимов", "Абдыраимова", "Абдыраимову", "Абдыраимовго",
     "Абдыраимова", "Абдыраимову", "Абдыраимовой", "Абдыраимовага", True),
    ("Бекбоев", "Бекбоева", "Бекбоеву", "Бекбоевге",
     "Бекбоева", "Бекбоеву", "Бекбоевой", "Бекбоевага", True),
    ("Жээнбеков", "Жээнбекова", "Жээнбекову", "Жээнбековго",
     "Жээнбекова", "Жээнбекову", "Жээнбековой", "Жээнбековага", True),
    ("Сулайманов", "Сулайманова", "Сулайманову", "Сулаймановго",
     "Сулайманова", "Сулайманову", "Сулаймановой", "Сулаймановага", True),
    ("Исаков", "Исакова", "Исакову", "Исаковго",
     "Исакова", "Исакову", "Исаковой", "Исаковага", True),
    ("Дүйшөнбиев", "Дүйшөнбиева", "Дүйшөнбиеву", "Дүйшөнбиевге",
     "Дүйшөнбиева", "Дүйшөнбиеву", "Дүйшөнбиевой", "Дүйшөнбиевага", True),
    ("Кочкорбаев", "Кочкорбаева", "Кочкорбаеву", "Кочкорбаевге",
     "Кочкорбаева", "Кочкорбаеву", "Кочкорбаевой", "Кочкорбаевага", True),
    ("Алымкулов", "Алымкулова", "Алымкулову", "Алымкуловго",
     "Алымкулова", "Алымкулову", "Алымкуловой", "Алымкуловага", True),
    ("Садыков-Ата", "Садыкова-Ата", "Садыкову-Ата", "Садыков-Атага",
     "Садыкова-Ата", "Садыкову-Ата", "Садыковой-Ата", "Садыкова-Атага", True),
    ("Иванов", "Иванова", "Иванову", "Ивановго",
     "Иванова", "Иванову", "Ивановой", "Ивановага", True),
    ("Шевчук", "Шевчука", "Шевчуку", "Шевчукка",
     "Шевчук", "Шевчук", "Шевчук", "Шевчукка", False),
    ("Ким", "Кима", "Киму", "Кимге", "Ким", "Ким", "Ким", "Кимге", False),
    ("Пак", "Пака", "Паку", "Пакка", "Пак", "Пак", "Пак", "Пакка", False),
]  # fmt: skip
# Double surnames of women, as registry offices write them.
DOUBLE_SURNAMES_F = [
    ("Асанова-Бекова", "Асанову-Бекову", "Асановой-Бековой", "Асанова-Бековага"),
    ("Осмонова-Ким", "Осмонову-Ким", "Осмоновой-Ким", "Осмонова-Кимге"),
]
GIVEN_M = ["Бакыт", "Нурлан", "Азамат", "Эрлан", "Талант", "Мирлан", "Улан", "Нурбек",
           "Абдул-Азиз", "Өмүр", "Жолдошбек", "Кубанычбек", "Чыңгыз", "Үмөт", "Эркин"]  # fmt: skip
GIVEN_F = ["Мээрим", "Айгүл", "Жылдыз", "Гүлнара", "Бермет", "Айпери", "Нургүл", "Чолпон",
           "Элмира", "Айжан", "Динара", "Гүлзат", "Асел", "Урмат"]  # fmt: skip
PATRONYMICS_M = ["Кадырович", "Шаршенович", "Асанбекович", "Бакытбекович", "Жумабекович",
                 "Токтогулович", "Сергеевич"]  # fmt: skip
PATRONYMICS_F = ["Касымовна", "Бакытовна", "Асановна", "Токтогуловна", "Жумабековна",
                 "Сергеевна"]  # fmt: skip
# Fathers' names of «Асан уулу Бакыт», «Мээрим Жумабек кызы».
FATHERS = ["Асан", "Жумабек", "Таалайбек", "Өмүрбек", "Мамыт", "Сагын", "Түгөлбай", "Эркин"]
LATIN_LOOKALIKES = str.maketrans("АаВСсЕеНКМОоРрТХхУу", "AaBCcEeHKMOoPpTXxYy")

# Names the service cannot read, or whose declension it cannot be sure of: each must give a
# warning for the forms marked None (text, gender, list form, signature form, Russian
# accusative, Kyrgyz dative).
HARD_NAMES = [
    ("Капитан Асанов Б.К.", "male", None, None, None, None),
    ("Асанов Б.К. (и.о.)", "male", None, None, None, None),
    ("Asanov B.K.", "male", None, None, None, None),
    ("Асанов 2-й", "male", None, None, None, None),
    # A Kyrgyz surname ending like a possessive: «Кулуга» or «Кулуна»?
    ("Кулу А.", "male", "Кулу А.", "А. Кулу", "Кулу А.", None),
    # A name that looks female with gender male: the Russian cases are not sure.
    ("Асанова Б.К.", "male", "Асанова Б.К.", "Б.К. Асанова", None, "Б.К. Асановага"),
    # Two words that may be either order («Елена Ким» or «Ким Елена»?).
    ("Елена Ким", "female", None, None, None, None),
    ("Марина Ильина", "female", None, None, None, None),
]


@dataclass(frozen=True)
class NameCase:
    """A name as written and its expected forms (None: a warning is expected)."""

    text: str
    gender: str
    list: str | None
    signature: str | None
    ru_accusative: str | None
    ky_dative: str | None
    forms: dict | None = None
    keep_capitals: bool = False


def _initials(*words: str) -> str:
    return "".join("-".join(p[0] + "." for p in w.split("-")) for w in words)


def _dress(c: Chooser, text: str, surname: str) -> str:
    """The slips of a keyboard: ALL CAPS, the surname in capitals, Latin look-alikes in the
    surname, doubled spaces."""
    style = c.integer(0, 9)
    if style == 0:
        text = text.upper()
    elif style == 1:
        text = text.replace(surname, surname.upper())
    elif style == 2:
        text = text.replace(surname, surname.translate(LATIN_LOOKALIKES))
    elif style == 3:
        text = "  " + text.replace(" ", "  ") + " "
    return text


def name_case(c: Chooser, gender: str | None = None) -> NameCase:
    """A person's name in one of the shapes offices write, with its forms from the tables."""
    gender = gender or c.pick(["male", "female"])
    female = gender == "female"
    given = c.pick(GIVEN_F if female else GIVEN_M)
    shape = c.integer(0, 9)
    if shape <= 1:
        # «Асан уулу Бакыт», «Мээрим Жумабек кызы», «Жумабек кызы М.», «Б. Асан уулу»
        father = c.pick(FATHERS)
        surname = f"{father} {'кызы' if female else 'уулу'}"
        initials = _initials(given)
        text = c.pick(
            [f"{surname} {given}", f"{given} {surname}", f"{surname} {initials}",
             f"{initials} {surname}", f"{initials}{surname}"]
        )  # fmt: skip
        text = _dress(c, text, father) if c.coin(0.3) else text
        return NameCase(
            text, gender, f"{surname} {initials}", f"{initials} {surname}",
            f"{surname} {initials}", f"{initials} {surname}на",
        )  # fmt: skip
    if female and shape == 2:
        surname, acc, _dat, ky = c.pick(DOUBLE_SURNAMES_F)
        sure = True
    else:
        row = c.pick(SURNAMES)
        surname, acc, _dat, ky = row[4:8] if female else row[:4]
        sure = row[8]
    if female and shape == 3 and sure:
        # «Токтогулова Айгүл Бакыт кызы»: surname, given name, father's name with кызы.
        father = c.pick(FATHERS)
        initials = _initials(given, father)
        text = f"{surname} {given} {father} кызы"
    else:
        patronymic = c.pick(PATRONYMICS_F if female else PATRONYMICS_M) if c.coin(0.8) else ""
        words = [given, patronymic] if patronymic else [given]
        initials = _initials(*words)
        shapes = [f"{surname} {initials}", f"{initials} {surname}", f"{surname} {initials[:-1]}",
                  f"{initials}{surname}", initials.replace(".", ". ") + surname]  # fmt: skip
        if patronymic:
            shapes += [f"{surname} {given} {patronymic}", f"{given} {patronymic} {surname}"]
        elif sure:
            shapes += [f"{surname} {given}", f"{given} {surname}"]
        text = c.pick(shapes)
    text = _dress(c, text, surname)
    return NameCase(
        text, gender, f"{surname} {initials}", f"{initials} {surname}", f"{acc} {initials}",
        f"{initials} {ky}",
    )  # fmt: skip


def long_name_case(c: Chooser, gender: str) -> NameCase:
    """A name written in full with one of the longest surnames, given names and patronymics
    of the tables («Сатыбалдиева Кубанычбек …»): the widest a list or signature gets."""
    female = gender == "female"
    row = c.pick(sorted(SURNAMES, key=lambda r: -len(r[4 if female else 0]))[:4])
    surname, acc, _dat, ky = row[4:8] if female else row[:4]
    given = c.pick(sorted(GIVEN_F if female else GIVEN_M, key=len)[-3:])
    patronymic = c.pick(sorted(PATRONYMICS_F if female else PATRONYMICS_M, key=len)[-2:])
    initials = _initials(given, patronymic)
    return NameCase(
        f"{surname} {given} {patronymic}", gender, f"{surname} {initials}",
        f"{initials} {surname}", f"{acc} {initials}", f"{initials} {ky}",
    )  # fmt: skip


def hard_name_case(c: Chooser) -> NameCase:
    return NameCase(*c.pick(HARD_NAMES))


def hand_set(case: NameCase) -> NameCase:
    """The same person with every form set by hand (distinct texts, so the test sees them)."""
    text = " ".join(case.text.split())
    forms = {
        "list": f"{text} (список)",
        "signature": f"{text} (подпись)",
        "ru_accusative": f"{text} (вин.)",
        "ky_dative": f"{text} (барыш)",
    }
    return NameCase(
        case.text, case.gender, forms["list"], forms["signature"], forms["ru_accusative"],
        forms["ky_dative"], forms=forms,
    )  # fmt: skip


def any_name(c: Chooser, gender: str | None = None, *, hard: float = 0.08) -> NameCase:
    """Mostly table names; now and then a hard one (warned) or one with forms set by hand."""
    roll = c.integer(0, 99)
    if roll < hard * 100:
        case = hard_name_case(c)
        if gender is not None and case.gender != gender:
            return name_case(c, gender)
        return case
    case = name_case(c, gender)
    return hand_set(case) if roll >= 95 else case


# ---------------------------------------------------------------------------------------------
# Municipalities: their letterhead, body and its forms, kenesh, police, schools, FAPs.


@dataclass(frozen=True)
class Body:
    """A body's name and the forms the documents print (Russian accusative in text, after
    «в»; Kyrgyz dative)."""

    ky: str
    ru: str
    ru_accusative: str
    ky_dative: str

    def bilingual(self) -> dict:
        return {"ky": self.ky, "ru": self.ru}


@dataclass(frozen=True)
class Org:
    """An organisation whose staff are members: its genitive (positions end with it) and the
    positions' heads it has (Russian nominative, accusative; Kyrgyz after the genitive;
    the gender the head word requires)."""

    ru_genitive: str
    ky_genitive: str
    heads: tuple[tuple[str, str, str, str | None], ...]


@dataclass(frozen=True)
class Municipality:
    key: str
    kind: str  # aiyl | town | mtu
    region: dict
    district: dict | None
    body: dict
    body_ru_genitive: str
    body_ru_locative: str
    body_ky_genitive: str
    title_ky_locative: str  # the territory in the Kyrgyz title
    head_position: dict
    place: dict
    kenesh: Body
    kenesh_chair: dict
    police: Body
    police_head: dict
    orgs: tuple[Org, ...]
    # Whole positions: (ky, ru nominative, ru accusative or None when a warning is due)
    positions: tuple[tuple[str, str, str | None], ...] = ()

    @property
    def title_ru_locative(self) -> str:
        """The Russian title's place: a town's mayoralty names its town («в городе Талас»)."""
        if self.kind == "town":
            return "городе " + self.body["ru"].removeprefix("Мэрия города ")
        return self.body_ru_locative


# Heads of positions by the organisation they are in.
AIYL_OFFICE_HEADS = (
    ("заместитель главы", "заместителя главы", "башчысынын орун басары", None),
    ("ответственный секретарь", "ответственного секретаря", "жооптуу катчысы", None),
    ("главный специалист", "главного специалиста", "башкы адиси", None),
    ("ведущий специалист", "ведущего специалиста", "жетектөөчү адиси", None),
    ("специалист по социальным вопросам", "специалиста по социальным вопросам",
     "социалдык маселелер боюнча адиси", None),
    ("главный специалист-юрист", "главного специалиста-юриста", "башкы адис-юристи", None),
    ("специалист по делам молодежи", "специалиста по делам молодежи",
     "жаштар иштери боюнча адиси", None),
    ("айыл башчы", "айыл башчы", "айыл башчысы", None),
    ("исполняющий обязанности заместителя главы", "исполняющего обязанности заместителя главы",
     "башчысынын орун басарынын милдетин аткаруучу", "male"),
    ("временно исполняющая обязанности ответственного секретаря",
     "временно исполняющую обязанности ответственного секретаря",
     "жооптуу катчысынын милдетин убактылуу аткаруучу", "female"),
)  # fmt: skip
TOWN_OFFICE_HEADS = (
    ("ответственный секретарь", "ответственного секретаря", "жооптуу катчысы", None),
    ("главный специалист", "главного специалиста", "башкы адиси", None),
    ("ведущий специалист", "ведущего специалиста", "жетектөөчү адиси", None),
    ("начальник отдела социального развития", "начальника отдела социального развития",
     "социалдык өнүктүрүү бөлүмүнүн башчысы", None),
    ("заведующая отделом образования", "заведующую отделом образования",
     "билим берүү бөлүмүнүн башчысы", "female"),
    ("главный специалист-юрист", "главного специалиста-юриста", "башкы адис-юристи", None),
)  # fmt: skip
MTU_OFFICE_HEADS = (
    ("заместитель начальника", "заместителя начальника", "башчысынын орун басары", None),
    ("главный специалист", "главного специалиста", "башкы адиси", None),
    ("ведущий специалист", "ведущего специалиста", "жетектөөчү адиси", None),
    ("специалист по работе с населением", "специалиста по работе с населением",
     "калк менен иштөө боюнча адиси", None),
)  # fmt: skip
POLICE_HEADS = (
    ("заместитель начальника", "заместителя начальника", "башчысынын орун басары", None),
    ("старший участковый уполномоченный милиции",
     "старшего участкового уполномоченного милиции", "улук участкалык инспектору", None),
    ("участковый инспектор милиции", "участкового инспектора милиции",
     "участкалык инспектору", None),
    ("инспектор по делам несовершеннолетних", "инспектора по делам несовершеннолетних",
     "жашы жете электердин иштери боюнча инспектору", None),
    ("старший инспектор по делам несовершеннолетних",
     "старшего инспектора по делам несовершеннолетних",
     "жашы жете электердин иштери боюнча улук инспектору", None),
    ("начальник отделения профилактики правонарушений",
     "начальника отделения профилактики правонарушений",
     "укук бузуулардын алдын алуу бөлүмчөсүнүн башчысы", None),
    ("исполняющий обязанности начальника", "исполняющего обязанности начальника",
     "башчысынын милдетин аткаруучу", "male"),
)  # fmt: skip
SCHOOL_HEADS = (
    ("директор", "директора", "директору", None),
    ("заместитель директора по воспитательной работе",
     "заместителя директора по воспитательной работе",
     "директорунун тарбия иштери боюнча орун басары", None),
    ("социальный педагог", "социального педагога", "социалдык педагогу", None),
    ("психолог", "психолога", "психологу", None),
)  # fmt: skip
FAP_HEADS = (
    ("заведующая", "заведующую", "башчысы", "female"),
    ("заведующий", "заведующего", "башчысы", "male"),
    ("фельдшер", "фельдшера", "фельдшери", None),
)
KENESH_HEADS = (
    ("депутат", "депутата", "депутаты", None),
    ("заместитель председателя", "заместителя председателя", "төрагасынын орун басары", None),
)
NGO_HEADS = (
    ("председатель", "председателя", "төрагасы", None),
    ("координатор", "координатора", "координатору", None),
)
# Community posts named whole (ky, ru, ru accusative).
COMMUNITY = (
    ("аксакалдар сотунун төрагасы", "председатель суда аксакалов", "председателя суда аксакалов"),
    ("аялдар кеңешинин төрагасы", "председатель женсовета", "председателя женсовета"),
    ("квартал комитетинин төрагасы", "председатель квартального комитета",
     "председателя квартального комитета"),
    ("жаштар комитетинин төрагасы", "председатель молодежного комитета",
     "председателя молодежного комитета"),
    ("ерктүү элдик дружинанын командири", "командир добровольной народной дружины",
     "командира добровольной народной дружины"),
    ("мечиттин имамы", "имам мечети", "имама мечети"),
    ("дыйкан чарбасынын башчысы", "глава крестьянского хозяйства", "главу крестьянского хозяйства"),
)  # fmt: skip
NGOS = (
    Org("ОО «Аялдар демилгеси»", "«Аялдар демилгеси» коомдук бирикмесинин", NGO_HEADS),
    Org("ОФ «Мээрим булагы»", "«Мээрим булагы» коомдук фондунун", NGO_HEADS),
    Org("Гражданского союза «За реформы и результат»",
        "«Реформалар жана натыйжа үчүн» Жарандык биримдигинин", NGO_HEADS),
)  # fmt: skip


def _b(ky: str, ru: str) -> dict:
    return {"ky": ky, "ru": ru}


def _aiyl(
    key, region, district, place_ky, place_ru, adjective, police, police_gen_ru, police_gen_ky,
    police_head, school_no,
) -> Municipality:  # fmt: skip
    """An aiyl okmotu: «Барскоон айыл өкмөтү» / «Барскоонский айыл окмоту»."""
    body_ru = f"{adjective} айыл окмоту"
    stem = adjective[:-2]  # «Барскоонск»
    return Municipality(
        key=key,
        kind="aiyl",
        region=region,
        district=district,
        body=_b(f"{place_ky} айыл өкмөтү", body_ru),
        body_ru_genitive=f"{stem}ого айыл окмоту",
        body_ru_locative=f"{stem}ом айыл окмоту",
        body_ky_genitive=f"{place_ky} айыл өкмөтүнүн",
        title_ky_locative=f"{place_ky} айыл аймагында",
        head_position=_b(f"{place_ky} айыл өкмөтүнүн башчысы", f"Глава {stem}ого айыл окмоту"),
        place=_b(f"{place_ky} айылы", f"с. {place_ru}"),
        kenesh=Body(
            f"{place_ky} айылдык кеңеши",
            f"{stem}ий айылный кенеш",
            f"{stem}ий айылный кенеш",
            f"{place_ky} айылдык кеңешине",
        ),  # fmt: skip
        kenesh_chair=_b(
            f"{place_ky} айылдык кеңешинин төрагасы", f"Председатель {stem}ого айылного кенеша"
        ),
        police=police,
        police_head=police_head,
        orgs=(
            Org(f"{stem}ого айыл окмоту", f"{place_ky} айыл өкмөтүнүн", AIYL_OFFICE_HEADS),
            Org(police_gen_ru, police_gen_ky, POLICE_HEADS),
            Org(
                f"средней школы № {school_no} с. {place_ru}",
                f"{place_ky} айылындагы № {school_no} орто мектебинин",
                SCHOOL_HEADS,
            ),
            Org(
                f"ФАП с. {place_ru}",
                f"{place_ky} айылындагы фельдшердик-акушердик пункттун",
                FAP_HEADS,
            ),
            Org(f"{stem}ого айылного кенеша", f"{place_ky} айылдык кеңешинин", KENESH_HEADS),
            *NGOS,
        ),  # fmt: skip
    )


def _rovd(adjective: str, ky_district: str) -> tuple[Body, str, str, dict]:
    """A district police department: «Ат-Башинский РОВД» / «Ат-Башы РИИБ»."""
    stem = adjective[:-2]
    return (
        Body(f"{ky_district} райондук ички иштер бөлүмү", f"{adjective} РОВД",
             f"{adjective} РОВД", f"{ky_district} райондук ички иштер бөлүмүнө"),
        f"{stem}ого РОВД",
        f"{ky_district} райондук ички иштер бөлүмүнүн",
        _b(f"{ky_district} райондук ички иштер бөлүмүнүн башчысы", f"Начальник {stem}ого РОВД"),
    )  # fmt: skip


def _town(key, region, district, ky, ru, govd_adjective, school_no, extra=()) -> Municipality:
    """A town mayoralty: «Каракол шаарынын мэриясы» / «Мэрия города Каракол»."""
    stem = govd_adjective[:-2]
    police = Body(
        f"{ky} шаардык ички иштер бөлүмү", f"{govd_adjective} ГОВД", f"{govd_adjective} ГОВД",
        f"{ky} шаардык ички иштер бөлүмүнө",
    )  # fmt: skip
    return Municipality(
        key=key,
        kind="town",
        region=region,
        district=district,
        body=_b(f"{ky} шаарынын мэриясы", f"Мэрия города {ru}"),
        body_ru_genitive=f"мэрии города {ru}",
        body_ru_locative=f"мэрии города {ru}",
        body_ky_genitive=f"{ky} шаарынын мэриясынын",
        title_ky_locative=f"{ky} шаарында",
        head_position=_b(f"{ky} шаарынын мэри", f"Мэр города {ru}"),
        place=_b(f"{ky} шаары", f"г. {ru}"),
        kenesh=Body(f"{ky} шаардык кеңеши", f"{stem}ий городской кенеш",
                    f"{stem}ий городской кенеш", f"{ky} шаардык кеңешине"),
        kenesh_chair=_b(f"{ky} шаардык кеңешинин төрагасы",
                        f"Председатель {stem}ого городского кенеша"),
        police=police,
        police_head=_b(f"{ky} шаардык ички иштер бөлүмүнүн башчысы",
                       f"Начальник {stem}ого ГОВД"),
        orgs=(
            Org(f"мэрии города {ru}", f"{ky} шаарынын мэриясынын", TOWN_OFFICE_HEADS),
            Org(f"{stem}ого ГОВД", f"{ky} шаардык ички иштер бөлүмүнүн", POLICE_HEADS),
            Org(f"средней школы № {school_no} г. {ru}",
                f"{ky} шаарындагы № {school_no} орто мектебинин", SCHOOL_HEADS),
            Org(f"{stem}ого городского кенеша", f"{ky} шаардык кеңешинин", KENESH_HEADS),
            *NGOS,
        ),
        positions=(
            (f"{ky} шаарынын вице-мэри", f"вице-мэр города {ru}", f"вице-мэра города {ru}"),
            *extra,
        ),
    )  # fmt: skip


def _mtu(key, number: int, district_ky: str, district_ru_dat: str, rovd_ky: str,
         rovd_ru: str, school_no: int) -> Municipality:  # fmt: skip
    """A municipal territorial office of Bishkek: «№ 7 муниципалдык аймактык башкармалык» /
    «Муниципальное территориальное управление № 7»."""
    rovd_stem = rovd_ru[:-2]
    police = Body(
        f"Бишкек шаарынын {rovd_ky} райондук ички иштер башкармалыгы",
        f"{rovd_ru} РУВД г. Бишкек", f"{rovd_ru} РУВД г. Бишкек",
        f"Бишкек шаарынын {rovd_ky} райондук ички иштер башкармалыгына",
    )  # fmt: skip
    mtu_ky = f"№ {number} муниципалдык аймактык башкармалык"
    return Municipality(
        key=key,
        kind="mtu",
        region=_b("Бишкек шаарынын мэриясы", "Мэрия города Бишкек"),
        district=_b(
            f"{district_ky} административдик району боюнча муниципалдык администрация",
            f"Муниципальная администрация по {district_ru_dat} административному району",
        ),
        body=_b(mtu_ky, f"Муниципальное территориальное управление № {number}"),
        body_ru_genitive=f"муниципального территориального управления № {number}",
        body_ru_locative=f"муниципальном территориальном управлении № {number}",
        body_ky_genitive=f"{mtu_ky}тын",
        title_ky_locative=f"{mtu_ky}тын аймагында",
        head_position=_b(
            f"{mtu_ky}тын башчысы",
            f"Начальник муниципального территориального управления № {number}",
        ),
        place=_b("Бишкек шаары", "г. Бишкек"),
        kenesh=Body("Бишкек шаардык кеңеши", "Бишкекский городской кенеш",
                    "Бишкекский городской кенеш", "Бишкек шаардык кеңешине"),
        kenesh_chair=_b(
            "Бишкек шаардык кеңешинин депутаты", "Депутат Бишкекского городского кенеша"
        ),
        police=police,
        police_head=_b(f"Бишкек шаарынын {rovd_ky} райондук ички иштер башкармалыгынын башчысы",
                       f"Начальник {rovd_stem}ого РУВД г. Бишкек"),
        orgs=(
            Org(f"муниципального территориального управления № {number}", f"{mtu_ky}тын",
                MTU_OFFICE_HEADS),
            Org(f"{rovd_stem}ого РУВД г. Бишкек",
                f"Бишкек шаарынын {rovd_ky} райондук ички иштер башкармалыгынын", POLICE_HEADS),
            Org(f"средней школы № {school_no} г. Бишкек",
                f"Бишкек шаарындагы № {school_no} орто мектебинин", SCHOOL_HEADS),
            Org("Бишкекского городского кенеша", "Бишкек шаардык кеңешинин", (KENESH_HEADS[0],)),
            *NGOS,
        ),
    )  # fmt: skip


ISSYK_KUL = _b("Ысык-Көл облусу", "Иссык-Кульская область")
NARYN = _b("Нарын облусу", "Нарынская область")
JALAL_ABAD = _b("Жалал-Абад облусу", "Джалал-Абадская область")
BATKEN = _b("Баткен облусу", "Баткенская область")
OSH = _b("Ош облусу", "Ошская область")
TALAS = _b("Талас облусу", "Таласская область")
CHUI = _b("Чүй облусу", "Чуйская область")


def _aiyl_with_rovd(key, region, district_ky, district_ru, place_ky, place_ru, adjective,
                    rovd_adjective, school_no) -> Municipality:  # fmt: skip
    police, gen_ru, gen_ky, head = _rovd(rovd_adjective, district_ky)
    return _aiyl(key, region, _b(f"{district_ky} району", district_ru), place_ky, place_ru,
                 adjective, police, gen_ru, gen_ky, head, school_no)  # fmt: skip


MUNICIPALITIES: tuple[Municipality, ...] = (
    _aiyl_with_rovd("barskoon", ISSYK_KUL, "Жети-Өгүз", "Джети-Огузский район", "Барскоон",
                    "Барскоон", "Барскоонский", "Джети-Огузский", 1),
    _aiyl_with_rovd("at-bashy", NARYN, "Ат-Башы", "Ат-Башинский район", "Ат-Башы", "Ат-Башы",
                    "Ат-Башинский", "Ат-Башинский", 2),
    _aiyl_with_rovd("bazar-korgon", JALAL_ABAD, "Базар-Коргон", "Базар-Коргонский район",
                    "Базар-Коргон", "Базар-Коргон", "Базар-Коргонский", "Базар-Коргонский", 5),
    _aiyl_with_rovd("samarkandek", BATKEN, "Баткен", "Баткенский район", "Самаркандек",
                    "Самаркандек", "Самаркандекский", "Баткенский", 3),
    _aiyl_with_rovd("gulcho", OSH, "Алай", "Алайский район", "Гүлчө", "Гульча", "Гульчинский",
                    "Алайский", 1),
    _aiyl_with_rovd("kyzyl-adyr", TALAS, "Айтматов", "Айтматовский район", "Кызыл-Адыр",
                    "Кызыл-Адыр", "Кызыл-Адырский", "Айтматовский", 4),
    _aiyl_with_rovd("ivanovka", CHUI, "Ысык-Ата", "Ысык-Атинский район", "Ивановка",
                    "Ивановка", "Ивановский", "Ысык-Атинский", 2),
    _town("karakol", ISSYK_KUL, None, "Каракол", "Каракол", "Каракольский", 7,
          extra=(("Каракол шаарынын мэринин орун басары", "заместитель мэра города Каракол",
                  "заместителя мэра города Каракол"),)),
    _town("talas", TALAS, None, "Талас", "Талас", "Таласский", 3),
    _town("tokmok", CHUI, None, "Токмок", "Токмок", "Токмокский", 5),
    _town("uzgen", OSH, _b("Өзгөн району", "Узгенский район"), "Өзгөн", "Узген", "Узгенский",
          2),
    _mtu("lenin-3", 3, "Ленин", "Ленинскому", "Ленин", "Ленинское", 61),
    _mtu("pervomai-9", 9, "Биринчи Май", "Первомайскому", "Биринчи Май", "Первомайское", 28),
    _mtu("oktyabr-14", 14, "Октябрь", "Октябрьскому", "Октябрь", "Октябрьское", 69),
)  # fmt: skip
BY_KEY = {m.key: m for m in MUNICIPALITIES}


@dataclass(frozen=True)
class PositionCase:
    ky: str
    ru: str
    ru_accusative: str | None  # None: a warning is due
    gender: str | None
    forms: dict | None = None

    def payload(self) -> dict:
        out: dict[str, Any] = {"ky": self.ky, "ru": self.ru}
        if self.forms:
            out["forms"] = self.forms
        return out


def position_case(c: Chooser, m: Municipality, gender: str | None = None) -> PositionCase:
    """A staff position of one of the municipality's organisations, or a community post."""
    roll = c.integer(0, 9)
    if roll == 0:
        ky, ru, acc = c.pick(COMMUNITY)
        return PositionCase(ky, ru, acc, None)
    if roll == 1 and m.positions:
        ky, ru, acc = c.pick(m.positions)
        return PositionCase(ky, ru, acc, None)
    org = c.pick(m.orgs)
    heads = [h for h in org.heads if h[3] in (None, gender)] if gender else list(org.heads)
    ru_head, acc_head, ky_head, needs = c.pick(heads)
    return PositionCase(
        f"{org.ky_genitive} {ky_head}", f"{ru_head} {org.ru_genitive}",
        f"{acc_head} {org.ru_genitive}", needs,
    )  # fmt: skip


def long_position_case(c: Chooser, m: Municipality, gender: str) -> PositionCase:
    """One of the longest staff positions of the municipality's organisations."""
    heads = [(org, head) for org in m.orgs for head in org.heads if head[3] in (None, gender)]
    org, (ru_head, acc_head, ky_head, needs) = c.pick(
        sorted(heads, key=lambda oh: -len(f"{oh[1][0]} {oh[0].ru_genitive}"))[:3]
    )
    return PositionCase(
        f"{org.ky_genitive} {ky_head}", f"{ru_head} {org.ru_genitive}",
        f"{acc_head} {org.ru_genitive}", needs,
    )  # fmt: skip


# Positions whose head word the service does not know: their declension must be warned.
UNKNOWN_POSITIONS = (
    ("айыл өкмөтүнүн кароолчусу", "кароолчу айыл окмоту"),
    ("мектептин ашпозчусу", "ашпозчу средней школы"),
)


def person_payload(name: NameCase, position: PositionCase, **extra: Any) -> dict:
    out: dict[str, Any] = {"name": name.text, "gender": name.gender,
                           "position": position.payload(), **extra}  # fmt: skip
    if name.forms:
        out["forms"] = name.forms
    if name.keep_capitals:
        out["keep_capitals"] = True
    return out


def _name_is_warned(name: NameCase) -> bool:
    return None in (name.list, name.signature, name.ru_accusative, name.ky_dative)


# ---------------------------------------------------------------------------------------------
# Dates: the Kyrgyz official forms (domain notes §2) and the Russian genitive, by hand.

KY_MONTHS = ("январы", "февралы", "марты", "апрели", "майы", "июну", "июлу", "августу",
             "сентябры", "октябры", "ноябры", "декабры")  # fmt: skip
KY_MONTHS_ATTRIBUTIVE = (
    "январындагы", "февралындагы", "мартындагы", "апрелиндеги", "майындагы", "июнундагы",
    "июлундагы", "августундагы", "сентябрындагы", "октябрындагы", "ноябрындагы", "декабрындагы",
)  # fmt: skip
RU_MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
             "сентября", "октября", "ноября", "декабря")  # fmt: skip


def ky_date(d: date) -> str:
    return f"{d.year}-жылдын {d.day}-{KY_MONTHS[d.month - 1]}"


def ky_date_attributive(d: date) -> str:
    return f"{d.year}-жылдын {d.day}-{KY_MONTHS_ATTRIBUTIVE[d.month - 1]}"


def ru_date(d: date) -> str:
    return f"{d.day} {RU_MONTHS[d.month - 1]} {d.year} г."


def a_date(c: Chooser, start: date, end: date) -> date:
    return start + timedelta(days=c.integer(0, (end - start).days))


# ---------------------------------------------------------------------------------------------
# Amounts: figures of real local budgets (the seed, UNODC: 40 000 USD, 2 mln KGS…) and any
# amount in tyiyn.

AMOUNTS = ("1.00", "2.00", "21.00", "22.22", "97.22", "101.01", "1000.00", "1500.50",
           "12000.00", "24000.00", "45000.00", "85000.00", "120000.00", "250000.00",
           "1000000.00", "2000000.00", "1491500.50", "3511.11", "40000.00", "8000.00")  # fmt: skip


def an_amount(c: Chooser) -> str:
    if c.coin(0.5):
        return c.pick(AMOUNTS)
    som = c.pick([c.integer(0, 99), c.integer(100, 9999), c.integer(10_000, 2_500_000)])
    return f"{som}.{c.integer(0, 99):02d}"


def ru_amount_units(amount: Decimal) -> tuple[str, str]:
    """The Russian words after the som and the tyiyn, by the rule of numerals (written here
    independently of the service): 1, 21 → «сом»; 2–4, 22 → «сома»; else «сомов»."""

    def word(n: int, forms: tuple[str, str, str]) -> str:
        if n % 10 == 1 and n % 100 != 11:
            return forms[0]
        if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
            return forms[1]
        return forms[2]

    cents = int(amount * 100)
    som, tyiyn = divmod(cents, 100)
    return word(som, ("сом", "сома", "сомов")), word(tyiyn, ("тыйын", "тыйына", "тыйынов"))


# ---------------------------------------------------------------------------------------------
# Orders.

PURPOSES = (
    _b("коомдук коопсуздукту камсыз кылуу жана укук бузуулардын алдын алуу маселелеринде "
       "калктын, ички иштер органдарынын жана жергиликтүү өз алдынча башкаруу органдарынын өз "
       "ара аракеттенүүсүн чыңдоо максатында",
       "в целях укрепления взаимодействия населения, органов внутренних дел и органов местного "
       "самоуправления в обеспечении общественной безопасности и профилактике правонарушений"),
    _b("укук бузуулардын алдын алуу боюнча биргелешкен пландын долбоорун иштеп чыгуу максатында",
       "в целях разработки проекта совместного плана по профилактике правонарушений"),
)  # fmt: skip
EXTRA_CLAUSES = (
    _b("Жумушчу топтун жыйналыштары айына бир жолудан кем эмес өткөрүлсүн",
       "Заседания рабочей группы проводить не реже одного раза в месяц"),
    _b("Ушул тескеме расмий сайтка жарыялансын", "Настоящее распоряжение опубликовать на "
       "официальном сайте"),
)  # fmt: skip
NUMBERS = ("02-07/38", "01-05/27", "15", "03-12/146-Б", "112/2", "7-р", "01-18/205")


def _letterhead(m: Municipality, head: dict) -> dict:
    issuer: dict[str, Any] = {
        "country": _b("Кыргыз Республикасы", "Кыргызская Республика"),
        "region": m.region,
        "body": m.body,
        "head": head,
    }
    if m.district is not None:
        issuer["district"] = m.district
    return issuer


def order_case(
    c: Chooser, m: Municipality | None = None, members: int | None = None, *,
    long_texts: bool = False,
) -> Case:  # fmt: skip
    """A whole working-group order with `members` members (1–30 when not given); with
    `long_texts`, every member's name written in full and a long position."""
    m = m or c.pick(MUNICIPALITIES)
    count = members if members is not None else c.integer(1, 30)
    expects: list[Expect] = []
    warned: set[str] = set()
    order_date = a_date(c, date(2012, 1, 1), date(2026, 11, 30))
    head_name = any_name(c, hard=0.03)
    head = person_payload(head_name, PositionCase(**m.head_position, ru_accusative=None,
                                                  gender=None))  # fmt: skip
    expects.append(Expect("issuer.head.name", head_name.signature, "head's signature"))
    if _name_is_warned(head_name) and head_name.signature is None:
        warned.add("issuer.head")
    act = c.pick([None, _b("ТЕСКЕМЕ", "РАСПОРЯЖЕНИЕ"), _b("БУЙРУК", "РАСПОРЯЖЕНИЕ")])
    payload: dict[str, Any] = {
        "language": "ky+ru",
        "issuer": _letterhead(m, head),
        "number": c.pick(NUMBERS),
        "date": order_date.isoformat(),
        "place": m.place,
        "purpose": c.pick(PURPOSES),
        "draft_plan": {
            "deadline": (order_date + timedelta(days=c.integer(0, 150))).isoformat(),
            "submit_to": c.pick([m.police, m.kenesh]).bilingual(),
        },
    }
    if act is not None:
        payload["act"] = act
    submit_to = BODY_OF[(m.key, payload["draft_plan"]["submit_to"]["ru"])]
    expects += [
        Expect("draft_plan.submit_to", submit_to.ru_accusative, "submit_to, ru accusative"),
        Expect("draft_plan.submit_to", submit_to.ky_dative, "submit_to, ky dative"),
        Expect("issuer.body", ru_date(order_date), "date, ru"),
        Expect("issuer.body", ky_date(order_date), "date, ky"),
        Expect(
            "issuer.body",
            f"{m.body_ky_genitive} {ky_date_attributive(order_date)}",
            "appendix mark, ky",
        ),  # fmt: skip
        Expect(
            "issuer.body", f"{m.body_ru_genitive} от {ru_date(order_date)}", "appendix mark, ru"
        ),  # fmt: skip
        Expect("issuer.body", m.title_ky_locative, "title, ky territory"),
        Expect("issuer.body", f"в {m.title_ru_locative}", "title, ru"),
    ]
    rows = []
    for i in range(count):
        gender = c.pick(["male", "female"])
        if long_texts:
            name, position = long_name_case(c, gender), long_position_case(c, m, gender)
        else:
            name = any_name(c, gender)
            position = position_case(c, m, name.gender)
        role = "leader" if i == 0 else "deputy" if i == 1 else "secretary" if i == 2 else "member"
        extra: dict[str, Any] = {"role": role}
        if c.coin(0.3):
            extra["by_agreement"] = True
        rows.append(person_payload(name, position, **extra))
        expects.append(Expect(f"members.{i}.name", name.list, f"member {i}, list form"))
        if name.list is None:
            warned.add(f"members.{i}")
    payload["members"] = rows
    if c.coin(0.25):
        payload["control"] = {"kept_by_head": True}
        expects.append(Expect("control", "оставляю за собой", "control kept by the head"))
    else:
        name = any_name(c)
        if c.coin(0.1):
            ky, ru = c.pick(UNKNOWN_POSITIONS)
            position = PositionCase(ky, ru, None, None)
        else:
            position = position_case(c, m, name.gender)
            if c.coin(0.05):
                position = PositionCase(
                    position.ky,
                    position.ru,
                    "должность (вин.)",
                    position.gender,
                    {"ru_accusative": "должность (вин.)"},
                )
        payload["control"] = person_payload(name, position)
        if position.ru_accusative is not None and name.ru_accusative is not None:
            expects.append(
                Expect("control", f"возложить на {position.ru_accusative} {name.ru_accusative}",
                       "control, ru accusative")
            )  # fmt: skip
        else:
            if position.ru_accusative is None:
                expects.append(Expect("control.position", None, "control position, ru"))
            if name.ru_accusative is None:
                expects.append(Expect("control.name", None, "control name, ru"))
        expects.append(Expect("control.name", name.ky_dative, "control name, ky dative"))
        if _name_is_warned(name):
            warned.add("control")
    if c.coin(0.6):
        name = any_name(c, hard=0.03)
        position = position_case(c, m, name.gender)
        payload["responsible_secretary"] = person_payload(name, position)
        expects.append(Expect("responsible_secretary.name", name.signature, "secretary"))
        if name.signature is None:
            warned.add("responsible_secretary")
    if c.coin(0.3):
        payload["extra_clauses"] = c.sample(EXTRA_CLAUSES, c.integer(1, 2))
    return Case("working-group-order", payload, expects, warned)


BODY_OF: dict[tuple[str, str], Body] = {
    (m.key, body.ru): body for m in MUNICIPALITIES for body in (m.police, m.kenesh)
}


# ---------------------------------------------------------------------------------------------
# Plans: priority problems the seed and UNODC name, activities of real plans' kinds.

PROBLEMS = (
    (_b("Жол кыймылынын коопсуздугу", "Безопасность дорожного движения"),
     _b("жол кырсыктарынын саны азаят", "число ДТП сокращается"),
     _b("Катталган жол кырсыктарынын саны", "Число зарегистрированных ДТП"), "lower"),
    (_b("Мал уурулугу", "Скотокрадство"),
     _b("мал уурулугу азаят", "кражи скота сокращаются"),
     _b("Катталган мал уурулугунун саны", "Число зарегистрированных краж скота"), "lower"),
    (_b("Мектептеги рэкет", "Школьный рэкет"),
     _b("окуучулар өзүн коопсуз сезишет", "учащиеся чувствуют себя в безопасности"),
     _b("Мектепте өзүн коопсуз сезген окуучулардын үлүшү",
        "Доля учащихся, чувствующих себя в школе в безопасности"), "higher"),
    (_b("Үй-бүлөлүк зомбулук", "Семейное насилие"),
     _b("үй-бүлөлүк зомбулуктун курмандыктары жардам алышат",
        "пострадавшие от семейного насилия получают помощь"),
     _b("Берилген коргоо ордерлеринин саны", "Число выданных охранных ордеров"), "higher"),
    (_b("Жаштардын бейбаштыгы", "Хулиганство среди молодёжи"),
     _b("жаштардын бош убактысы уюштурулат", "досуг молодёжи организован"),
     _b("Жаштар арасындагы укук бузуулардын саны", "Число правонарушений среди молодёжи"),
     "lower"),
    (_b("Эрте нике жана кыз ала качуу", "Ранние браки и похищение невест"),
     _b("эрте никелер азаят", "ранние браки сокращаются"),
     _b("Катталган эрте никелердин саны", "Число выявленных ранних браков"), "lower"),
    (_b("Баңгизатка көз карандылык", "Наркомания"),
     _b("жаштар баңгизаттын зыяны жөнүндө билишет", "молодёжь знает о вреде наркотиков"),
     _b("Алдын алуу иш-чараларына катышкан жаштардын саны",
        "Число молодых людей, охваченных профилактикой"), "higher"),
    (_b("Батирлерди тоноо", "Квартирные кражи"),
     _b("батир уурулугу азаят", "квартирные кражи сокращаются"),
     _b("Катталган батир уурулуктарынын саны", "Число зарегистрированных квартирных краж"),
     "lower"),
)  # fmt: skip
CAUSES = (
    _b("көчө жарыгы жок", "отсутствие уличного освещения"),
    _b("жайыттар кайтарылбайт", "пастбища не охраняются"),
    _b("балдардын бош убактысы уюштурулбайт", "неорганизованный досуг детей"),
    _b("мектептерде психологдор жетишсиз", "нехватка психологов в школах"),
    _b("калктын укуктук сабатсыздыгы", "правовая неграмотность населения"),
    _b("жумушсуздук жана эмгек миграциясы", "безработица и трудовая миграция"),
)  # fmt: skip
CONSEQUENCES = (
    _b("адамдардын каза болушу жана жаракат алышы", "гибель и травмы людей"),
    _b("үй-бүлөлөрдүн кирешесинен ажырашы", "потеря доходов семей"),
    _b("милицияга ишенбөөчүлүк", "недоверие к милиции"),
    _b("жашы жете электердин кылмыштуулугунун өсүшү", "рост преступности среди несовершеннолетних"),
)  # fmt: skip
ACTIVITIES = (
    _b("Борбордук көчөлөргө көчө жарыгын орнотуу", "Установка уличного освещения на центральных "
       "улицах"),
    _b("Мектептерде жол кыймылынын эрежелери боюнча сабактарды өткөрүү",
       "Проведение уроков по правилам дорожного движения в школах"),
    _b("Ылдамдыкты бузгандарга каршы милиция менен биргелешкен рейддер",
       "Совместные с милицией рейды против превышения скорости"),
    _b("Ири мүйүздүү малды кулак белгилери менен белгилөө",
       "Маркировка крупного рогатого скота ушными бирками"),
    _b("Жайыт мезгилинде түнкү кайтарууну уюштуруу",
       "Организация ночного патрулирования в пастбищный сезон"),
    _b("Мугалимдер жана мектеп психологдору үчүн окутуу",
       "Обучение учителей и школьных психологов"),
    _b("Ата-энелер менен жолугушуулар", "Встречи с родителями"),
    _b("Жаштар үчүн спорттук мелдештерди уюштуруу", "Организация спортивных соревнований для "
       "молодёжи"),
    _b("Үй-бүлөлүк зомбулуктун курмандыктары үчүн ишеним телефонун ачуу",
       "Открытие телефона доверия для пострадавших от семейного насилия"),
    _b("Аксакалдар сотунун мүчөлөрүн окутуу", "Обучение членов суда аксакалов"),
    _b("Коомдук жайларга видеобайкоо камераларын орнотуу",
       "Установка камер видеонаблюдения в общественных местах"),
    _b("Ерктүү элдик дружиналарды түзүү жана жабдуу",
       "Создание и оснащение добровольных народных дружин"),
    _b("Калк үчүн укуктук консультацияларды өткөрүү",
       "Проведение правовых консультаций для населения"),
    _b("Эрте никенин зыяны жөнүндө мектептерде тегерек үстөлдөр",
       "Круглые столы в школах о вреде ранних браков"),
    _b("Коомдук алдын алуу борборунун имаратын оңдоо", "Ремонт здания общественно-"
       "профилактического центра"),
)  # fmt: skip
RESOURCES = (
    _b("курулуш материалдары", "строительные материалы"),
    _b("чырактар жана кабель", "светильники и кабель"),
    _b("китепчелерди басып чыгаруу", "печать буклетов"),
    _b("күйүүчү май", "горюче-смазочные материалы"),
    _b("спорттук шаймандар", "спортивный инвентарь"),
    _b("тренердин эмгек акысы", "оплата труда тренера"),
    _b("видеокамералар", "видеокамеры"),
)  # fmt: skip
ORGANISATIONS = (
    _b("жергиликтүү ишкерлер", "местные предприниматели"),
    _b("БУУнун Өнүктүрүү программасы", "ПРООН"),
    _b("«Мээрим булагы» коомдук фонду", "ОФ «Мээрим булагы»"),
)


def _party(c: Chooser, m: Municipality) -> dict:
    """A responsible or involved party of an activity."""
    return c.pick([
        m.body, m.police.bilingual(), m.kenesh.bilingual(),
        _b("аксакалдар соту", "суд аксакалов"), _b("коомдук алдын алуу борбору", "ОПЦ"),
        _b("мектептердин администрациясы", "администрации школ"),
        _b("жаштар комитети", "молодёжный комитет"), _b("аялдар кеңеши", "женсовет"),
    ])  # fmt: skip


def _deadline(c: Chooser, start: date, end: date) -> str:
    kind = c.integer(0, 4)
    if kind == 0:
        return a_date(c, start, end).isoformat()
    if kind == 1 and start.year == end.year:
        return f"{start.year}-Q{c.integer((start.month + 2) // 3, (end.month + 2) // 3)}"
    return c.pick(["monthly", "quarterly", "throughout-the-year"])


def _resources(c: Chooser, count: int) -> list[dict]:
    out = []
    for _ in range(count):
        source = c.pick(["local_budget", "business", "international", "community", "other"])
        resource: dict[str, Any] = {"description": c.pick(RESOURCES), "source": source}
        if c.coin(0.85):
            resource["amount"] = an_amount(c)
        if source == "other" or (source in ("business", "international") and c.coin(0.5)):
            resource["organisation"] = c.pick(ORGANISATIONS)
        out.append(resource)
    return out


def plan_case(
    c: Chooser, m: Municipality | None = None, problems: int | None = None,
    activities: int | None = None,
) -> Case:  # fmt: skip
    """A whole joint plan: 1–7 problems, up to 60 activities in all (`activities` spread over
    the problems when given)."""
    m = m or c.pick(MUNICIPALITIES)
    count = problems if problems is not None else c.integer(1, 7)
    total = activities if activities is not None else c.integer(count, min(60, count * 4))
    per = [total // count + (1 if i < total % count else 0) for i in range(count)]
    year = c.integer(2014, 2027)
    start, end = date(year, 1, 1), date(year, 12, 31)
    expects: list[Expect] = []
    warned: set[str] = set()
    head_name = any_name(c, hard=0.03)
    head = person_payload(head_name, PositionCase(**m.head_position, ru_accusative=None,
                                                  gender=None))  # fmt: skip
    chosen = c.sample(PROBLEMS, count)
    if len(chosen) < count:
        chosen += [PROBLEMS[i % len(PROBLEMS)] for i in range(count - len(chosen))]
    problem_rows = []
    for n, (title, result, indicator, direction) in enumerate(chosen, start=1):
        baseline = c.integer(0, 400)
        target = max(0, baseline - c.integer(1, 50)) if direction == "lower" else baseline + 10
        problem_rows.append({
            "title": title,
            "justification": {
                "causes": c.sample(CAUSES, c.integer(1, 3)),
                "consequences": c.sample(CONSEQUENCES, c.integer(1, 2)),
            },
            "expected_result": result,
            "indicators": [{"ref": f"{n}.1", "name": indicator, "unit": _b("учур", "случаев"),
                            "baseline": str(baseline), "target": str(target),
                            "direction": direction}],
            "activities": [
                {
                    "title": c.pick(ACTIVITIES),
                    "deadline": _deadline(c, start, end),
                    "responsible": [_party(c, m) for _ in range(c.integer(1, 3))],
                    "involved": [_party(c, m) for _ in range(c.integer(0, 3))],
                    "resources": _resources(c, c.integer(0, 3)),
                }
                for _ in range(per[n - 1])
            ],
        })  # fmt: skip

    def approver(position: dict, path: str) -> dict:
        name = any_name(c, hard=0.05)
        expects.append(Expect(f"{path}.name", name.signature, f"{path}, signature"))
        if name.signature is None:
            warned.add(path)
        return person_payload(name, PositionCase(**position, ru_accusative=None, gender=None))

    expects.append(Expect("issuer.head.name", head_name.signature, "head's signature"))
    if head_name.signature is None:
        warned.add("issuer.head")
    order_date = date(year - 1, c.integer(1, 12), c.integer(1, 28))
    payload: dict[str, Any] = {
        "language": "ky+ru",
        "issuer": _letterhead(m, head),
        "period": {"year": year},
        "working_group_order": {"number": c.pick(NUMBERS), "date": order_date.isoformat()},
        "baseline_study": {
            "summary": _b(
                "Жумушчу топ тургундар, милиция жана мектептер менен фокус-топторду өткөрүп, "
                "коомдук коопсуздуктун абалын изилдеди.",
                "Рабочая группа изучила состояние общественной безопасности, проведя "
                "фокус-группы с жителями, милицией и школами.",
            ),
            "sources": [_b("тургундар менен фокус-топтор", "фокус-группы с жителями"),
                        _b("райондук ички иштер бөлүмүнүн статистикасы", "статистика РОВД")],
        },
        "problems": problem_rows,
        "monitoring": {"report_to": m.kenesh.bilingual()},
        "approvers": {
            "kenesh_chair": approver(m.kenesh_chair, "approvers.kenesh_chair"),
            "police_head": approver(m.police_head, "approvers.police_head"),
        },
    }  # fmt: skip
    agreed = []
    for i in range(c.integer(0, 2)):
        org = c.pick(NGOS)
        agreed.append(
            approver({"ky": f"{org.ky_genitive} төрагасы", "ru": f"Председатель {org.ru_genitive}"},
                     f"agreed.{i}")
        )  # fmt: skip
    if agreed:
        payload["agreed"] = agreed
    expects += [
        Expect("monitoring.report_to", m.kenesh.ru_accusative, "kenesh, ru accusative"),
        Expect("monitoring.report_to", m.kenesh.ky_dative, "kenesh, ky dative"),
        Expect("issuer.body", m.title_ky_locative, "title, ky territory"),
        Expect("issuer.body", f"в {m.title_ru_locative}", "title, ru"),
        Expect(
            "issuer.body", f"{m.body_ru_genitive} от {ru_date(order_date)}", "order reference, ru"
        ),  # fmt: skip
        Expect(
            "issuer.body",
            f"{m.body_ky_genitive} {ky_date_attributive(order_date)}",
            "order reference, ky",
        ),  # fmt: skip
    ]
    return Case("joint-plan", payload, expects, warned)


def report_case(c: Chooser, plan: Case | None = None) -> Case:
    """An annual report on a generated plan: some activities reported, some indicators."""
    plan = plan or plan_case(c, problems=c.integer(1, 4))
    p = plan.payload
    year = p["period"]["year"]
    activities, indicators = [], []
    for n, problem in enumerate(p["problems"], start=1):
        for k, activity in enumerate(problem["activities"], start=1):
            if c.coin(0.2):
                continue
            status = c.pick(["done", "partly_done", "not_done", "cancelled"])
            item: dict[str, Any] = {"number": f"{n}.{k}", "status": status}
            if status in ("done", "partly_done"):
                item["actual_date"] = a_date(c, date(year, 1, 1), date(year, 12, 31)).isoformat()
                item["spent"] = [
                    {"source": r["source"], "amount": an_amount(c),
                     **({"organisation": r["organisation"]} if "organisation" in r else {})}
                    for r in activity["resources"] if "amount" in r
                ]  # fmt: skip
            if c.coin(0.3):
                item["comment"] = _b("ишке ашырылды", "выполнено с опозданием")
            activities.append(item)
        for indicator in problem["indicators"]:
            if c.coin(0.8):
                indicators.append({"ref": indicator["ref"], "actual": str(c.integer(0, 400))})
    name = any_name(c, hard=0.05)
    m = next(x for x in MUNICIPALITIES if x.body == p["issuer"]["body"])
    position = position_case(c, m, name.gender)
    report_date = date(year + 1, 1, 1) + timedelta(days=c.integer(5, 60))
    payload = {
        "language": "ky+ru",
        "plan": p,
        "activities": activities,
        "indicators": indicators,
        "narrative": {
            "summary": _b(
                "Пландын иш-чараларынын көпчүлүгү аткарылды.",
                "Большинство мероприятий плана выполнено.",
            ),
            "difficulties": _b("Каражат жетишсиз болду.", "Не хватило средств."),
        },
        "signatory": person_payload(name, position),
        "report_date": report_date.isoformat(),
    }
    expects = [
        Expect("signatory.name", name.signature, "signatory"),
        Expect("addressee", m.kenesh.ru_accusative, "kenesh, ru accusative"),
        Expect("addressee", m.kenesh.ky_dative, "kenesh, ky dative"),
        Expect("plan.issuer.body", f"плану {m.body_ru_genitive}", "introduction, ru"),
        Expect("plan.issuer.body", f"{m.body_ky_genitive} биргелешкен", "introduction, ky"),
        Expect("plan.issuer.body", ru_date(report_date), "report date, ru"),
        Expect("plan.issuer.body", ky_date(report_date), "report date, ky"),
    ]
    warned = {"signatory"} if name.signature is None else set()
    return Case("annual-report", payload, expects, warned)


# ---------------------------------------------------------------------------------------------
# Hypothesis strategies.


@st.composite
def orders(draw, members: tuple[int, int] = (1, 30)) -> Case:
    c = DrawChooser(draw)
    return order_case(c, members=c.integer(*members))


@st.composite
def plans(draw) -> Case:
    return plan_case(DrawChooser(draw))


@st.composite
def reports(draw) -> Case:
    return report_case(DrawChooser(draw))


@st.composite
def names(draw) -> NameCase:
    return any_name(DrawChooser(draw), hard=0.15)


# ---------------------------------------------------------------------------------------------
# The review documents.

REVIEW = (
    ("order-town-karakol", "karakol", 26),
    ("order-aiyl-at-bashy", "at-bashy", 23),
    ("order-mtu-pervomai-9", "pervomai-9", 24),
)


def review_cases(seed: int = 12) -> list[tuple[str, Case]]:
    """The documents a reviewer looks at page by page."""
    c = RandomChooser(seed)
    out = [(stem, order_case(c, BY_KEY[key], members)) for stem, key, members in REVIEW]
    plan = plan_case(c, BY_KEY["samarkandek"], problems=7, activities=60)
    out.append(("plan-samarkandek-60", plan))
    out.append(("report-samarkandek", report_case(c, plan)))
    return out


def layout_cases(seed: int = 14) -> list[tuple[str, Case]]:
    """The variants the PDF layout gate prints (tests/test_print_layout.py), besides the
    examples: an order of 45 members (and its responsible secretary) with full names and long
    positions for an MTU of Bishkek (the longest letterhead), a 7-problem plan of 60
    activities for another municipality with two agreeing NGOs, and its report."""
    c = RandomChooser(seed)
    mtu = BY_KEY["pervomai-9"]
    order = order_case(c, mtu, 45, long_texts=True)
    gender = c.pick(["male", "female"])
    secretary = long_name_case(c, gender)
    order.payload["responsible_secretary"] = person_payload(
        secretary, long_position_case(c, mtu, gender)
    )
    order.expects.append(Expect("responsible_secretary.name", secretary.signature, "secretary"))
    plan = plan_case(c, BY_KEY["bazar-korgon"], problems=7, activities=60)
    plan.payload.setdefault("agreed", [])
    while len(plan.payload["agreed"]) < 2:
        org = c.pick(NGOS)
        name = long_name_case(c, c.pick(["male", "female"]))
        plan.payload["agreed"].append(person_payload(
            name, PositionCase(f"{org.ky_genitive} төрагасы", f"Председатель {org.ru_genitive}",
                               None, None)))  # fmt: skip
    return [("order-45-long", order), ("plan-60", plan), ("report-60", report_case(c, plan))]


def main(argv: list[str]) -> int:
    from service.generation import generate_document
    from service.i18n import translate_notice

    if len(argv) != 1:
        print("usage: python -m tests.variants OUTDIR", file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    for stem, case in review_cases():
        document = generate_document(case.kind, case.payload)
        (out / f"{stem}.docx").write_bytes(document.content)
        (out / f"{stem}.json").write_text(
            json.dumps(case.payload, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        print(f"{out / stem}.docx: {len(document.warnings)} warnings")
        for notice in document.warnings:
            print(f"  {translate_notice(notice, 'en')}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
