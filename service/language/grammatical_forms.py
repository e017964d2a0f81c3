"""The grammatical forms of a body's name: set by hand where given, computed otherwise."""

from __future__ import annotations

from dataclasses import replace

from service.domain.common import Bilingual, NameForms
from service.language import kyrgyz, russian


def body_forms(name: Bilingual, overrides: NameForms | None = None) -> NameForms:
    """Russian genitive and locative (pymorphy3), Kyrgyz genitive, dative and locative."""
    computed = NameForms(
        ru_genitive=russian.inflect_phrase(name.ru, russian.Case.GENITIVE) if name.ru else None,
        ru_locative=(
            russian.inflect_phrase(name.ru, russian.Case.PREPOSITIONAL) if name.ru else None
        ),
        ky_genitive=kyrgyz.decline(name.ky, kyrgyz.Case.GENITIVE) if name.ky else None,
        ky_dative=kyrgyz.decline(name.ky, kyrgyz.Case.DATIVE) if name.ky else None,
        ky_locative=kyrgyz.decline(name.ky, kyrgyz.Case.LOCATIVE) if name.ky else None,
    )
    if overrides is None:
        return computed
    given = {k: v for k, v in vars(overrides).items() if v}
    return replace(computed, **given)
