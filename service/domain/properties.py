"""What a document file says about itself (docProps/core.xml and app.xml of the .docx).

The files are uploaded as they are into the state's electronic document flow (Infodocs,
«Санарип аймак»), whose registration cards read these fields: so they name the document, its
language, its issuing body and its own date, never the template's history. The date is the
document's (the order's date, the plan's first day, the report's date), not the time of
rendering: the same input still gives the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# The application the files name (app.xml), and the author of their last revision.
SERVICE = "docgen-kg"

# The language tag of each document language; a bilingual document is tagged with its
# original's, Kyrgyz (the state-language law: the Kyrgyz text is the original).
LANGUAGE_TAGS = {"ky": "ky-KG", "ru": "ru-RU"}


@dataclass(frozen=True)
class DocumentProperties:
    """The file's properties: title and subject in the document's language."""

    title: str
    subject: str
    language: str  # "ky", "ru": the document's (original) language
    date: date
    issuer: str  # the issuing body, in that language: the author and the company

    @property
    def language_tag(self) -> str:
        return LANGUAGE_TAGS[self.language]
