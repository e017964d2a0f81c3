"""Context builder for the working-group order: every derived value, computed once.

The template only places what this module returns: plain strings and lists, one part per
language (Kyrgyz first), under one bilingual letterhead.
"""

from __future__ import annotations

from service.domain.common import Bilingual, Person
from service.domain.notices import Notice
from service.domain.properties import DocumentProperties
from service.i18n import Phrases
from service.kinds.working_group_order.model import HeadKeepsControl, Role, WorkingGroupOrder
from service.language import kyrgyz, russian, territory
from service.language.dates import attributive_date, deadline_date, long_date
from service.language.grammatical_forms import (
    body_forms,
    body_notices,
    declined_ru,
    phrase_forms,
    phrase_notices,
)
from service.language.laws import default_legal_basis
from service.language.names import Form, forms_in, name_form, people_notices
from service.language.territory import territory_locative
from service.language.typography import line_start

ROLE_PHRASES = {
    Role.LEADER: "leader of the group",
    Role.DEPUTY: "deputy leader of the group",
    Role.SECRETARY: "secretary of the group",
}


def _strip_end(text: str) -> str:
    return text.strip().rstrip(",;:")


def _sentence(text: str) -> str:
    """Collapse the doubled full stop left when a value ending in «г.» ends a sentence."""
    return text[:-1] if text.endswith("..") else text


def default_act(lang: str) -> str:
    return Phrases(lang).gettext("ORDER (act of the head)")


def _act_word(order: WorkingGroupOrder, lang: str) -> str:
    return order.act[lang] if order.act and order.act.has(lang) else default_act(lang)


def _forms(order: WorkingGroupOrder, lang: str) -> dict[str, str]:
    """The issuing body and the act word in the grammatical forms the text needs."""
    body = body_forms(order.issuer.body, order.issuer.forms)
    act = _act_word(order, lang).lower()
    if lang == "ru":
        return {
            "body_genitive": body.ru_genitive,
            "body_locative": body.ru_locative,
            "act_genitive": russian.inflect_phrase(act, russian.Case.GENITIVE),
            "act_dative": russian.inflect_phrase(act, russian.Case.DATIVE),
        }
    return {
        "body_genitive": body.ky_genitive,
        "body_locative": body.ky_locative,
        "act_genitive": kyrgyz.decline(act, kyrgyz.Case.GENITIVE),
        "act_dative": kyrgyz.decline(kyrgyz.possessive(act), kyrgyz.Case.DATIVE),
    }


def _controller(person: Person, lang: str) -> tuple[str, str]:
    """Position and name of the person charged with control, as the object of the clause."""
    if lang == "ru":
        position = declined_ru(
            person.position.ru, russian.Case.ACCUSATIVE, phrase_forms(person.position)
        ).text
        return position, name_form(person, Form.RU_ACCUSATIVE)
    return person.position.ky, name_form(person, Form.KY_DATIVE)


def _control_clause(t: Phrases, order: WorkingGroupOrder, lang: str, forms: dict[str, str]) -> str:
    """The last clause: control assigned to a person, or kept by the head who signs."""
    if isinstance(order.control, HeadKeepsControl):
        return t.gettext(
            "I keep the monitoring of the execution of this {act} to myself.",
            act=forms["act_genitive"],
        )
    position, name = _controller(order.control, lang)
    return t.gettext(
        "Monitoring of the execution of this {act} is assigned to {position} {name}.",
        act=forms["act_genitive"],
        position=position,
        name=name,
    )


# The line between the preamble and the clauses, by act word (lower case, either language):
# a буйрук says «БУЙРУК КЫЛАМ:», a тескеме has none (its clauses start with jussive verbs:
# «…бекитилсин»); in Russian each act has its verb («РАСПОРЯЖАЮ:» in the seed). The
# catalogs give the words; an act word not listed has no line.
ORDER_LINES = {
    "ky": {"буйрук": ("", "I HEREBY ORDER:")},
    "ru": {
        "распоряжение": ("", "I HEREBY ORDER:"),
        "приказ": ("after the preamble of a приказ", "I HEREBY ORDER:"),
        "постановление": ("after the preamble of a постановление", "I HEREBY ORDER:"),
    },
}


def _order_line(t: Phrases, order: WorkingGroupOrder, lang: str) -> str:
    """The municipality's own line after the preamble, or the act word's (none for a
    тескеме)."""
    if order.order_line is not None and order.order_line.has(lang):
        return order.order_line[lang]
    found = ORDER_LINES[lang].get(" ".join(_act_word(order, lang).lower().split()))
    if found is None:
        return ""
    context, message = found
    return t.pgettext(context, message) if context else t.gettext(message)


def _submit_to(body: Bilingual, lang: str) -> str:
    """The body that receives the draft: Russian accusative (in-text, «в мэрию города …»),
    Kyrgyz dative; hand-set forms win."""
    forms = phrase_forms(body)
    if lang == "ru":
        return declined_ru(body.ru, russian.Case.ACCUSATIVE, forms, body=True).text
    if forms is not None and forms.ky_dative:
        return forms.ky_dative
    return kyrgyz.decline(body.ky, kyrgyz.Case.DATIVE)


def _preamble(t: Phrases, order: WorkingGroupOrder, lang: str) -> str:
    basis = order.legal_basis if order.legal_basis is not None else default_legal_basis(order.date)
    citations = ", ".join(_strip_end(b[lang]) for b in basis)
    purpose = _strip_end(order.purpose[lang]).rstrip(".")
    if citations:
        return t.gettext("In accordance with {basis}, {purpose},", basis=citations, purpose=purpose)
    return purpose[:1].upper() + purpose[1:] + ","


def _clauses(t: Phrases, order: WorkingGroupOrder, lang: str, forms: dict[str, str]) -> list[str]:
    texts = [
        t.gettext(
            "Approve the membership of the working group to draft the joint plan for public "
            "safety and crime prevention in {body_locative} according to the appendix "
            "(appendix attached).",
            body_locative=territory_locative(order.issuer, lang),
        ),
        t.gettext(
            "The working group shall submit the draft joint plan to {submit_to} {deadline}.",
            submit_to=_submit_to(order.draft_plan.submit_to, lang),
            deadline=deadline_date(t, order.draft_plan.deadline),
        ),
        *(_strip_end(c[lang]).rstrip(".") + "." for c in order.extra_clauses),
        _control_clause(t, order, lang, forms),
    ]
    return [f"{i}. {_sentence(text)}" for i, text in enumerate(texts, start=1)]


def _members(t: Phrases, order: WorkingGroupOrder, lang: str) -> tuple[list[dict], list[dict]]:
    """Split the appendix rows into the group's officers and its plain members."""
    officers, members = [], []
    for number, member in enumerate(order.members_in_order, start=1):
        description = _strip_end(member.position[lang])
        if member.role in ROLE_PHRASES:
            description += ", " + t.gettext(ROLE_PHRASES[member.role])
        if member.by_agreement:
            description += " " + t.gettext("(by agreement)")
        row = {
            "number": f"{number}.",
            "name": name_form(member, Form.LIST),
            "description": description,
        }
        (members if member.role is Role.MEMBER else officers).append(row)
    return officers, members


def _subject(t: Phrases, order: WorkingGroupOrder, lang: str) -> str:
    """The title: the input's, or «On establishing a working group … in <territory>»."""
    if order.subject is not None:
        return order.subject[lang]
    return t.gettext(
        "On establishing a working group to draft the joint plan for public safety and "
        "crime prevention in {body_locative}",
        body_locative=territory_locative(order.issuer, lang),
    )


# The appendix rows kept on the page of the line that closes it.
TAIL_ROWS = 2


def _part(order: WorkingGroupOrder, lang: str) -> dict:
    t = Phrases(lang)
    forms = _forms(order, lang)
    officers, members = _members(t, order, lang)
    subject = _subject(t, order, lang)
    secretary = order.responsible_secretary
    return {
        "lang": lang,
        "act_word": _act_word(order, lang).upper(),
        "number": t.gettext("No. {number}", number=_number(order)),
        "date": _date(t, order, long_date),
        "place": order.place[lang] if order.place is not None else "",
        "subject": _strip_end(subject).rstrip("."),
        "preamble": _preamble(t, order, lang),
        "order_word": _order_line(t, order, lang),
        "clauses": _clauses(t, order, lang, forms),
        "head_position": line_start(order.issuer.head.position[lang]),
        "head_name": name_form(order.issuer.head, Form.SIGNATURE),
        "seal": t.gettext("L.S."),
        "appendix_mark": t.gettext(
            "Appendix to the {act} of {body} {date} No. {number}",
            act=forms["act_dative"],
            body=forms["body_genitive"],
            date=_date(t, order, attributive_date),
            number=_number(order),
        ),
        "appendix_title": t.gettext(
            "Membership of the working group to draft the joint plan for public safety and "
            "crime prevention in {body_locative}",
            body_locative=territory_locative(order.issuer, lang),
        ),
        "officers": officers,
        "members_heading": t.gettext("Members of the group:"),
        "members": members,
        # The last rows and the responsible secretary's line are one block that no page
        # break divides (the template keeps them in one row that cannot split).
        "members_body": members[:-TAIL_ROWS],
        "members_tail": members[-TAIL_ROWS:],
        "secretary_position": line_start(secretary.position[lang]) if secretary else "",
        "secretary_name": name_form(secretary, Form.SIGNATURE) if secretary else "",
    }


def build_context(order: WorkingGroupOrder) -> dict:
    """Return the template context: the letterhead and one part per language."""
    return {
        "letterhead_ky": [line.ky for line in order.issuer.letterhead if line.has("ky")],
        "letterhead_ru": [line.ru for line in order.issuer.letterhead if line.has("ru")],
        "parts": [_part(order, lang) for lang in order.language.parts],
    }


# What the act prints where the electronic document system will put its number and date.
BLANK_NUMBER = "________"


def _number(order: WorkingGroupOrder) -> str:
    return BLANK_NUMBER if order.assign_number_later else order.number


def _date(t: Phrases, order: WorkingGroupOrder, form) -> str:
    """The act's date in `form` (long_date, attributive_date), or the blank to fill in."""
    if not order.assign_number_later:
        return form(t, order.date)
    blank = "(blank date, dated)" if form is attributive_date else "(blank date)"
    return t.gettext(blank)


def register_subject(order: WorkingGroupOrder) -> str:
    """The title as the outgoing register lists it (Russian where the order has it)."""
    lang = "ru" if "ru" in order.language.parts else "ky"
    return _part(order, lang)["subject"]


def file_stem(order: WorkingGroupOrder) -> str:
    """A readable file name: «Распоряжение 03-12-146-Б от 2015-06-26»."""
    lang = order.language.parts[-1]
    act = _act_word(order, lang).capitalize()
    if order.assign_number_later:
        return f"{act} {order.date.isoformat()}"
    return f"{act} {order.number} {order.date.isoformat()}"


def name_warnings(order: WorkingGroupOrder) -> list[Notice]:
    """Names that could not be read, or whose printed forms are guesses."""
    people = [("issuer.head", order.issuer.head, [Form.SIGNATURE])]
    if isinstance(order.control, Person):
        cases = forms_in(order.language.parts, Form.RU_ACCUSATIVE, Form.KY_DATIVE)
        people.append(("control", order.control, cases))
    people += [(f"members.{i}", member, [Form.LIST]) for i, member in enumerate(order.members)]
    if order.responsible_secretary is not None:
        people.append(("responsible_secretary", order.responsible_secretary, [Form.SIGNATURE]))
    return people_notices(people)


def warnings(order: WorkingGroupOrder) -> list[Notice]:
    """Names that could not be read or declined surely; Russian forms of positions and bodies
    that the declension guessed."""
    titles = territory.warnings(order.issuer, order.language.parts)
    if "ru" not in order.language.parts:
        return name_warnings(order) + titles
    accusative = (russian.Case.ACCUSATIVE,)
    found = body_notices(
        "issuer.body",
        order.issuer.body,
        order.issuer.forms,
        "issuer.forms",
        (russian.Case.GENITIVE, russian.Case.PREPOSITIONAL),
    )
    found += phrase_notices(
        "draft_plan.submit_to", order.draft_plan.submit_to, accusative, body=True
    )
    if isinstance(order.control, Person):
        found += phrase_notices("control.position", order.control.position, accusative)
    return name_warnings(order) + found + titles


def properties(order: WorkingGroupOrder) -> DocumentProperties:
    """The file's metadata, in the order's original language: its title, its act word and
    number, its date, its issuer."""
    lang = order.language.parts[0]
    t = Phrases(lang)
    act = _act_word(order, lang).capitalize()
    return DocumentProperties(
        title=_strip_end(_subject(t, order, lang)).rstrip("."),
        subject=f"{act} {t.gettext('No. {number}', number=_number(order))}, "
        f"{_date(t, order, long_date)}",
        language=lang,
        date=order.date,
        issuer=order.issuer.body[lang],
    )
