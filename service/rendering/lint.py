"""Check a template against its kind's context before it is used.

`lint_template(source, contexts, media_parts)` reports, each with the part, the paragraph or
table cell and its text:

* template code inside run or paragraph properties (w:rPr / w:pPr, attribute values too),
  which Word and LibreOffice do not keep and the load steps make unnecessary;
* Jinja that does not compile after docxtpl's preprocessing and the load steps;
* template code beyond what a document needs (`subset`): calls, names and
  attributes starting with «_», `*`, `**`, `/`, `%`, filters other than a few text ones
  (`safe` included), `{% autoescape %}`, macros, includes, imports and inheritance. An
  uploaded template carrying them (the template injections of docxtpl issues #549 and #632)
  is refused before it is ever rendered; the render's sandbox would stop them too;
* variables the template reads that none of the example contexts has: each context is
  rendered with values that record every lookup (as adfinis/document-merge-service does with
  its placeholder object), and the top-level names of branches no example takes are read from
  the compiled template;
* contexts that do not render under StrictUndefined;
* media parts (pictures the service replaces) missing from the package.

It knows nothing of the kinds: the caller passes the contexts built from the kind's examples.
"""

from __future__ import annotations

import contextlib
import re
import sys
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from docx import Document
from docx.oxml.ns import qn
from jinja2 import ChainableUndefined, Environment, Template, TemplateSyntaxError, meta
from lxml import etree

from service.rendering.engine import environment, xml_parts
from service.rendering.steps import W_P, W_PPR, W_RPR, paragraph_text, prepare_xml
from service.rendering.subset import outside_the_subset

_CODE = re.compile(r"\{\{|\{%|\{#")
_STAMP = "{urn:docgen:lint}n"  # a paragraph's number, carried through the preprocessing
_STAMPED = re.compile(r'<w:p [^>]*?\w+:n="(\d+)"')
W_TBL, W_TR, W_TC = qn("w:tbl"), qn("w:tr"), qn("w:tc")


@dataclass(frozen=True, slots=True)
class LintProblem:
    """One problem of a template: where it is, what it says there, and what is wrong."""

    part: str  # word/document.xml, word/header1.xml…
    where: str  # "paragraph 12", "table 3, row 2, cell 1", or "" for the package
    text: str  # the paragraph's text
    message: str

    def __str__(self) -> str:
        place = f"{self.part}, {self.where}" if self.where else self.part
        return f"{place}: {self.message}" + (f" — «{self.text}»" if self.text else "")


def lint_template(
    source: bytes, contexts: Sequence[Mapping[str, Any]], media_parts: Iterable[str] = ()
) -> list[LintProblem]:
    """Check a .docx template against example contexts; return its problems (none: usable)."""
    try:
        doc = Document(BytesIO(source))
    except Exception as exc:  # python-docx raises many kinds of errors for a broken package
        return [LintProblem("", "", "", f"not a Word document: {exc}")]
    with zipfile.ZipFile(BytesIO(source)) as package:
        names = set(package.namelist())
    problems = [
        LintProblem(name, "", "", "media part missing from the package")
        for name in media_parts
        if name not in names
    ]
    parts = [_Part(name, xml) for name, _, xml in xml_parts(doc)]
    for part in parts:
        problems += part.code_in_properties()
    compiled = [part for part in parts if part.compile(problems)]
    if len(compiled) == len(parts):
        problems += _check_variables(compiled, contexts)
    return problems


class _Part:
    """One XML part: its paragraphs by number, and its preprocessed, compiled template."""

    def __init__(self, name: str, xml: str):
        self.name = name
        root = etree.fromstring(xml)
        self.paragraphs: list[tuple[str, str]] = []  # (where, text), numbered from 1
        self.properties: list[tuple[int, etree._Element]] = []
        for number, p in enumerate(root.iter(W_P), start=1):
            p.set(_STAMP, str(number))
            self.paragraphs.append((_where(p), paragraph_text(p)))
            self.properties += [(number, e) for e in p.iter(W_PPR, W_RPR) if _has_code(e)]
        # docxtpl's own line numbering: a newline before each paragraph.
        self.source = re.sub(r"<w:p([ >])", r"\n<w:p\1", prepare_xml(etree.tostring(root).decode()))
        self.lines = self.source.splitlines()
        self.template = None

    def problem(self, number: int, message: str) -> LintProblem:
        where, text = self.paragraphs[number - 1] if number else ("", "")
        return LintProblem(self.name, where, text.strip(), message)

    def code_in_properties(self) -> list[LintProblem]:
        """Report template code in w:rPr / w:pPr, once per paragraph."""
        seen = dict.fromkeys(number for number, _ in self.properties)
        return [
            self.problem(n, "template code inside run or paragraph properties (w:rPr/w:pPr)")
            for n in seen
        ]

    def compile(self, problems: list[LintProblem]) -> bool:
        """Compile with the render environment; on a syntax error or code outside the
        subset, report it and say False.

        Nothing outside the subset is compiled, let alone rendered: the linter runs in the
        caller's process, without the workers' time and memory limits, and compiling folds
        constants (`9 ** 999999`)."""
        env = environment()
        try:
            ast = env.parse(self.source)
        except TemplateSyntaxError as exc:
            problems.append(self.problem(self.paragraph_at(exc.lineno), f"Jinja: {exc.message}"))
            return False
        # dict.fromkeys: once each (the load steps compile the language parts' loop twice)
        refused = list(
            dict.fromkeys(
                self.problem(self.paragraph_at(node.lineno), f"template code not allowed: {what}")
                for node, what in outside_the_subset(ast)
            )
        )
        if refused:
            problems += refused
            return False
        self.template = env.from_string(ast)
        return True

    def paragraph_at(self, lineno: int | None) -> int:
        """The number of the paragraph whose text is at line `lineno` of the source."""
        for line in reversed(self.lines[: lineno or 0]):
            found = _STAMPED.match(line)
            if found:
                return int(found[1])
        return 0


def _where(p: etree._Element) -> str:
    """Name a paragraph as a reader finds it: "paragraph 3" or "table 2, row 1, cell 4"."""
    top = p
    while top.getparent().getparent() is not None:
        top = top.getparent()
    siblings = [c for c in top.getparent() if c.tag == top.tag]
    if top.tag != W_TBL:
        return f"paragraph {siblings.index(top) + 1}"
    cell = list(p.iterancestors(W_TC))[-1]  # the outermost table's cell: the one a reader sees
    row = cell.getparent()
    rows = [r for r in top if r.tag == W_TR]
    cells = [c for c in row if c.tag == W_TC]
    return (
        f"table {siblings.index(top) + 1}, row {rows.index(row) + 1}, cell {cells.index(cell) + 1}"
    )


def _has_code(properties: etree._Element) -> bool:
    for e in properties.iter():
        texts = [e.text, *e.attrib.values()] + ([e.tail] if e is not properties else [])
        if any(t and _CODE.search(t) for t in texts):
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Variables: every context rendered with values that record each lookup.


class _Path(dict):
    """A dict of the context that knows its path («parts[].labels»)."""

    path: str


class _PathList(list):
    """A list of the context that knows its path; its items know theirs."""

    path: str


def _record(value: Any, path: str) -> Any:
    if type(value) is dict:
        out = _Path({k: _record(v, f"{path}.{k}" if path else k) for k, v in value.items()})
        out.path = path
        return out
    if type(value) in (list, tuple):
        out = _PathList(_record(v, f"{path}[]") for v in value)
        out.path = path
        return out
    return value


class _Recorder:
    """Where the lookups of one render go."""

    def __init__(self, part: _Part):
        self.part = part
        self.template: Template | None = None
        self.missing: dict[str, int] = {}  # path → paragraph number

    def miss(self, path: str) -> None:
        self.missing.setdefault(path, self.part.paragraph_at(self.line()))

    def line(self) -> int | None:
        """The template line being rendered, from the frames of the compiled template."""
        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_code.co_filename == "<template>":
                return self.template.get_corresponding_lineno(frame.f_lineno)
            frame = frame.f_back
        return None


def _recording_environment(recorder: _Recorder) -> Environment:
    class Missing(ChainableUndefined):
        """A missing value that records itself and lets the render go on."""

        def __init__(self, hint=None, obj=None, name=None, exc=None):
            super().__init__(hint, obj, name, exc)
            if name is not None and not isinstance(obj, ChainableUndefined):
                prefix = getattr(obj, "path", None)
                recorder.miss(f"{prefix}.{name}" if prefix else str(name))

    env = environment(Missing)
    base_getattr, base_getitem = env.getattr, env.getitem

    def getattr_(obj, attribute):
        if isinstance(obj, _Path) and not hasattr(dict, attribute):
            return obj[attribute] if attribute in obj else env.undefined(obj=obj, name=attribute)
        return base_getattr(obj, attribute)

    def getitem(obj, argument):
        if isinstance(obj, _Path) and argument not in obj:
            return env.undefined(obj=obj, name=argument)
        return base_getitem(obj, argument)

    env.getattr, env.getitem = getattr_, getitem
    return env


def _check_variables(parts: list[_Part], contexts: Sequence[Mapping[str, Any]]) -> list:
    problems: list[LintProblem] = []
    names = set().union(*(context.keys() for context in contexts)) if contexts else set()
    missing: list[dict[tuple[str, str], int]] = []  # per context: (part, path) → paragraph
    for context in contexts:
        found: dict[tuple[str, str], int] = {}
        for part in parts:
            recorder = _Recorder(part)
            recorder.template = _recording_environment(recorder).from_string(part.source)
            # An error stops the recording; the strict render below reports it.
            with contextlib.suppress(Exception):
                recorder.template.render(_record(dict(context), ""))
            found.update({(part.name, path): n for path, n in recorder.missing.items()})
        missing.append(found)
    unknown = set.intersection(*(set(m) for m in missing)) if missing else set()
    for part in parts:
        ast = environment().parse(part.source)
        for name in sorted(meta.find_undeclared_variables(ast) - names):
            unknown.add((part.name, name))
    for part_name, path in sorted(unknown):
        part = next(p for p in parts if p.name == part_name)
        number = next((m[(part_name, path)] for m in missing if (part_name, path) in m), None)
        if number is None:
            number = _first_mention(part, path)
        problems.append(part.problem(number, f"unknown variable «{path}»"))
    for index, (context, found) in enumerate(zip(contexts, missing, strict=True), start=1):
        if set(found) <= unknown and found:
            continue  # the unknown variables said it already
        for part in parts:
            try:
                part.template.render(dict(context))
            except Exception as exc:  # noqa: BLE001 — a template may raise anything
                number = part.paragraph_at(_error_line(exc))
                problems.append(part.problem(number, f"context {index} does not render: {exc}"))
                break
    return problems


def _error_line(exc: BaseException) -> int | None:
    tb, line = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _first_mention(part: _Part, path: str) -> int:
    name = path.split(".")[-1].rstrip("[]")
    word = re.compile(rf"\b{re.escape(name)}\b")
    return next((n for n, (_, text) in enumerate(part.paragraphs, 1) if word.search(text)), 0)
