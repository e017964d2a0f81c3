"""The kinds of document: one descriptor each, and the registry `KINDS` built from them.

A kind is a package `service/kinds/<module>/` (its model and its context builder, and what
only it needs), a schema module `service/schemas/<module>.py`, a Word template
`service/templates_docx/<name>.docx`, its phrases in the `documents` catalogs, and one line
in `KINDS` below. The descriptor declares what the rest of the service reads from a kind: its
URL, whether it takes an outgoing number, whether it carries the municipality's act word,
its batch columns and the pictures its template has. Schema and context modules are imported
on first use, so that reading the registry (the CLI's --help, say) costs nothing.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any

from marshmallow import Schema

from service.domain.properties import DocumentProperties

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates_docx"
# The example inputs shipped for users (the repository's examples/): they also define what a
# kind's template may use (`docgen templates lint`).
EXAMPLES_DIR = Path(__file__).resolve().parent.parent.parent / "examples"


@dataclass(frozen=True)
class Reference:
    """An input field naming a stored document whose input fills another field.

    The annual report's `plan_id` names a stored joint plan, whose input becomes `plan`;
    or its `plan_of` names the municipality and the year of that plan.
    """

    id_field: str
    field: str
    kind: str
    # A field naming the stored document otherwise: `plan_of` {municipality, year}, the
    # municipality's plan of that year (a report batch's item, as a coordinator names it).
    found_by: str = ""


@dataclass(frozen=True)
class DocumentKind:
    """A kind of document and everything the service needs to know about it."""

    name: str  # "working-group-order": the template's file stem and the API's `kind`
    url: str  # "working-group-orders": POST /api/v1/documents/<url>
    schema_class: str  # the marshmallow schema in service/schemas/<module>.py
    numbered: bool = False  # takes the next outgoing number of its municipality
    act_word: bool = False  # carries the municipality's act word (ТЕСКЕМЕ, БУЙРУК…)
    # The per-item columns of the batch upload template (dotted paths); none: no template.
    batch_columns: tuple[str, ...] = ()
    # Lists a batch item fills entry by entry over the shared ones (dotted, no indices): a
    # plan's problems, their indicators; any other list of an item replaces the shared one.
    batch_skeleton: tuple[str, ...] = ()
    # Picture parts of the template that every document replaces (context.media gives them).
    media: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    # Example inputs in EXAMPLES_DIR, rendered in every language to check a template.
    examples: tuple[str, ...] = ()
    module: str = field(default="")

    def __post_init__(self) -> None:
        if not self.module:
            object.__setattr__(self, "module", self.name.replace("-", "_"))

    @cached_property
    def schema(self) -> type[Schema]:
        """The schema that loads this kind's input into its model."""
        schemas = importlib.import_module(f"service.schemas.{self.module}")
        return getattr(schemas, self.schema_class)

    @cached_property
    def context(self) -> ModuleType:
        """The kind's context module: build_context, file_stem (warnings, register_subject,
        media where the kind has them, properties: the file's metadata)."""
        return importlib.import_module(f"service.kinds.{self.module}.context")

    @property
    def template(self) -> Path:
        """The kind's default Word template."""
        return TEMPLATE_DIR / f"{self.name}.docx"

    def build_context(self, model: Any) -> dict:
        """The plain values the template prints."""
        return self.context.build_context(model)

    def file_stem(self, model: Any) -> str:
        """The download's file name, without extension."""
        return self.context.file_stem(model)

    def warnings(self, model: Any) -> list:
        """Unusual but valid input, as warnings the user sees."""
        found = getattr(self.context, "warnings", None)
        return list(found(model)) if found is not None else []

    def register_subject(self, model: Any) -> str:
        """The line the outgoing register shows for a numbered document."""
        return self.context.register_subject(model)

    def properties(self, model: Any) -> DocumentProperties | None:
        """What the file says about itself: title, subject, language, date, issuing body
        (None for a kind without `properties`: the file keeps its template's)."""
        found = getattr(self.context, "properties", None)
        return found(model) if found is not None else None

    def media_bytes(self, model: Any) -> dict[str, bytes]:
        """The bytes of the pictures in `media`, by part name."""
        return self.context.media(model) if self.media else {}


_PERSON = ("name", "gender", "position.ky", "position.ru")

KINDS: dict[str, DocumentKind] = {
    kind.name: kind
    for kind in (
        DocumentKind(
            "working-group-order",
            url="working-group-orders",
            schema_class="WorkingGroupOrderSchema",
            numbered=True,
            act_word=True,
            batch_columns=(
                "municipality_id",
                *(
                    f"issuer.{p}.{lang}"
                    for p in ("region", "district", "body")
                    for lang in ("ky", "ru")
                ),
                *(f"issuer.head.{p}" for p in _PERSON),
                "number",
                "date",
                "place.ky",
                "place.ru",
                "control.kept_by_head",
                *(f"control.{p}" for p in _PERSON),
                *(f"responsible_secretary.{p}" for p in _PERSON),
                *(f"members.{i}.{p}" for i in range(6) for p in (*_PERSON, "role", "by_agreement")),
            ),
            examples=("uch-korgon-order.json",),
        ),  # fmt: skip
        DocumentKind(
            "joint-plan",
            url="joint-plans",
            schema_class="JointPlanSchema",
            # Per municipality: its body and signatories, and its own figures for the
            # indicators of the shared problems (service.batches.columns.PLAN_SHARED): the
            # first two indicators of five problems, for a CSV holds 256 columns; a sheet
            # takes any other as a column headed by its label.
            batch_columns=(
                "municipality_id",
                *(f"issuer.body.{lang}" for lang in ("ky", "ru")),
                *(f"issuer.head.{p}" for p in _PERSON),
                "working_group_order.number",
                *(f"monitoring.report_to.{lang}" for lang in ("ky", "ru")),
                *(
                    f"approvers.{who}.{p}"
                    for who in ("kenesh_chair", "police_head")
                    for p in _PERSON
                ),
                *(f"agreed.{i}.{p}" for i in range(2) for p in _PERSON),
                *(
                    f"problems.{i}.indicators.{j}.{p}"
                    for i in range(5)
                    for j in range(2)
                    for p in ("baseline", "target")
                ),
            ),
            batch_skeleton=("problems", "problems.indicators"),
            examples=("uch-korgon-plan.json", "sverdlovsky-plan.json"),
        ),  # fmt: skip
        DocumentKind(
            "annual-report",
            url="annual-reports",
            schema_class="AnnualReportSchema",
            media=("word/media/image1.png", "word/media/image2.png"),
            references=(Reference("plan_id", "plan", "joint-plan", found_by="plan_of"),),
            # Per municipality: whose plan, who signs, what was done (by the plan's activity
            # numbers and indicator codes, shared) and what it came to.
            batch_columns=(
                "plan_of.municipality",
                "plan_id",
                *(f"signatory.{p}" for p in _PERSON),
                *(
                    f"narrative.{part}.{lang}"
                    for part in ("summary", "difficulties", "recommendations", "proposals")
                    for lang in ("ky", "ru")
                ),
                *(
                    f"activities.{i}.{p}"
                    for i in range(16)
                    for p in (
                        "status",
                        "actual_date",
                        "spent.0.source",
                        "spent.0.amount",
                        "comment.ky",
                        "comment.ru",
                    )
                ),
                *(f"indicators.{i}.actual" for i in range(12)),
            ),
            batch_skeleton=("activities", "indicators"),
            examples=("uch-korgon-report.json",),
        ),  # fmt: skip
    )
}
