"""The working-group order as printed: every clause, name, date and table row, per language."""

from __future__ import annotations

import pytest

from service.errors import InvalidInput
from service.generation import generate_document
from tests.docx_reading import (
    all_text,
    numbered_from_one_after_first_page,
    open_docx,
    page_break_before,
    paragraphs,
    section_starts,
    tables,
)

KIND = "working-group-order"

RU_CLAUSES = [
    "1. Утвердить состав рабочей группы по разработке проекта Совместного плана по обеспечению "
    "общественной безопасности и профилактике правонарушений в Уч-Коргонском айыл окмоту "
    "согласно приложению (приложение прилагается).",
    "2. Рабочей группе представить проект Совместного плана по обеспечению общественной "
    "безопасности и профилактике правонарушений в Уч-Коргонский айылный отдел милиции "
    "не позднее 30\u00a0октября\u00a02015\u00a0г.",
    "3. Контроль за исполнением настоящего распоряжения возложить на заместителя главы "
    "Уч-Коргонского айыл окмоту Якубову\u00a0М.К.",
]
KY_CLAUSES = [
    "1. Үч-Коргон айыл аймагында коомдук коопсуздукту камсыз кылуу жана укук бузуулардын алдын "
    "алуу боюнча биргелешкен пландын долбоорун иштеп чыгуу боюнча жумушчу топтун курамы "
    "тиркемеге ылайык бекитилсин (тиркеме тиркелет).",
    "2. Жумушчу топ биргелешкен пландын долбоорун Үч-Коргон айылдык милиция бөлүмүнө "
    "2015-жылдын\u00a030-октябрынан кечиктирбестен тапшырсын.",
    "3. Ушул буйруктун аткарылышын көзөмөлдөө Үч-Коргон айыл өкмөтүнүн башчысынын орун басары "
    "М.К.\u00a0Якубовага жүктөлсүн.",
]
RU_OFFICERS = [
    [
        "1.",
        "Якубова\u00a0М.К.",
        "заместитель главы Уч-Коргонского айыл окмоту, руководитель группы",
    ],
    [
        "2.",
        "Калыров\u00a0Г.",
        "старший участковый инспектор Уч-Коргонского айылного отделения милиции, "
        "заместитель руководителя группы",
    ],
    [
        "3.",
        "Турсуналиева\u00a0Р.О.",
        "региональный координатор Гражданского союза «За реформы и результат», секретарь группы",
    ],
]


def render(payload: dict, language: str):
    payload["language"] = language
    return open_docx(generate_document(KIND, payload).content)


def test_russian_text(order_input):
    doc = render(order_input, "ru")
    text = paragraphs(doc)
    assert "РАСПОРЯЖЕНИЕ" in text
    assert text[text.index("РАСПОРЯЖАЮ:") + 1 : text.index("РАСПОРЯЖАЮ:") + 4] == RU_CLAUSES
    preamble = next(p for p in text if p.startswith("В соответствии с"))
    # The seed's laws were in force on 26.06.2015; their article numbers come from the seed.
    assert preamble.startswith(
        "В соответствии с пунктом 17 статьи 18 Закона Кыргызской Республики «О местном "
        "самоуправлении», статьей 14 Закона Кыргызской Республики «О профилактике "
        "правонарушений в Кыргызской Республике», в целях содействия реализации"
    )
    assert preamble.endswith("профилактике правонарушений,")
    assert (
        "Приложение к распоряжению Уч-Коргонского айыл окмоту "
        "от\u00a026\u00a0июня\u00a02015\u00a0г. №\u00a003-12/146-Б" in text
    )
    assert "Члены группы:" in text
    assert "БУЙРУК КЫЛАМ:" not in all_text(doc)


def test_kyrgyz_text(order_input):
    doc = render(order_input, "ky")
    text = paragraphs(doc)
    assert "БУЙРУК" in text
    start = text.index("БУЙРУК КЫЛАМ:") + 1
    assert text[start : start + 3] == KY_CLAUSES
    assert (
        "Үч-Коргон айыл өкмөтүнүн 2015-жылдын\u00a026-июнундагы №\u00a003-12/146-Б "
        "буйругуна тиркеме" in text
    )
    assert "Жумушчу топтун мүчөлөрү:" in text
    assert "РАСПОРЯЖАЮ:" not in all_text(doc)


def test_dates_number_and_place_line(order_input):
    doc = render(order_input, "ky+ru")
    lines = [t[0] for t in tables(doc) if len(t[0]) == 3 and t[0][2].startswith("№")]
    assert lines == [
        ["2015-жылдын\u00a026-июну", "Үч-Коргон айылы", "№\u00a003-12/146-Б"],
        ["26\u00a0июня\u00a02015\u00a0г.", "с. Уч-Коргон", "№\u00a003-12/146-Б"],
    ]


def test_both_languages_kyrgyz_first_under_one_letterhead(order_input):
    doc = render(order_input, "ky+ru")
    text = paragraphs(doc)
    assert text.index("БУЙРУК КЫЛАМ:") < text.index("РАСПОРЯЖАЮ:")
    letterheads = [t for t in tables(doc) if t[0][0].startswith("Кыргыз Республикасы")]
    assert len(letterheads) == 1
    ky, ru = letterheads[0][0]
    assert ky.split("\n")[:4] == [
        "Кыргыз Республикасы", "Баткен облусу", "Кадамжай району", "Үч-Коргон айыл өкмөтү",
    ]  # fmt: skip
    assert ru.split("\n")[:4] == [
        "Кыргызская Республика", "Баткенская область", "Кадамжайский район",
        "Уч-Коргонский айыл окмоту",
    ]  # fmt: skip
    # Each appendix starts a page; the Russian order starts a section of its own whose pages
    # are numbered from 1, with no number on its first page, like the Kyrgyz one.
    assert page_break_before(doc) == [
        "Үч-Коргон айыл өкмөтүнүн 2015-жылдын\u00a026-июнундагы №\u00a003-12/146-Б буйругуна "
        "тиркеме",
        "Приложение к распоряжению Уч-Коргонского айыл окмоту "
        "от\u00a026\u00a0июня\u00a02015\u00a0г. №\u00a003-12/146-Б",
    ]
    assert [start.split("\n")[0] for start in section_starts(doc)] == [
        "Кыргыз Республикасы", "РАСПОРЯЖЕНИЕ",
    ]  # fmt: skip
    assert all(numbered_from_one_after_first_page(s) for s in doc.sections)


def test_appendix_table_roles_in_seed_order(order_input):
    # Put the leader last in the input: the appendix still lists her first.
    order_input["members"].append(order_input["members"].pop(0))
    doc = render(order_input, "ru")
    officers, members = [t for t in tables(doc) if t[0][0] in ("1.", "4.")]
    assert officers == RU_OFFICERS
    assert [row[1] for row in members] == [
        "Нурматов\u00a0А.", "Ахмедов\u00a0Х.", "Хашимов\u00a0А.", "Адирбаев\u00a0Э.",
        "Назирова\u00a0М.", "Мурзалиева\u00a0Д.", "Умурзаков\u00a0Ш.", "Раимбеков\u00a0Р.",
    ]  # fmt: skip
    assert [row[0] for row in members] == [f"{n}." for n in range(4, 12)]
    by_agreement = [row[1] for row in members if row[2].endswith("(по согласованию)")]
    assert by_agreement == ["Адирбаев\u00a0Э.", "Назирова\u00a0М."]
    assert members[4][2] == "депутат Уч-Коргонского айылного кенеша (по согласованию)"


def test_kyrgyz_roles_and_agreement_mark(order_input):
    doc = render(order_input, "ky")
    officers, members = [t for t in tables(doc) if t[0][0] in ("1.", "4.")]
    assert officers[0][2].endswith(", жумушчу топтун жетекчиси")
    assert officers[1][2].endswith(", жумушчу топтун жетекчисинин орун басары")
    assert officers[2][2].endswith(", жумушчу топтун катчысы")
    assert members[4][2] == "Үч-Коргон айылдык кеңешинин депутаты (макулдашуу боюнча)"


def test_signature_and_secretary_blocks(order_input):
    doc = render(order_input, "ru")
    signature = next(t for t in tables(doc) if t[0][-1] == "А.\u00a0Абдурахманов")
    assert signature == [
        ["Глава Уч-Коргонского айыл окмоту", "_______________\nМ.П.", "А.\u00a0Абдурахманов"]
    ]
    secretary = next(t for t in tables(doc) if t[0][-1] == "Г.\u00a0Маматова")
    assert secretary == [["Ответственный секретарь Уч-Коргонского айыл окмоту", "Г.\u00a0Маматова"]]
    ky = render(order_input, "ky")
    assert next(t for t in tables(ky) if t[0][-1] == "А.\u00a0Абдурахманов")[0][1].endswith("М.О.")
    # Typed in lower case, as in the appendix, a position that begins its line gets a capital.
    order_input["responsible_secretary"]["position"]["ru"] = "ответственный секретарь"
    order_input["issuer"]["head"]["position"]["ru"] = "глава Уч-Коргонского айыл окмоту"
    lines = [row[0] for t in tables(render(order_input, "ru")) for row in t]
    assert "Ответственный секретарь" in lines and "Глава Уч-Коргонского айыл окмоту" in lines


@pytest.mark.parametrize("language", ["ru", "ky", "ky+ru"])
def test_page_a4_portrait_with_official_margins(order_input, language):
    section = render(order_input, language).sections[0]

    def mm(*lengths):
        return tuple(round(x.mm) for x in lengths)

    assert mm(section.page_width, section.page_height) == (210, 297)
    assert mm(section.left_margin, section.right_margin) == (30, 15)
    assert mm(section.top_margin, section.bottom_margin) == (20, 20)


def test_times_new_roman_14(order_input):
    style = render(order_input, "ru").styles["Normal"]
    assert style.font.name == "Times New Roman"
    assert style.font.size.pt == 14


def test_default_subject_and_act_word(order_input):
    del order_input["subject"], order_input["act"]
    text = paragraphs(render(order_input, "ky+ru"))
    assert "ТЕСКЕМЕ" in text and "РАСПОРЯЖЕНИЕ" in text
    assert (
        "О создании рабочей группы по разработке проекта Совместного плана по обеспечению "
        "общественной безопасности и профилактике правонарушений в Уч-Коргонском айыл окмоту"
    ) in text
    assert any(p.startswith("3. Ушул тескеменин аткарылышын көзөмөлдөө") for p in text)
    assert (
        "Үч-Коргон айыл өкмөтүнүн 2015-жылдын\u00a026-июнундагы №\u00a003-12/146-Б тескемесине "
        "тиркеме" in text
    )


def test_laws_in_force_on_a_current_date(order_input):
    order_input["date"] = "2026-03-02"
    order_input["draft_plan"]["deadline"] = "2026-05-29"
    text = paragraphs(render(order_input, "ky+ru"))
    preamble = next(p for p in text if p.startswith("В соответствии с"))
    assert preamble.startswith(
        "В соответствии с Законом Кыргызской Республики «О местной государственной "
        "администрации и органах местного самоуправления» "
        "от\u00a020\u00a0октября\u00a02021\u00a0года №\u00a0123, "
        "Законом Кыргызской Республики «Об основах профилактики правонарушений» "
        "от\u00a05\u00a0мая\u00a02021\u00a0года №\u00a060, в целях"
    )
    assert "статьи" not in preamble and "статьей" not in preamble
    ky = next(
        p for p in text if p.startswith("Кыргыз Республикасынын 2021-жылдын\u00a020-октябрындагы")
    )
    assert "Мыйзамына ылайык," in ky
    assert (
        "2. Жумушчу топ биргелешкен пландын долбоорун Үч-Коргон айылдык милиция бөлүмүнө "
        "2026-жылдын\u00a029-майынан кечиктирбестен тапшырсын." in text
    )


def test_explicit_legal_basis_and_extra_clauses(order_input):
    order_input["legal_basis"] = [{"ky": "Уставга", "ru": "Уставом"}]
    order_input["extra_clauses"] = [{"ky": "Кошумча пункт", "ru": "Дополнительный пункт."}]
    text = paragraphs(render(order_input, "ky+ru"))
    assert any(p.startswith("В соответствии с Уставом, в целях") for p in text)
    assert any(p.startswith("Уставга ылайык, калк") for p in text)
    assert "3. Дополнительный пункт." in text and "3. Кошумча пункт." in text
    assert any(p.startswith("4. Контроль за исполнением") for p in text)


def test_controller_declined_by_gender(order_input):
    order_input["control"] = {
        "name": "Абдурахманов Алмаз Бекович",
        "gender": "male",
        "position": {"ky": "айыл өкмөтүнүн башчысы", "ru": "Глава Уч-Коргонского айыл окмоту"},
    }
    text = paragraphs(render(order_input, "ky+ru"))
    assert (
        "3. Контроль за исполнением настоящего распоряжения возложить на главу "
        "Уч-Коргонского айыл окмоту Абдурахманова\u00a0А.Б."
    ) in text
    assert any(
        p.endswith("айыл өкмөтүнүн башчысы А.Б.\u00a0Абдурахмановго жүктөлсүн.") for p in text
    )


HOSTILE = "Айпери ‹Тест & «кавычки»>"
MARKUP = "{{ 7*7 }} {% if true %}x{% endif %} <b>&amp;</b> \"q\" 'a'"


def test_user_text_is_data_never_markup(order_input):
    order_input["members"][3]["name"] = HOSTILE
    order_input["members"][4]["position"]["ru"] = (
        "{{ 7*7 }} {% if true %}x{% endif %} <b>&amp;</b> \"q\" 'a'"
    )
    order_input["place"]["ru"] = "{{ parts }}"
    doc = render(order_input, "ru")
    text = all_text(doc)
    assert HOSTILE in text
    assert MARKUP in text
    assert "{{ parts }}" in text
    assert "49" not in text


def test_no_placeholder_leaks(order_input):
    text = all_text(render(order_input, "ky+ru"))
    for marker in ("None", "{{", "{%", "}}", "[]", "Undefined"):
        assert marker not in text


@pytest.mark.parametrize("char", ["\x00", "\x0b", "\x1f", "\ufffe"])
def test_xml_illegal_characters_are_rejected(order_input, char):
    order_input["members"][2]["position"]["ru"] = f"секретарь{char}"
    with pytest.raises(InvalidInput) as err:
        generate_document(KIND, order_input)
    assert err.value.errors == {
        "members": {2: {"position": {"ru": [
            f"Contains a character that is not allowed in documents: U+{ord(char):04X}."
        ]}}}
    }  # fmt: skip


def test_legacy_kyrgyz_letters_are_normalised(order_input):
    order_input["issuer"]["body"]["ky"] = "Үч-Коргон айыл ѳкмѳтү"
    order_input["members"][0]["position"]["ky"] = "Жогорку Кењеш"
    text = all_text(render(order_input, "ky"))
    assert "Үч-Коргон айыл өкмөтү" in text and "Жогорку Кеңеш" in text
    assert "ѳ" not in text and "њ" not in text
