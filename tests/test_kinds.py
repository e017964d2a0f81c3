"""Every kind's descriptor is consistent with its schema, context module and template."""

from __future__ import annotations

import zipfile

import pytest
from marshmallow import fields

from service.kinds import EXAMPLES_DIR, KINDS
from service.schemas.working_group_order import KEPT_BY_HEAD, Control

KIND_NAMES = sorted(KINDS)


@pytest.mark.parametrize("name", KIND_NAMES)
def test_descriptor_agrees_with_the_kind_modules(name):
    kind = KINDS[name]
    schema = kind.schema()
    assert callable(kind.context.build_context) and callable(kind.context.file_stem)
    assert kind.numbered == hasattr(kind.context, "register_subject")
    assert kind.act_word == ("act" in schema.fields)
    assert bool(kind.media) == hasattr(kind.context, "media")
    with zipfile.ZipFile(kind.template) as package:
        assert set(kind.media) <= set(package.namelist())
    for example in kind.examples:
        assert (EXAMPLES_DIR / example).is_file()
    for reference in kind.references:
        assert reference.id_field in schema.fields and reference.field in schema.fields
        assert reference.kind in KINDS


@pytest.mark.parametrize("name", [name for name in KIND_NAMES if KINDS[name].batch_columns])
def test_batch_columns_are_paths_of_the_schema(name):
    kind = KINDS[name]
    for column in kind.batch_columns:
        if column == "municipality_id":
            continue
        field = kind.schema().fields[column.split(".")[0]]
        for part in column.split(".")[1:]:
            if isinstance(field, Control):  # a person, or {"kept_by_head": true}
                if part == KEPT_BY_HEAD:
                    break
                field = field.person
            if isinstance(field, fields.List):
                assert part.isdigit(), column
                field = field.inner
                continue
            assert isinstance(field, fields.Nested), column
            field = field.schema.fields[part]


def test_urls_are_unique():
    assert len({kind.url for kind in KINDS.values()}) == len(KINDS)
