"""The one domain entry point: a kind's input → validated model → document bytes.

Pure: no database, no HTTP. The CLI calls it directly; the API and the workers reach it
through the submission and the job runner.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError

from service.domain.common import Language
from service.domain.notices import Notice
from service.errors import InvalidInput
from service.kinds import EXAMPLES_DIR, KINDS, DocumentKind
from service.language.typography import polish_context
from service.rendering import render_file


@dataclass(frozen=True)
class RenderedDocument:
    """A document's bytes, its download name and the warnings about its input."""

    content: bytes
    filename: str
    warnings: tuple[Notice, ...] = ()

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def get_kind(name: str) -> DocumentKind:
    """The descriptor of kind `name`; InvalidInput naming `kind` if there is none."""
    try:
        return KINDS[name]
    except KeyError:
        raise InvalidInput(errors={"kind": [f"Unknown document kind: {name}."]}) from None


@cache
def _schema(kind: str) -> Schema:
    """One schema instance per kind: building the nested schemas costs more than a load, and
    a marshmallow 4 schema keeps no state between loads."""
    return get_kind(kind).schema()


def load_input(kind: str, payload: Any) -> Any:
    """Validate `payload` against the kind's schema and return the domain object."""
    if isinstance(payload, dict) and "municipality_id" in payload:
        # Already resolved into `issuer` by the submission; the domain does not need it.
        payload = {k: v for k, v in payload.items() if k != "municipality_id"}
    try:
        return _schema(kind).load(payload)
    except ValidationError as err:
        raise InvalidInput(errors=err.messages) from err


def input_fields(kind: str) -> set[str]:
    """The top-level fields the kind's input has."""
    return set(_schema(kind).fields)


def example_contexts(kind: str) -> list[dict]:
    """The contexts of the kind's example inputs, each in every language: what its template
    may use."""
    spec = get_kind(kind)
    contexts = []
    for name in spec.examples:
        payload = json.loads((EXAMPLES_DIR / name).read_text(encoding="utf-8"))
        for language in Language:
            model = load_input(kind, {**payload, "language": language.value})
            contexts.append(polish_context(spec.build_context(model)))
    return contexts


def warm_up() -> None:
    """Load dictionaries, catalogs and templates now rather than in the first job."""
    from service.i18n import DOCUMENT_LANGUAGES, MESSAGE_LANGUAGES, translations
    from service.language import russian
    from service.rendering import template_bytes

    russian.warm_up()
    for lang in DOCUMENT_LANGUAGES:
        translations(lang, "documents")
    for lang in MESSAGE_LANGUAGES:
        translations(lang, "errors")
    for kind in KINDS.values():
        _schema(kind.name)
        template_bytes(kind.name)
    # Not the pictures' libraries (matplotlib and its fonts, for the report's chart): some
    # 50 MiB in every worker process, most of which never draws a chart; the process that
    # makes a report loads them with its first one.


def safe_name(text: str, limit: int = 120) -> str:
    """A piece of a file name any system accepts: «№ 21 / МТУ» → «№_21_МТУ»."""
    return re.sub(r'[\\/:*?"<>|\s]+', " ", text).strip().replace(" ", "_")[:limit]


def generate_document(kind: str, payload: Any, template: Path | None = None) -> RenderedDocument:
    """Validate the input of a document of `kind` and render it to .docx bytes.

    `template` replaces the kind's default Word template (a municipality's own, say).
    """
    model = load_input(kind, payload)
    spec = get_kind(kind)
    context = polish_context(spec.build_context(model))
    content = render_file(
        template or spec.template, context, spec.media_bytes(model), spec.properties(model)
    )
    return RenderedDocument(
        content=content,
        filename=f"{safe_name(spec.file_stem(model))}.docx",
        warnings=tuple(spec.warnings(model)),
    )
