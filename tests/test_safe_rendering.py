"""Template injection: user text is printed as typed, template code in a file never runs.

Classic server-side template injection payloads (docxtpl issues #549 and #632 show them
reaching code execution) go into every text field of every kind's example, one field at a
time: the document is made, prints the payload where it prints the field, and nothing in any
part of the file shows that one was evaluated. In a template file, the same payloads are
refused by the linter and by the renderer's load, and what the linter's subset lets through
still cannot reach Python objects under the sandbox.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from docx import Document
from jinja2 import UndefinedError
from jinja2.sandbox import SecurityError
from lxml import etree

from service.errors import InvalidInput
from service.generation import example_contexts, generate_document, load_input
from service.kinds import EXAMPLES_DIR, KINDS
from service.rendering import lint_template, render_template
from service.rendering.engine import environment

PAYLOADS = (
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{% for x in parts %}LOOP{% endfor %}",
    "{{ config }}{{ config.items() }}{{ request }}{{ self }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum.__globals__['os'] }}{{ joiner() }}{{ namespace() }}{{ range(9)|list }}",
    "{{ 7*7777 }} ${7*7777} <%= 7*7777 %> #{7*7777}",
    "{%p if 1 %}{%tr for r in x %}{{r x }}{#c#}{% raw %}",
    "<w:p><w:r><w:t>x</w:t></w:r></w:p> & ]]> <!--",
)
# What an evaluated payload would print; none of it is in any example.
EVALUATED = (
    "<class",
    "54439",
    "uid=",
    "Lorem",
    "<Config",
    "<built-in",
    "<jinja2",
    "<module",
    "<function",
)
_AS_TYPED = str.maketrans({"\u00ad": None, "\u200b": None, "\u00a0": " ", "\u2011": "-"})


def _text_leaves(value, path=()):
    """(path, text) of every string in a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _text_leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _text_leaves(item, (*path, index))
    elif isinstance(value, str):
        yield path, value


def _replaced(payload, replacements):
    """A copy of `payload` with the text at each path of `replacements` replaced."""
    body = json.loads(json.dumps(payload))
    for path, text in replacements.items():
        target = body
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = text
    return body


def _printed(content: bytes) -> str:
    """The text of every XML part of the file (body, headers, properties…), as read."""
    texts = []
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        for name in package.namelist():
            if name.endswith(".xml"):
                texts.append("".join(etree.fromstring(package.read(name)).itertext()))
    return "\n".join(texts).translate(_AS_TYPED)


def _example_of(kind: str) -> dict:
    return json.loads((EXAMPLES_DIR / KINDS[kind].examples[0]).read_text(encoding="utf-8"))


def _payload(index: int) -> str:
    """The payload of the example's `index`th string, tagged with it: «F12:{{ … }}»."""
    return f"F{index}:{PAYLOADS[index % len(PAYLOADS)]}"


@pytest.mark.parametrize("kind", list(KINDS))
def test_payloads_in_every_text_field_are_printed_as_typed(kind):
    example = {**_example_of(kind), "language": "ky+ru"}
    original = _printed(generate_document(kind, example).content)
    assert not [marker for marker in EVALUATED if marker in original]
    leaves = [(p, t) for p, t in _text_leaves(example) if p != ("language",)]
    # Free text is what the schema takes a payload in (not a date, a choice, a number).
    accepted = {}
    for index, (path, text) in enumerate(leaves):
        try:
            load_input(kind, _replaced(example, {path: _payload(index)}))
        except InvalidInput:
            continue
        accepted[index] = (path, text)
    assert len(accepted) >= len(leaves) // 2, (len(accepted), len(leaves))
    # One document per payload, with it in every field it was given to (a field alone where
    # the fields together are refused: two members with one name, say); the fields a
    # document prints are those whose plain tag «F12Z» it prints.
    printed = 0
    for n in range(len(PAYLOADS)):
        group = [i for i in accepted if i % len(PAYLOADS) == n]
        for indices, document, tags in _made(kind, example, accepted, group):
            out = _printed(document.content).casefold()
            assert not [m for m in EVALUATED if m.casefold() in out], indices
            for i in indices:
                if f"f{i}z" in tags:
                    printed += 1
                    assert _payload(i).casefold() in out, (accepted[i][0], _payload(i))
    assert printed >= 10, printed


def _made(kind, example, accepted, group):
    """(indices, the document with their payloads, the text with their tags instead)."""
    try:
        together = [(group, _document(kind, example, accepted, group, _payload))]
    except InvalidInput:
        together = [([i], _document(kind, example, accepted, [i], _payload)) for i in group]
    for indices, document in together:
        tagged = _document(kind, example, accepted, indices, lambda i: f"F{i}Z")
        yield indices, document, _printed(tagged.content).casefold()


def _document(kind, example, accepted, indices, text):
    return generate_document(kind, _replaced(example, {accepted[i][0]: text(i) for i in indices}))


def _template_with(text: str) -> bytes:
    doc = Document()
    doc.add_paragraph("{%p for part in parts %}")
    doc.add_paragraph("{{ part.title }}")
    doc.add_paragraph(text)
    doc.add_paragraph("{%p endfor %}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


CONTEXT = {"parts": [{"title": "Тескеме", "lang": "ky"}]}

TEMPLATE_PAYLOADS = {
    "{{ ''.__class__.__mro__[1].__subclasses__() }}": "a call «(…)»",
    "{{ part.__class__ }}": "the attribute «__class__»",
    "{{ part['__class__'] }}": "the item «__class__»",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}": "a call «(…)»",
    "{{ lipsum.__globals__ }}": "the attribute «__globals__»",
    "{{ joiner() }}": "a call «(…)»",
    "{{ part.title|attr('__class__') }}": "the filter «attr»",
    "{{ part.title|safe }}": "the filter «safe»",
    "{% autoescape false %}{{ part.title }}{% endautoescape %}": "{% autoescape %}",
    "{{ 'x' * 1000000000 }}": "«*»",
    "{{ 9 ** 999999 }}": "«**»",
    "{{ '%s' % part }}": "«%»",
    "{% include 'x' %}": "{% include %}",
    "{% import 'x' as y %}": "{% import %}",
    "{% macro m() %}{% endmacro %}": "{% macro %}",
    "{{ _self }}": "the name «_self»",
    "{{ self }}": "the name «self»",
}


@pytest.mark.parametrize("code", list(TEMPLATE_PAYLOADS))
def test_template_code_outside_the_subset_is_refused_by_the_linter_and_the_renderer(code):
    source = _template_with(code)
    messages = [p.message for p in lint_template(source, [CONTEXT])]
    assert f"template code not allowed: {TEMPLATE_PAYLOADS[code]}" in messages
    with pytest.raises(SecurityError, match="template code not allowed"):
        render_template(source, CONTEXT)


@pytest.mark.parametrize(
    "code", ["{{ config }}", "{{ request }}", "{{ lipsum }}", "{{ cycler }}", "{{ range }}"]
)
def test_jinja_globals_and_flask_names_do_not_exist(code):
    source = _template_with(code)
    name = code.strip("{} ")
    assert f"unknown variable «{name}»" in [p.message for p in lint_template(source, [CONTEXT])]
    with pytest.raises(UndefinedError):
        render_template(source, CONTEXT)


def test_an_unsafe_attribute_reached_by_a_computed_name_is_stopped_by_the_sandbox():
    # Inside the subset (an item looked up by a computed key), outside the sandbox.
    source = _template_with("{{ part.title[('_' ~ '_class_' ~ '_')] }}")
    assert [p.message for p in lint_template(source, [CONTEXT])] == ["unknown variable «__class__»"]
    with pytest.raises(SecurityError):
        render_template(source, CONTEXT)


def test_the_render_environment_is_a_sandbox_without_globals():
    env = environment()
    assert env.sandboxed and env.autoescape is True and env.globals == {}
    with pytest.raises(SecurityError):
        env.from_string("{{ x.__class__.__mro__ }}").render(x="") + ""
    escaped = env.from_string("{{ x }}").render(x="<w:p> & «»")
    assert escaped == "&lt;w:p&gt; &amp; «»"


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_shipped_templates_stay_inside_the_subset(kind):
    source = KINDS[kind].template.read_bytes()
    problems = lint_template(source, example_contexts(kind), KINDS[kind].media)
    assert not [p for p in problems if "not allowed" in p.message]
