"""Document forms: a view of a kind's marshmallow schema, never a second validation.

The schema is walked into a tree of nodes the templates draw: inputs (text, date, choice,
flag), bilingual pairs ({ky, ru} side by side, with their hand-set grammatical forms behind a
<details>), groups (a nested object: <fieldset>) and rows (a list: repeated rows, added and
removed by the server without JavaScript). An input is named by its dotted JSON path with list
indices (`members.3.name`); the posted names parse back into the JSON the API takes, empty
strings dropped so that the schema's defaults and required fields decide. Labels come from the
catalogs (the `web` domain, context «field», else the batch columns' labels), required marks
and choices from the schema; errors (InvalidInput.errors) and warnings (Notices) are put next
to the input they name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import marshmallow
from marshmallow import Schema, fields, validate

from service.batches import columns
from service.domain.notices import Notice
from service.i18n import translate_error, translate_notice, translations
from service.schemas.common import BilingualSchema, NameFormsSchema, PersonFormsSchema
from service.schemas.working_group_order import KEPT_BY_HEAD, Control
from service.web.language import DOMAIN, N_, gettext, ui_language

FIELD = "field"  # the web catalogs' context of a field's label, by its path without indices
PART = "field part"  # …of a label by the path's last part (a person's `name`, `gender`…)
# Fields a page chooses apart (a select of the user's municipalities, of stored plans) or that
# are no business of a page user (a callback address for programs).
HIDDEN = frozenset({"municipality_id", "plan_id", "plan_of", "plan", "callback_url"})
# Texts that take a few lines: a <textarea>.
LONG = frozenset(
    {"purpose", "subject", "legal_basis", "extra_clauses", "summary", "sources", "causes",
     "consequences", "expected_result", "difficulties", "recommendations", "proposals",
     "comment", "notes", "title"}
)  # fmt: skip
# Inputs outside a pair that take Kyrgyz text: names of people, as lists and signatures print.
KYRGYZ_PARTS = frozenset({"name", "list", "signature"})
_INDEX = re.compile(r"\.(\d+|__index__)(?=\.|$)")
ROW_PLACEHOLDER = "__index__"


@dataclass
class Node:
    """One thing the form draws; `name` is its dotted path with indices, `key` without."""

    kind: str  # input | pair | group | forms | rows
    name: str
    key: str
    label: str = ""
    widget: str = "text"  # text | textarea | date | choice | flag | number
    required: bool = False
    value: str = ""
    choices: list[tuple[str, str]] = field(default_factory=list)
    lang: str | None = None  # the language of a pair's input
    default_true: bool = False  # a flag that is true unless unticked
    children: list[Node] = field(default_factory=list)
    template: Node | None = None  # a rows' empty row, for the script
    scripted: bool = True  # rows the script may add to (not inside a script's template)
    opened: bool = False  # hand-set forms shown open
    wanted: bool = False  # an override a warning asks for
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return "f-" + self.name.replace(".", "-").replace("+", "-")

    @property
    def kyrgyz(self) -> bool:
        """Whether the input takes Kyrgyz text (and gets the ң ө ү buttons)."""
        last = self.key.rsplit(".", 1)[-1]
        typed = self.kind == "input" and self.widget in ("text", "textarea")
        return typed and (self.lang == "ky" or last in KYRGYZ_PARTS or last.startswith("ky_"))

    @property
    def described_by(self) -> str:
        ids = [f"{self.id}-error"] if self.errors else []
        return " ".join(ids + ([f"{self.id}-warning"] if self.warnings else []))


# Labels ------------------------------------------------------------------------------------


def key_of(name: str) -> str:
    """A path without its list indices: `members.3.name` → `members.name`."""
    return _INDEX.sub("", name)


def label(key: str) -> str:
    """What the page calls the field `key`: the web catalogs' label of the path, else the batch
    column's, else the web catalogs' label of its last part (a person's `name`, `gender`…)."""
    lang = ui_language()
    web = translations(lang, DOMAIN)
    own = web.pgettext(FIELD, key)
    if own != key:
        return own
    batch = _batch_label(key, lang)
    if batch is not None:  # a column's label may be the part after a row's prefix
        return batch[:1].upper() + batch[1:]
    parent, _, last = key.rpartition(".")
    if parent and last in ("ky", "ru"):  # one language of a pair
        phrase = N_("{field}, in Kyrgyz") if last == "ky" else N_("{field}, in Russian")
        return gettext(phrase, field=label(parent))
    if "forms." in f".{key}" and last != "forms":
        last = f"forms.{last}"
    return web.pgettext(PART, last)


def _batch_label(key: str, lang: str) -> str | None:
    """The label of the batch column `key` (a member's on the members sheet), if it has one."""
    if key.startswith(f"{columns.MEMBERS}."):
        found = columns.member_label(key.removeprefix(f"{columns.MEMBERS}."), lang)
        return None if found.startswith("member.") else found
    found = columns.label(key, lang)
    return None if found == key else found


# The tree ----------------------------------------------------------------------------------


@dataclass
class _Context:
    values: Mapping[str, str]
    fresh: bool  # a form never posted: lists show their minimum of rows


def build(schema: Schema, values: Mapping[str, str], *, fresh: bool = False) -> list[Node]:
    """The nodes of `schema`'s form, filled with `values` (flat, by input name)."""
    ctx = _Context(values, fresh)
    return [
        _node(f, name, name, ctx)
        for name, f in schema.fields.items()
        if not f.dump_only and name not in HIDDEN
    ]


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _children(schema: Schema, prefix: str, ctx: _Context) -> list[Node]:
    return [
        _node(f, _join(prefix, name), key_of(_join(prefix, name)), ctx)
        for name, f in schema.fields.items()
        if not f.dump_only
    ]


def _node(f: fields.Field, name: str, key: str, ctx: _Context) -> Node:
    if isinstance(f, fields.List):
        return _rows(f, name, key, ctx)
    if isinstance(f, fields.Nested):
        schema = f.schema
        if isinstance(schema, BilingualSchema):
            return _pair(schema, name, key, f.required, ctx)
        if isinstance(schema, (NameFormsSchema, PersonFormsSchema)):
            children = _children(schema, name, ctx)
            asked = name in ctx.values or any(c.name in ctx.values for c in children)
            holder = key.rsplit(".", 1)[0] if "." in key else "name"  # a profile's: its name's
            return Node("forms", name, key, label(holder), children=children, opened=asked)
        children = _children(schema, name, ctx)
        if isinstance(f, Control):
            flag = _input(fields.Boolean(), _join(name, KEPT_BY_HEAD), f"{key}.{KEPT_BY_HEAD}", ctx)
            children.insert(0, flag)
        return Node("group", name, key, label(key), required=f.required, children=children)
    return _input(f, name, key, ctx)


def _pair(schema: Schema, name: str, key: str, required: bool, ctx: _Context) -> Node:
    children = []
    for lang in ("ky", "ru"):
        item = _input(schema.fields[lang], f"{name}.{lang}", f"{key}.{lang}", ctx)
        item.lang, item.required = lang, required
        if key.rsplit(".", 1)[-1] in LONG:
            item.widget = "textarea"
        children.append(item)
    if "forms" in schema.fields:
        children.append(_node(schema.fields["forms"], f"{name}.forms", f"{key}.forms", ctx))
    return Node("pair", name, key, label(key), required=required, children=children)


def _rows(f: fields.List, name: str, key: str, ctx: _Context) -> Node:
    lengths = [v for v in _validators(f) if isinstance(v, validate.Length)]
    least = max([v.min or 0 for v in lengths] + [1 if f.required else 0])
    present = row_indices(ctx.values, name)
    count = len(present) if present or not ctx.fresh else least
    inner = f.inner
    rows = [_row(inner, f"{name}.{i}", key, ctx) for i in range(count)]
    node = Node("rows", name, key, label(key), required=f.required, children=rows)
    template = _row(inner, f"{name}.{ROW_PLACEHOLDER}", key, _Context({}, fresh=True))
    for row in rows:
        _unscript(row)
    if any(n.kind == "rows" for n in walk(template.children)):
        node.scripted = False  # a problem with its own rows: a template as long as a page
    else:
        node.template = template
    return node


def _unscript(node: Node) -> None:
    """Rows inside a row are added to by the server: a script's template holds one
    placeholder, and a template in every row of a long plan would double the page."""
    for child in node.children:
        if child.kind == "rows":
            child.scripted, child.template = False, None
        _unscript(child)


def _row(inner: fields.Field, name: str, key: str, ctx: _Context) -> Node:
    found = _node(inner, name, key, ctx)
    if found.kind == "input":  # a list of plain values: a row holds the one input
        return Node("group", name, key, found.label, children=[found])
    return found


def row_indices(values: Mapping[str, str], name: str) -> list[int]:
    """The row numbers the values have under the list `name`."""
    pattern = re.compile(rf"^{re.escape(name)}\.(\d+)(?:\.|$)")
    return sorted({int(m.group(1)) for v in values if (m := pattern.match(v))})


def _validators(f: fields.Field) -> list:
    found = f.validators if isinstance(f.validators, list) else [f.validators]
    return [v for v in found if v is not None]


def _input(f: fields.Field, name: str, key: str, ctx: _Context) -> Node:
    node = Node("input", name, key, label(key), required=f.required)
    node.value = ctx.values.get(name, "")
    default = f.load_default
    if isinstance(f, fields.Boolean):
        node.widget = "flag"
        node.default_true = default is True
        if ctx.fresh and name not in ctx.values and default is True:
            node.value = "true"
    elif isinstance(f, fields.Enum):
        node.widget = "choice"
        node.choices = [(str(e.value), _choice(str(e.value))) for e in f.enum]
    elif any(isinstance(v, validate.OneOf) for v in _validators(f)):
        one_of = next(v for v in _validators(f) if isinstance(v, validate.OneOf))
        node.widget = "choice"
        node.choices = [(str(c), _choice(str(c))) for c in one_of.choices]
    elif isinstance(f, fields.Date):
        node.widget = "date"
    elif isinstance(f, (fields.Decimal, fields.Integer)):
        node.widget = "number"
    elif key.rsplit(".", 1)[-1] in LONG:
        node.widget = "textarea"
    given = default is not None and default is not marshmallow.missing and not callable(default)
    if node.widget == "choice" and ctx.fresh and not node.value and given:
        node.value = str(getattr(default, "value", default))  # the schema's default, shown
    return node


def _choice(code: str) -> str:
    web = translations(ui_language(), DOMAIN)
    own = web.pgettext("choice", code)
    if own != code:
        return own
    found = columns.choice_word(code, ui_language())
    return found


def located(nodes: Iterable[Node], trail: tuple[str, ...] = ()):
    """Every node with the rows it is in, as their labels and numbers («Members № 4»), parents
    first: what names a field of the fourth member apart from the head's."""
    for node in nodes:
        yield node, trail
        if node.kind == "rows":
            for number, row in enumerate(node.children, 1):
                yield from located([row], (*trail, f"{node.label} № {number}"))
        else:
            yield from located(node.children, trail)


def walk(nodes: Iterable[Node]) -> Iterable[Node]:
    """Every node of the tree, parents first."""
    for node in nodes:
        yield node
        yield from walk(node.children)


# Values: form data ↔ JSON ------------------------------------------------------------------


def flatten(value: Any, prefix: str = "") -> dict[str, str]:
    """A JSON input as the form's values, by input name (`members.3.name`)."""
    found: dict[str, str] = {}
    if isinstance(value, Mapping):
        for k, v in value.items():
            found.update(flatten(v, _join(prefix, str(k))))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found.update(flatten(v, _join(prefix, str(i))))
            row = _join(prefix, str(i))
            if not any(n == row or n.startswith(f"{row}.") for n in found):
                found[row] = ""  # an empty row stays a row
    elif isinstance(value, bool):
        found[prefix] = "true" if value else "false"
    elif value is not None:
        found[prefix] = str(value)
    return found


def posted(form: Mapping[str, Any]) -> dict[str, str]:
    """The form's values from a POST: the last of each name (a ticked flag's "true" comes
    after its hidden "false"), page controls (`_action`, `csrf_token`) left out. Row numbers
    stay as posted (the script removes rows from the middle), for a row's button to name its
    row: `compact` renumbers them."""
    values = {}
    for name in form:
        if name.startswith("_") or name == "csrf_token" or ROW_PLACEHOLDER in name:
            continue
        got = form.getlist(name) if hasattr(form, "getlist") else [form[name]]
        values[name] = got[-1] if got else ""
    return values


def compact(values: Mapping[str, str]) -> dict[str, str]:
    """The values with every list's rows numbered from 0, in order."""
    return flatten(_tree(values))


def _tree(values: Mapping[str, str]) -> Any:
    """Flat values into nested dicts, lists as dicts of row numbers (compacted by `flatten`)."""
    root: dict = {}
    for name, value in values.items():
        parts = name.split(".")
        node = root
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        if parts[-1] not in node or not isinstance(node[parts[-1]], dict):
            node[parts[-1]] = value
    return _lists(root)


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    if node and all(k.isdigit() for k in node):
        return [_lists(node[k]) or {} for k in sorted(node, key=int)]
    return {k: _lists(v) for k, v in node.items()}


def payload(schema: Schema, values: Mapping[str, str]) -> dict:
    """The JSON the form's values stand for: empty texts and objects dropped (the schema's
    defaults and required fields then apply), a list's empty rows kept (their errors name
    them), flags and whole numbers typed as the schema reads them."""
    return _typed(schema, _pruned(_tree(values)))


def _pruned(node: Any) -> Any:
    if isinstance(node, dict):
        kept = {k: _pruned(v) for k, v in node.items()}
        return {k: v for k, v in kept.items() if v not in ("", None, {}, [])}
    if isinstance(node, list):
        return [_pruned(v) if _pruned(v) not in ("", None) else {} for v in node]
    return node.strip() if isinstance(node, str) and not node.strip() else node


def _typed(schema: Schema, data: Any) -> Any:
    if not isinstance(data, dict):
        return data
    typed = {}
    for key, value in data.items():
        f = schema.fields.get(key)
        typed[key] = _typed_value(f, value) if f is not None else value
    return typed


def _typed_value(f: fields.Field, value: Any) -> Any:
    if isinstance(f, fields.List) and isinstance(value, list):
        return [_typed_value(f.inner, v) for v in value]
    if isinstance(f, Control) and isinstance(value, dict) and KEPT_BY_HEAD in value:
        flag = value[KEPT_BY_HEAD]
        rest = _typed(f.schema, {k: v for k, v in value.items() if k != KEPT_BY_HEAD})
        return {KEPT_BY_HEAD: {"true": True, "false": False}.get(flag, flag), **rest}
    if isinstance(f, fields.Nested) and isinstance(value, dict):
        return _typed(f.schema, value)
    if isinstance(f, fields.Boolean) and value in ("true", "false"):
        return value == "true"
    if isinstance(f, fields.Integer) and isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value


def open_forms(values: Mapping[str, str], name: str) -> dict[str, str]:
    """The values with the hand-set forms `name` (`members.3.forms`) shown."""
    return compact({**values, name: values.get(name, "")})


def add_row(values: Mapping[str, str], name: str) -> dict[str, str]:
    """The values with an empty row at the end of the list `name`."""
    present = row_indices(values, name)
    return compact({**values, f"{name}.{(present[-1] + 1) if present else 0}": ""})


def remove_row(values: Mapping[str, str], row: str) -> dict[str, str]:
    """The values without the row `row` (`members.3`), the rows after it renumbered."""
    kept = {k: v for k, v in values.items() if k != row and not k.startswith(f"{row}.")}
    return compact(kept)


# Errors and warnings -----------------------------------------------------------------------


def flat_errors(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    """InvalidInput.errors (nested by field, list positions as numbers) by dotted path; a
    schema-wide message (`_schema`) belongs to the object that has it."""
    found: dict[str, list[str]] = {}
    if isinstance(errors, Mapping):
        for k, v in errors.items():
            path = prefix if str(k) == "_schema" else _join(prefix, str(k))
            for p, messages in flat_errors(v, path).items():
                found.setdefault(p, []).extend(messages)
    elif isinstance(errors, list) and all(isinstance(m, str) for m in errors):
        found[prefix] = list(errors)
    elif isinstance(errors, list):
        for i, v in enumerate(errors):
            for p, messages in flat_errors(v, _join(prefix, str(i))).items():
                found.setdefault(p, []).extend(messages)
    elif isinstance(errors, str):
        found[prefix] = [errors]
    return found


def annotate(
    nodes: list[Node], errors: Mapping[str, list[str]], warnings: Iterable[Notice]
) -> tuple[list[str], list[str]]:
    """Put each error and warning (in the page's language) next to the node it names; the
    errors and the warnings that name no node are returned, for the top of the form."""
    lang = ui_language()
    by_name = {n.name: n for n in walk(nodes)}
    left: list[str] = []
    unplaced: list[str] = []
    for path, messages in errors.items():
        target = _nearest(by_name, path)
        texts = [translate_error(m, lang) for m in messages]
        if target is None:
            left.extend(f"{label(key_of(path))}: {t}" if path else t for t in texts)
        else:
            target.errors.extend(texts)
    for notice in warnings:
        text = translate_notice(_as_labels(notice), lang)
        place = notice.values.get("field", "")
        target = _nearest(by_name, place) if place else None
        if target is None:
            unplaced.append(text)
        else:
            target.warnings.append(text)
        for setting in _settings(notice):
            _want(by_name, setting)
    return left, unplaced


# The values of a warning that name input fields: the page says them by their labels.
_FIELD_VALUES = ("field", "forms", "setting", "gender")


def _as_labels(notice: Notice) -> Notice:
    """The warning with the fields it names («control.forms.ky_dative») as the page labels
    them («Барыш жөндөмө (кимге? эмнеге?)»)."""
    values = dict(notice.values)
    for key in _FIELD_VALUES:
        if values.get(key):
            paths = [p.strip() for p in values[key].split(",") if p.strip()]
            values[key] = ", ".join(f"«{label(key_of(p))}»" for p in paths)
    return Notice(notice.code, notice.message, values)


def _settings(notice: Notice) -> list[str]:
    found = notice.values.get("forms") or notice.values.get("setting") or ""
    return [s.strip() for s in found.split(",") if s.strip()]


def _want(by_name: Mapping[str, Node], setting: str) -> None:
    """Open the hand-set forms a warning asks for, marking the input it names."""
    if setting in by_name:
        by_name[setting].wanted = True
    holder = setting.rsplit(".", 1)[0]
    while holder:
        node = by_name.get(holder)
        if node is not None and node.kind == "forms":
            node.opened = True
            return
        holder = holder.rsplit(".", 1)[0] if "." in holder else ""


def _nearest(by_name: Mapping[str, Node], path: str) -> Node | None:
    """The node of `path`, or of the closest object holding it."""
    while path:
        if path in by_name:
            return by_name[path]
        path = path.rsplit(".", 1)[0] if "." in path else ""
    return None


def parse_action(action: str) -> tuple[str, str]:
    """`add:members` → ("add", "members"); `remove:members.2` → ("remove", "members.2");
    `forms:members.2.forms` → ("forms", "members.2.forms")."""
    verb, _, path = action.partition(":")
    return verb, path
