"""The grammatical forms of declined phrases: set by hand where given, computed otherwise.

Bodies' names and positions are declined in Russian by `russian.inflect_phrase_checked`;
where it guesses (an unknown head word, an abbreviation of unsettled gender), the kinds
report a warning naming the field and the hand-set form that would fix it (`declension_notice`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from service.domain.common import Bilingual, NameForms
from service.domain.notices import Notice
from service.i18n import Phrases
from service.language import kyrgyz, russian

# The hand-set form (a NameForms field) of each Russian case.
RU_FORM = {
    russian.Case.GENITIVE: "ru_genitive",
    russian.Case.DATIVE: "ru_dative",
    russian.Case.ACCUSATIVE: "ru_accusative",
    russian.Case.INSTRUMENTAL: "ru_instrumental",
    russian.Case.PREPOSITIONAL: "ru_locative",
}


def generic_body_words() -> tuple[str, ...]:
    """The generic words that begin a body's name and lose their capital in a sentence."""
    listed = Phrases("ru").gettext(
        "Generic words that begin a body's name, lower-cased inside a sentence "
        "(comma-separated, nominative)"
    )
    return tuple(w.strip().lower() for w in listed.split(",") if w.strip())


def ru_in_text(name: str, forms: NameForms | None = None) -> str:
    """A body's Russian name as it stands inside a sentence (the hand-set form wins)."""
    if forms is not None and forms.ru_in_text:
        return forms.ru_in_text
    return russian.in_text(name, generic_body_words())


@dataclass(frozen=True)
class Declined:
    """A Russian form of a phrase and whether it is certain (set by hand, or by a rule)."""

    text: str
    certain: bool


def declined_ru(
    text: str, case: russian.Case, forms: NameForms | None = None, *, body: bool = False
) -> Declined:
    """`text` in `case`: the hand-set form if given, else computed from the in-text form."""
    given = getattr(forms, RU_FORM[case], None) if forms is not None else None
    if given:
        return Declined(given, True)
    nominative = ru_in_text(text, forms) if body else russian.lower_first(text)
    return Declined(*russian.inflect_phrase_checked(nominative, case))


def phrase_forms(phrase: Bilingual) -> NameForms | None:
    """The forms set by hand on a `Phrase` (None on a plain bilingual text)."""
    return getattr(phrase, "forms", None)


def body_forms(name: Bilingual, overrides: NameForms | None = None) -> NameForms:
    """Russian in-text form and cases (pymorphy3), Kyrgyz genitive, dative and locative."""
    return body_forms_checked(name, overrides)[0]


def body_forms_checked(
    name: Bilingual, overrides: NameForms | None = None
) -> tuple[NameForms, tuple[str, ...]]:
    """`body_forms` and the names of the Russian forms that are guesses (for warnings)."""
    guessed: list[str] = []
    ru: dict[str, str | None] = dict.fromkeys(["ru_in_text", *RU_FORM.values()])
    if name.ru:
        ru["ru_in_text"] = ru_in_text(name.ru, overrides)
        for case, field in RU_FORM.items():
            declined = declined_ru(name.ru, case, overrides, body=True)
            ru[field] = declined.text
            if not declined.certain:
                guessed.append(field)
    computed = NameForms(
        **ru,
        ky_genitive=kyrgyz.decline(name.ky, kyrgyz.Case.GENITIVE) if name.ky else None,
        ky_dative=kyrgyz.decline(name.ky, kyrgyz.Case.DATIVE) if name.ky else None,
        ky_locative=kyrgyz.decline(name.ky, kyrgyz.Case.LOCATIVE) if name.ky else None,
    )
    if overrides is None:
        return computed, tuple(guessed)
    given = {k: v for k, v in vars(overrides).items() if v}
    return replace(computed, **given), tuple(guessed)


def declension_notice(field: str, text: str, form: str, setting: str) -> Notice:
    """A warning that the form `form` of `text` (the input `field`) is a guess: set `setting`."""
    return Notice(
        "declension.uncertain",
        "«{form}» (from «{text}», field {field}) may be declined wrongly; check it, or set "
        "{setting} by hand.",
        {"form": form, "text": text, "field": field, "setting": setting},
    )


def phrase_notices(
    field: str, phrase: Bilingual, cases: tuple[russian.Case, ...], *, body: bool = False
) -> list[Notice]:
    """Warnings for the Russian `cases` of a declined phrase that are guesses.

    `field` is the phrase's input path («control.position»); its forms are set under
    «<field>.forms». `body`: the phrase names a body (its in-text form is declined).
    """
    if not phrase.has("ru"):
        return []
    forms = phrase_forms(phrase)
    notices = []
    for case in cases:
        declined = declined_ru(phrase.ru, case, forms, body=body)
        if not declined.certain:
            notices.append(
                declension_notice(
                    f"{field}.ru", phrase.ru, declined.text, f"{field}.forms.{RU_FORM[case]}"
                )
            )
    return notices


def body_notices(
    field: str,
    name: Bilingual,
    forms: NameForms | None,
    forms_field: str,
    cases: tuple[russian.Case, ...],
) -> list[Notice]:
    """Warnings for the guessed Russian `cases` of a body's name (`forms_field`: where to set
    them by hand)."""
    if not name.has("ru"):
        return []
    notices = []
    for case in cases:
        declined = declined_ru(name.ru, case, forms, body=True)
        if not declined.certain:
            setting = f"{forms_field}.{RU_FORM[case]}"
            notices.append(declension_notice(f"{field}.ru", name.ru, declined.text, setting))
    return notices
