"""The compiled template: what docxtpl does per render, done once per template.

docxtpl reparses the .docx, re-runs its XML preprocessing and recompiles Jinja on every render.
Here that work happens once per template: python-docx reads the package, `steps.prepare_xml`
(the load steps around docxtpl's own `patch_xml`) prepares every part docxtpl renders (body,
headers, footers, footnotes, core properties), and Jinja compiles it. A render then only runs
the compiled templates, applies docxtpl's post-processing to their output, and writes a zip in
which every part that does not depend on the context is reused already compressed. The output
has the same parts and the same XML, canonically, as `DocxTemplate.render` followed by `save`
of the template with the same load steps (tests/test_rendering.py compares the two).

Given the document's `DocumentProperties`, `package` also writes the file's own metadata
(`properties.py`): core.xml and app.xml made for the document, the thumbnail dropped.

A compiled template is shared by all threads, so it holds only immutable things: bytes,
strings and Jinja templates (which render concurrently). Nothing here keeps a DocxTemplate.
"""

from __future__ import annotations

import itertools
import re
import struct
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from io import BytesIO
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.coreprops import CoreProperties
from docx.opc.oxml import serialize_part_xml
from docx.oxml.ns import nsmap
from docx.oxml.parser import parse_xml
from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined, Template, TemplateError, Undefined, nodes
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from lxml import etree

from service.domain.properties import DocumentProperties
from service.rendering import properties as file_properties
from service.rendering.steps import prepare_xml
from service.rendering.subset import outside_the_subset

# The core properties docxtpl renders, in its order (`DocxTemplate.render_properties`).
_CORE_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")

# Rendered parts are deflated at zlib's default level, as python-docx does; parts that do not
# depend on the context are compressed once, as well as zlib can.
_RENDERED_LEVEL = 6
_STATIC_LEVEL = 9


class _Environment(SandboxedEnvironment):
    """Jinja's sandbox, with a quicker `part.field` on the plain dicts the builders return.

    Templates are meant to come from tenants too (docxtpl issues #549 and #632: a template
    reaching `__class__`, `__globals__` or a global's module runs code), so a render may
    read data and nothing else: no attribute starting with «_», no unsafe method, no globals
    at all (Jinja's `range`, `lipsum`, `cycler`, `joiner`, `dict`, `namespace`). What the
    sandbox would allow but a document does not need (calls, `*`, `safe`…) is refused before
    compiling (`subset`).
    """

    _DICT_ATTRIBUTES = frozenset(dir(dict))

    def __init__(self, **options: Any):
        super().__init__(**options)
        self.globals.clear()

    def getattr(self, obj: Any, attribute: str) -> Any:
        # Jinja tries the attribute first and the item after an AttributeError; a dict has no
        # attributes but those of its type, so the item alone gives the same answer, faster
        # (and as safely: the sandbox, too, returns the item when there is no attribute).
        if type(obj) is dict and attribute not in self._DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


def environment(undefined: type[Undefined] = StrictUndefined) -> Environment:
    """Return the Jinja environment of the renders: sandboxed, autoescaping, StrictUndefined."""
    return _Environment(autoescape=True, undefined=undefined)


def text_environment() -> Environment:
    """The sandbox without autoescaping, for values python-docx escapes itself (the file's
    core properties: escaped twice, «&» would read «&amp;»)."""
    return _Environment(autoescape=False, undefined=StrictUndefined)


# ---------------------------------------------------------------------------------------------
# docxtpl's steps. `resolve_listing` and `fix_tables` never touch `self`, so they
# run as plain functions: no DocxTemplate (which carries render state) is ever created or shared.


def _fix_tables(xml: str) -> etree._Element:
    return DocxTemplate.fix_tables(None, xml)


def _resolve_listing(xml: str) -> str:
    return DocxTemplate.resolve_listing(None, xml)


_PARAGRAPH_START = re.compile(r"<w:p([ >])")
_NEWLINE_PARAGRAPH = re.compile(r"\n<w:p([ >])")


@dataclass(frozen=True, slots=True)
class _XmlTemplate:
    """One XML part, patched and compiled as `DocxTemplate.render_xml_part` does."""

    source: str  # what Jinja compiled
    template: Template

    @classmethod
    def compile(cls, env: Environment, xml: str) -> _XmlTemplate:
        patched = prepare_xml(xml)
        # render_xml_part puts a newline before each paragraph, for the line numbers of Jinja's
        # errors, and takes them out of the output: unless the XML has newlines of its own,
        # compiling it as it is makes the same output, with less to take out.
        numbered = _PARAGRAPH_START.sub(r"\n<w:p\1", patched)
        source = numbered if "\n" in patched else patched
        try:
            ast = env.parse(source)
        except TemplateError:
            _raise_as_docxtpl(env, numbered)  # the same error, with docxtpl's line numbers
            raise
        _refuse_outside_the_subset(ast)
        return cls(source, env.from_string(ast))

    def render(self, context: dict) -> str:
        """Render with `context` and apply render_xml_part's post-processing."""
        xml = self.template.render(context)
        # Single-character tests first: searching for a longer string costs far more (and
        # "_" is in nearly every document, "{" and "}" in nearly none).
        if "\n" in xml:
            xml = _NEWLINE_PARAGRAPH.sub(r"<w:p\1", xml)
        if "{" in xml or "}" in xml:
            xml = (
                xml.replace("{_{", "{{")
                .replace("}_}", "}}")
                .replace("{_%", "{%")
                .replace("%_}", "%}")
            )
        return _resolve_listing_where_needed(xml)


def _refuse_outside_the_subset(ast: nodes.Template) -> None:
    """Raise SecurityError for template code outside the subset (`subset`): never rendered."""
    found = outside_the_subset(ast)
    if found:
        node, what = found[0]
        raise SecurityError(f"template code not allowed: {what} (line {node.lineno})")


def _raise_as_docxtpl(env: Environment, numbered: str) -> None:
    try:
        env.from_string(numbered)
    except TemplateError as exc:
        _add_docx_context(exc, numbered)
        raise


def _add_docx_context(exc: TemplateError, source: str) -> None:
    """Attach the text around the error, as docxtpl does for template authors."""
    lineno = getattr(exc, "lineno", None)
    if lineno is not None:
        first = max(lineno - 4, 0)
        lines = source.splitlines()[first : first + 7]
        exc.docx_context = [re.sub(r"<[^>]+>", "", line) for line in lines]


# resolve_listing rewrites only \t, \a, \n and \f inside <w:t> of a paragraph; every other
# paragraph comes out unchanged, so only paragraphs holding one of them go through it.
_LISTING = "\t\a\n\f"
_LISTING_CHARS = re.compile(f"[{_LISTING}]")
_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)


def _resolve_listing_where_needed(xml: str) -> str:
    if not any(c in xml for c in _LISTING):
        return xml
    out, end = [], 0
    for m in _PARAGRAPH.finditer(xml):
        if _LISTING_CHARS.search(xml, m.start(), m.end()):
            # The paragraph alone is exactly one match of resolve_listing's own pattern.
            out += (xml[end : m.start()], _resolve_listing(m.group(0)))
            end = m.end()
    out.append(xml[end:])
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# The body: docxtpl parses the rendered body (recovering from errors), fixes table grids
# (`fix_tables`) and renumbers drawing ids (`fix_docpr_ids`) before python-docx serializes it.
# Parsing costs more than the rest of a render, so the body is parsed only when one of these
# steps could change it; otherwise the rendered text goes straight between the parts of
# document.xml around <w:body>. What could change is mostly known from the template, at load.


class _TableCheck(Enum):
    """How a render learns whether fix_tables would change the tables of the body."""

    NONE = "no table can change"
    EMPTY_TABLE = "a table changes only when it is left without rows"
    COUNT = "count the tags of every table"
    NESTED = "follow the tags of every table, nested ones too"
    TREE = "run fix_tables itself"


@dataclass(frozen=True, slots=True)
class _Body:
    """The template of the document body and what its rendering may need afterwards."""

    head: bytes  # document.xml up to <w:body>
    template: _XmlTemplate
    tail: bytes  # document.xml after </w:body>
    tables: _TableCheck
    spans: bool  # some table has merged cells
    drawings: bool  # wp:docPr ids to renumber

    def render(self, context: dict) -> bytes:
        """Render document.xml with `context`."""
        xml = self.template.render(context)
        data = xml.encode("utf-8")
        if _has_forbidden_characters(xml, data) or not self._tables_unchanged(xml):
            data = _fix_body_tree(xml)
        elif self.drawings:
            renumbered = _renumber_drawings(xml)
            data = _fix_body_tree(xml) if renumbered is None else renumbered.encode("utf-8")
        return b"".join((self.head, data, self.tail))

    def _tables_unchanged(self, xml: str) -> bool:
        if self.tables is _TableCheck.NONE:
            return True
        if self.tables is _TableCheck.EMPTY_TABLE:
            return _EMPTY_TABLE not in xml
        if self.tables is _TableCheck.COUNT:
            return _tables_unchanged(xml, self.spans)
        if self.tables is _TableCheck.NESTED:
            return _nested_tables_unchanged(xml)
        return False


def _fix_body_tree(xml: str) -> bytes:
    tree = _fix_tables(xml)
    # DocxTemplate.render_init starts the numbering at 1000 on every render.
    for n, elt in enumerate(tree.xpath("//wp:docPr", namespaces=nsmap), start=1001):
        elt.attrib["id"] = str(n)
    return etree.tostring(tree, encoding="UTF-8")


# Control characters XML 1.0 forbids, which docxtpl's recovering parser drops (user text pasted
# from a PDF may carry them). In UTF-8 they never occur inside another character.
_ALLOWED_BYTES = bytes(range(32, 256)) + b"\t\n\r"


def _has_forbidden_characters(xml: str, data: bytes) -> bool:
    return bool(data.translate(None, _ALLOWED_BYTES)) or "\ufffe" in xml or "\uffff" in xml


_DOCPR_TAG = re.compile(r"<wp:docPr(?=[\s/>])[^>]*>")
_ID_ATTR = re.compile(r'(?<=\s)id="[^"]*"')


def _renumber_drawings(xml: str) -> str | None:
    """Number the wp:docPr ids from 1001 as fix_docpr_ids does; None if the tags are unusual."""
    out, end, last = [], 0, 1000
    for m in _DOCPR_TAG.finditer(xml):
        attr = _ID_ATTR.search(m[0])
        if attr is None:
            return None
        last += 1
        out += (xml[end : m.start() + attr.start()], f'id="{last}"')
        end = m.start() + attr.end()
    if xml.count("docPr") != last - 1000 + xml.count("</wp:docPr>"):
        return None  # "docPr" also stands where the pattern did not look
    out.append(xml[end:])
    return "".join(out)


_EMPTY_TABLE = "</w:tblGrid></w:tbl>"
_TBL_TAG = re.compile(r"<(/?)w:tbl([ >/])")
_GRID_SPAN = re.compile(r'<w:gridSpan w:val="(\d+)"/>')
# What would make counting tags differ from lxml's view of a table: table parts wrapped in other
# elements, old properties kept by tracked changes, empty-element forms, markup that is not
# elements.
_UNUSUAL_IN_TABLE = (
    "<w:sdt", "<w:customXml", "AlternateContent", "<w:tcPrChange", "<w:tblGridChange",
    "<w:tr/", "<w:tc/", "<!--", "<?", "<![CDATA[",
)  # fmt: skip


def _countable_tables(source: str) -> bool:
    """Tell whether every table of a body template can be judged by counting its tags.

    Rendering repeats, drops and fills in pieces of the template, and autoescaping keeps
    markup out of the values, so the tables it makes are built from the template's: if those
    are not nested, have one <w:tblGrid> and nothing in `_UNUSUAL_IN_TABLE`, so have theirs.
    """
    depth = start = 0
    for m in _TBL_TAG.finditer(source):
        if m[1]:
            depth -= 1
            table = source[start : m.end()]
            if depth or table.count("<w:tblGrid") != 1 or "<w:tblGrid>" not in table:
                return False
            if any(s in table for s in _UNUSUAL_IN_TABLE):
                return False
        elif m[2] == "/" or depth:
            return False
        else:
            depth, start = 1, m.start()
    return depth == 0


def _nested_countable(source: str) -> bool:
    """Tell whether tables that nest (a row holding a table of its own) can be judged by
    following their tags: each table has one grid of its own, nothing unusual inside."""
    if any(s in source for s in _UNUSUAL_IN_TABLE):
        return False
    grids: list[int] = []  # per open table, the grids of its own
    for m in _TABLE_PART.finditer(source):
        closing, name = m[1], m[2]
        if not m[4] or (name in ("tbl", "tblGrid") and m[3].endswith("/")):
            return False
        if name == "tbl":
            if not closing:
                grids.append(0)
            elif not grids or grids.pop() != 1:
                return False
        elif name == "tblGrid" and not closing:
            if not grids:
                return False
            grids[-1] += 1
    return not grids


def _nested_tables_unchanged(xml: str) -> bool:
    """`_tables_unchanged` for tables that nest, following `DocxTemplate.fix_tables`: a table's
    rows are all the rows inside it (lxml's `iter`), nested ones too, each counted by the
    cells of its own; a cell's gridSpan belongs to the innermost open cell."""
    tables: list[list[int]] = []  # per open table: [grid columns, widest row, widest span]
    rows: list[list[int]] = []  # per open row: [cells, spanned]
    in_grid = False
    for m in _TABLE_PART.finditer(xml):
        closing, name = m[1], m[2]
        if name == "tbl":
            if not closing:
                tables.append([0, 0, 0])
                continue
            columns, widest_row, widest_span = tables.pop()
            if not widest_row <= columns <= widest_span:
                return False
        elif name == "tblGrid":
            in_grid = not closing and not m[3].endswith("/")
        elif not tables:
            return False  # a table part outside any table
        elif name == "gridCol" and in_grid:
            tables[-1][0] += 1
        elif name == "tr":
            if not closing:
                rows.append([0, 0])
                continue
            cells, spanned = rows.pop()
            for table in tables:
                table[1] = max(table[1], cells)
                table[2] = max(table[2], cells + spanned)
        elif not rows:
            if name in ("tc", "gridSpan"):
                return False  # a cell outside any row
        elif name == "tc" and not closing:
            rows[-1][0] += 1
        elif name == "gridSpan":
            value = _SPAN_VALUE.search(m[3])
            if value is None:
                return False
            rows[-1][1] += int(value[1]) - 1
    return not tables and not rows


def _tables_unchanged(xml: str, spans: bool) -> bool:
    """Tell whether `DocxTemplate.fix_tables` would leave every table of `xml` as it is.

    It adds grid columns when a row has more cells than the grid and removes some when no
    row covers the whole grid (a `{%tr for %}` over an empty list leaves no row at all).
    Counting closing tags tells the same for tables that pass `_countable_tables`.
    """
    # Each piece but the last ends with one whole table, after text without tables.
    for table in xml.split("</w:tbl>")[:-1]:
        grid = table.find("<w:tblGrid>")
        grid_end = table.find("</w:tblGrid>", grid)
        if grid == -1 or grid_end == -1:
            return False
        columns = table.count("<w:gridCol", grid, grid_end)
        widest_row = widest_span = 0
        for row in table.split("</w:tr>")[:-1]:
            cells = spanned = row.count("</w:tc>")
            if spans and "<w:gridSpan" in row:
                # fix_tables counts a cell's first gridSpan; a cell has one at most.
                values = _GRID_SPAN.findall(row)
                if len(values) != row.count("<w:gridSpan"):
                    return False
                spanned += sum(int(v) - 1 for v in values)
            widest_row = max(widest_row, cells)
            widest_span = max(widest_span, spanned)
        if not widest_row <= columns <= widest_span:
            return False
    return True


# What a template allows to know in advance. Jinja's lexer cuts the template into XML text and
# tags; following `for` and `if` blocks tells which table tags a render emits together. A table
# whose tags all sit in one block is copied whole: judged once, here. A table whose rows sit in
# blocks of their own keeps its grid, and rows are copied whole: if every row fills the grid,
# only a table left without rows changes. Anything else is counted on every render.

_TABLE_PART = re.compile(r"<(/?)w:(tbl|tblGrid|gridCol|tr|tc|gridSpan)(?=[\s/>])([^>]*)(>?)")
_INCOMPLETE_TAG = re.compile(r"</?[\w:]*")
_SPAN_VALUE = re.compile(r'\bw:val="(\d+)"')


@dataclass(frozen=True, slots=True)
class _Tag:
    """A table tag, or a Jinja tag (name "jinja", or "output" for {{ }}), in template order."""

    name: str
    closing: bool
    attrs: str
    block: tuple[int, ...]  # the Jinja blocks around it, innermost last
    start: int
    end: int


class _NotFollowed(Exception):
    """The template does something the analysis does not follow."""


def _table_check(env: Environment, source: str) -> _TableCheck:
    if _countable_tables(source):
        fallback = _TableCheck.COUNT
    elif _nested_countable(source):
        fallback = _TableCheck.NESTED
    else:
        return _TableCheck.TREE
    checks = [_TableCheck.NONE]
    try:
        # The tags of each open table, innermost last: a table nested in a cell is judged on
        # its own, and its parent on its own rows (the cell that holds it is one of them).
        open_tables: list[list[_Tag]] = []
        widest_inner: list[int] = []  # per open table, the most columns of a table inside
        for tag in _tags(env, source):
            if tag.name == "tbl" and not tag.closing:
                open_tables.append([])
                widest_inner.append(0)
            if open_tables:
                open_tables[-1].append(tag)
            if tag.name == "tbl" and tag.closing:
                table = open_tables.pop()
                checks.append(_judge_table(table))
                columns = sum(t.name == "gridCol" and not t.closing for t in table)
                # lxml's iter gives a table the rows of the tables inside it too: those must
                # not be wider than its grid.
                if widest_inner.pop() > columns:
                    raise _NotFollowed
                if widest_inner:
                    widest_inner[-1] = max(widest_inner[-1], columns)
    except _NotFollowed:
        return fallback
    return max(checks, key=list(_TableCheck).index)


def _tags(env: Environment, source: str) -> list[_Tag]:
    """List the table tags and Jinja tags of `source`, with the blocks each one is in."""
    tokens = list(env.lex(source))
    if "".join(value for _, _, value in tokens) != source:
        raise _NotFollowed  # the positions would be wrong
    ends = {"block_begin": "block_end", "variable_begin": "variable_end"}
    ends["comment_begin"] = "comment_end"
    tags: list[_Tag] = []
    blocks, fresh, pos, i = [0], itertools.count(1), 0, 0
    while i < len(tokens):
        kind, value = tokens[i][1:]
        if kind == "data":
            for m in _TABLE_PART.finditer(value):
                if not m[4]:
                    raise _NotFollowed  # the tag goes on after a Jinja tag
                start, end = pos + m.start(), pos + m.end()
                tags.append(_Tag(m[2], bool(m[1]), m[3], tuple(blocks), start, end))
            cut = value.rfind("<")
            if cut > value.rfind(">") and _INCOMPLETE_TAG.fullmatch(value[cut:]):
                raise _NotFollowed  # a tag name goes on after a Jinja tag
            pos, i = pos + len(value), i + 1
            continue
        if kind not in ends:
            raise _NotFollowed
        j = next(j for j in range(i, len(tokens)) if tokens[j][1] == ends[kind])
        inside = [(k, v) for _, k, v in tokens[i + 1 : j] if k != "whitespace"]
        if kind == "block_begin":
            keyword = inside[0][1] if inside else ""
            if keyword in ("for", "if"):
                blocks.append(next(fresh))
            elif keyword in ("elif", "else", "endfor", "endif") and len(blocks) > 1:
                blocks.pop()
                if keyword in ("elif", "else"):
                    blocks.append(next(fresh))
            elif not (keyword == "set" and ("operator", "=") in inside):
                raise _NotFollowed
        end = pos + sum(len(v) for _, _, v in tokens[i : j + 1])
        name = "output" if kind == "variable_begin" else "jinja"
        tags.append(_Tag(name, False, "", tuple(blocks), pos, end))
        pos, i = end, j + 1
    return tags


@dataclass
class _Row:
    block: tuple[int, ...]
    start: int
    cells: int = 0
    spanned: int = 0  # grid columns the cells cover


def _judge_table(table: list[_Tag]) -> _TableCheck:
    """Tell what a render must check about this table of the template."""
    opening, closing = table[0], table[-1]
    if closing.block != opening.block:
        raise _NotFollowed
    columns, grid_end, rows, row = 0, None, [], None
    between_rows = []  # what stands between the grid and the end of the table, but rows
    for tag in table[1:-1]:
        if tag.name in ("jinja", "output"):
            if row is None and grid_end is not None:
                if tag.name == "output":
                    raise _NotFollowed
                between_rows.append((tag.start, tag.end))
        elif tag.name in ("tblGrid", "gridCol"):
            if tag.block != opening.block:
                raise _NotFollowed
            columns += tag.name == "gridCol" and not tag.closing
            if tag.name == "tblGrid" and tag.closing:
                grid_end = tag.end
        elif tag.name == "tr" and not tag.closing and row is None:
            row = _Row(tag.block, tag.start)
        elif row is None or tag.block != row.block:
            raise _NotFollowed  # a row whose parts a render may emit apart
        elif tag.name == "tr":
            rows.append(row)
            between_rows.append((row.start, tag.end))
            row = None
        elif tag.name == "tc" and not tag.closing:
            row.cells += 1
            row.spanned += 1
        elif tag.name == "gridSpan" and not tag.closing:
            value = _SPAN_VALUE.search(tag.attrs)
            if value is None:
                raise _NotFollowed
            row.spanned += int(value[1]) - 1
    if row is not None or grid_end is None:
        raise _NotFollowed
    if all(row.block == opening.block for row in rows):
        # Copied whole: what fix_tables does to it, it does on every render.
        widest_row = max((row.cells for row in rows), default=0)
        widest_span = max((row.spanned for row in rows), default=0)
        fixed = widest_row <= columns <= widest_span
        return _TableCheck.NONE if fixed else _TableCheck.TREE
    if any(row.cells > columns or row.spanned < columns for row in rows):
        raise _NotFollowed
    if any(row.block == opening.block for row in rows):
        return _TableCheck.NONE  # a full row is always there
    # Only a table without rows changes; it must then read _EMPTY_TABLE.
    pos = grid_end
    for start, end in between_rows:
        if start != pos:
            raise _NotFollowed
        pos = end
    if pos != closing.start:
        raise _NotFollowed
    return _TableCheck.EMPTY_TABLE


# ---------------------------------------------------------------------------------------------
# The package: a zip written directly, so that parts which do not depend on the context are
# compressed once per template rather than once per document.

_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_CENTRAL_HEADER = struct.Struct("<4s6H3L5H2L")
_END_OF_DIRECTORY = struct.Struct("<4s4H2LH")
_VERSION = 20  # deflate; no zip64: struct.pack fails loudly on a part past 4 GiB
_MADE_BY = 3 << 8 | _VERSION  # Unix, as zipfile writes it
_DOS_DATE = 1 << 5 | 1  # 1980-01-01 00:00: the same document always has the same bytes
_FILE_MODE = 0o600 << 16
_SMALL_WINDOW, _SMALL_MEMORY = 12, 4  # 4 KiB


@dataclass(frozen=True, slots=True)
class _Member:
    """One deflated zip entry: its local header and data, and what its directory entry needs."""

    name: bytes
    flags: int
    crc: int
    size: int
    compressed_size: int
    record: bytes

    @classmethod
    def deflated(cls, name: str, content: bytes, level: int, *, small: bool = False) -> _Member:
        encoded = name.encode("utf-8")
        flags = 0 if encoded.isascii() else 0x800  # bit 11: the name is UTF-8
        # A part of a few kilobytes (the file properties) needs no 32 KiB window: setting one
        # up costs five times as much as compressing it.
        window, memory = (_SMALL_WINDOW, _SMALL_MEMORY) if small else (zlib.MAX_WBITS, 8)
        compressor = zlib.compressobj(level, zlib.DEFLATED, -window, memory)
        data = compressor.compress(content) + compressor.flush()
        crc = zlib.crc32(content)
        header = _LOCAL_HEADER.pack(
            b"PK\x03\x04", _VERSION, flags, zipfile.ZIP_DEFLATED, 0, _DOS_DATE,
            crc, len(data), len(content), len(encoded), 0,
        )  # fmt: skip
        return cls(encoded, flags, crc, len(content), len(data), header + encoded + data)

    def directory_entry(self, offset: int) -> bytes:
        header = _CENTRAL_HEADER.pack(
            b"PK\x01\x02", _MADE_BY, _VERSION, self.flags, zipfile.ZIP_DEFLATED, 0, _DOS_DATE,
            self.crc, self.compressed_size, self.size, len(self.name), 0, 0, 0, 0,
            _FILE_MODE, offset,
        )  # fmt: skip
        return header + self.name


def _zip(members: list[_Member]) -> bytes:
    records, directory, offset = [], [], 0
    for member in members:
        records.append(member.record)
        directory.append(member.directory_entry(offset))
        offset += len(member.record)
    central = b"".join(directory)
    end = _END_OF_DIRECTORY.pack(
        b"PK\x05\x06", 0, 0, len(members), len(members), len(central), offset, 0
    )
    return b"".join((*records, central, end))


# ---------------------------------------------------------------------------------------------
# A compiled template and how it is made.


@dataclass(frozen=True, slots=True)
class CompiledDocx:
    """Everything a render needs from one version of a template file, none of it mutable."""

    source: bytes
    # Zip entries in python-docx's order; None marks a part rendered for each document.
    members: tuple[tuple[str, _Member | None], ...]
    document_name: str
    body: _Body
    headers_footers: tuple[tuple[str, _XmlTemplate], ...]
    core_name: str
    core_xml: bytes
    core_properties: tuple[tuple[str, Template], ...]  # those whose value is template code
    footnotes: tuple[tuple[str, _XmlTemplate], ...]
    # The members of a document with its own properties: no thumbnail, core.xml and app.xml
    # written for each document (None, as rendered parts), their names.
    published: tuple[tuple[str, _Member | None], ...]
    app_name: str

    def render_parts(self, context: dict) -> dict[str, bytes]:
        """Render every part that depends on `context`, in `DocxTemplate.render`'s order."""
        parts = {self.document_name: self.body.render(context)}
        for name, template in self.headers_footers:
            # docxtpl reloads a rendered header through python-docx's parser, which drops
            # blank text between elements: so does this.
            xml = parse_xml(template.render(context).encode("utf-8"))
            parts[name] = serialize_part_xml(xml)
        if self.core_properties:
            element = parse_xml(self.core_xml)  # a fresh tree per render, never shared
            properties = CoreProperties(element)
            for prop, template in self.core_properties:
                setattr(properties, prop, template.render(context))
            parts[self.core_name] = serialize_part_xml(element)
        for name, template in self.footnotes:
            parts[name] = template.render(context).encode("utf-8")
        return parts

    def package(
        self,
        parts: dict[str, bytes],
        media: Mapping[str, bytes],
        properties: DocumentProperties | None = None,
    ) -> bytes:
        """Write the .docx: the static members as compressed at load, `parts` deflated now.

        A static member named in `media` takes the bytes given there instead of its own.
        With `properties`, the file says what the document is (title, language, date, body)
        instead of what the template said, and carries no thumbnail.
        """
        members, small = self.members, {}
        if properties is not None:
            members = self.published
            small = {
                self.core_name: file_properties.core_xml(properties),
                self.app_name: file_properties.app_xml(properties),
            }
        static = {name for name, member in members if member is not None}
        unknown = set(media) - static
        if unknown:
            raise KeyError(f"no such static part in the template: {', '.join(sorted(unknown))}")
        return _zip(
            [
                _Member.deflated(name, media[name], _RENDERED_LEVEL)
                if name in media
                else _Member.deflated(name, small[name], _RENDERED_LEVEL, small=True)
                if name in small
                else member or _Member.deflated(name, parts[name], _RENDERED_LEVEL)
                for name, member in members
            ]
        )


def _is_template_code(env: Environment, text: str) -> bool:
    starts = (env.block_start_string, env.variable_start_string, env.comment_start_string)
    return any(start in text for start in starts)


def xml_parts(doc: DocxDocument) -> list[tuple[str, str, str]]:
    """List (part name, kind, XML) of the parts docxtpl renders as XML, in its order.

    The body, then the headers and the footers, then the footnotes, which docxtpl renders
    once per section (so not at all without a section).
    """
    main = doc.part
    body = etree.tostring(doc.element.body, encoding="unicode")
    parts = [(main.partname.membername, "body", body)]
    for kind, reltype in (("header", RT.HEADER), ("footer", RT.FOOTER)):
        for rel in main.rels.values():
            if rel.reltype == reltype and rel.target_part.blob:
                part = rel.target_part
                xml = etree.tostring(parse_xml(part.blob), encoding="unicode")
                parts.append((part.partname.membername, kind, xml))
    if len(doc.sections):
        for part in main.package.iter_parts():
            if part.content_type == CT.WML_FOOTNOTES:
                xml = part.blob.decode("utf-8") if isinstance(part.blob, bytes) else part.blob
                parts.append((part.partname.membername, "footnotes", xml))
    return parts


_RELS = "_rels/.rels"
_CONTENT_TYPES = "[Content_Types].xml"


def _published(
    members: tuple[tuple[str, _Member | None], ...], package: zipfile.ZipFile, core_name: str
) -> tuple[tuple[tuple[str, _Member | None], ...], str]:
    """The members of a document that carries its own properties, and the app.xml name.

    The package relationships and content types lose the thumbnail and gain app.xml where
    the template has none; core.xml and app.xml are rendered for each document.
    """
    rels, thumbnail, app_name = file_properties.package_relationships(package.read(_RELS))
    types = file_properties.content_types(package.read(_CONTENT_TYPES), thumbnail, app_name)
    published: list[tuple[str, _Member | None]] = []
    for name, member in members:
        if name == thumbnail:
            continue
        if name == _RELS:
            member = _Member.deflated(name, rels, _STATIC_LEVEL)
        elif name == _CONTENT_TYPES:
            member = _Member.deflated(name, types, _STATIC_LEVEL)
        elif name in (core_name, app_name):
            member = None
        published.append((name, member))
    if app_name not in {name for name, _ in published}:
        after_core = [name for name, _ in published].index(core_name) + 1
        published.insert(after_core, (app_name, None))
    return tuple(published), app_name


def load(source: bytes) -> CompiledDocx:
    """Read, preprocess and compile a .docx template: everything a render needs from it."""
    env = environment()
    doc = Document(BytesIO(source))
    main = doc.part
    (_, _, body_xml), *others = xml_parts(doc)
    body = _XmlTemplate.compile(env, body_xml)

    headers_footers: dict[str, _XmlTemplate] = {}
    constant: dict[str, bytes] = {}  # parts docxtpl renders that come out the same every time
    footnotes = {}
    for name, kind, xml in others:
        template = _XmlTemplate.compile(env, xml)
        if kind == "footnotes":
            # docxtpl renders the footnotes once per section, each time rendering the
            # previous output again; rendered once here (see the tests).
            footnotes[name] = template
        elif _is_template_code(env, xml):
            headers_footers[name] = template
        else:  # a page number, say: rendered once, as docxtpl renders it every time
            rendered_xml = parse_xml(template.render({}).encode("utf-8"))
            constant[name] = serialize_part_xml(rendered_xml)

    # Reading the properties makes python-docx add the part if the file has none, as it does
    # in docxtpl's render. Setting all six in docxtpl's order adds the missing elements in the
    # same order; a value that is not template code renders to itself (as Jinja reads it).
    # python-docx escapes what it is given, so these render without autoescaping (docxtpl's
    # render_properties, with an autoescaping environment, escapes them twice).
    properties = doc.core_properties
    text_env = text_environment()
    dynamic = []
    for prop in _CORE_PROPERTIES:
        value = getattr(properties, prop)
        ast = text_env.parse(value)
        _refuse_outside_the_subset(ast)
        template = text_env.from_string(ast)
        if _is_template_code(env, value):
            dynamic.append((prop, template))
        else:
            value = template.render()
        setattr(properties, prop, value)
    core_part = main.package.part_related_by(RT.CORE_PROPERTIES)

    rendered = {main.partname.membername, *headers_footers, *footnotes}
    if dynamic:
        rendered.add(core_part.partname.membername)
    saved = BytesIO()
    doc.save(saved)  # python-docx's own package: its parts, names, order and content types
    with zipfile.ZipFile(saved) as package:
        members = tuple(
            (
                info.filename,
                None
                if info.filename in rendered
                else _Member.deflated(
                    info.filename,
                    constant.get(info.filename) or package.read(info),
                    _STATIC_LEVEL,
                ),
            )
            for info in package.infolist()
        )

    with zipfile.ZipFile(saved) as package:
        published, app_name = _published(members, package, core_part.partname.membername)

    root = doc.element
    marker = etree.Comment("docgen body")
    root.replace(root.body, marker)
    head, found, tail = serialize_part_xml(root).partition(etree.tostring(marker))
    assert found, "the body marker is in the serialized document"

    return CompiledDocx(
        source=source,
        members=members,
        document_name=main.partname.membername,
        body=_Body(
            head=head,
            template=body,
            tail=tail,
            tables=_table_check(env, body.source),
            spans="<w:gridSpan" in body.source,
            drawings="docPr" in body.source,
        ),
        headers_footers=tuple(headers_footers.items()),
        core_name=core_part.partname.membername,
        core_xml=core_part.blob,
        core_properties=tuple(dynamic),
        footnotes=tuple(footnotes.items()),
        published=published,
        app_name=app_name,
    )
