"""Load steps: what the renderer adds to a template once, when it loads it.

A template author writes Word text and docxtpl tags; the mechanics of a bilingual document are
added here, so that no author has to know them and nothing is redone per document:

* Language tags per part. Every run inside the `{%p for part in parts %}` loop is tagged
  ky-KG when `part.lang == 'ky'` (a w:lang of its own is replaced); Russian parts inherit the
  ru-RU of the Normal style. The loop's body is compiled twice, with and without the tags,
  and one `part.lang == 'ky'` per part chooses, so the tags cost a render nothing.
* Page numbers per part. The first section of each language part has a title page (no number
  on its first page) and numbers its pages from 1; its other sections go on numbering. Every
  section gets the header and footer references of the document's last section (the one
  Word keeps in w:body), so that a part rendered alone still has its page numbers. Not the
  first section's: LibreOffice saves a one-page first section with its first-page header as
  its only header.
* Section breaks off tag paragraphs. LibreOffice drops the empty paragraph that carries a
  section break in Word and puts the break on the paragraph before, which may be a `{%p %}`
  tag paragraph that docxtpl removes whole, break included; such a break is moved into an
  empty paragraph of its own right after the tag (a 1-pt mark, never a page of its own).
* `{% keepnext EXPR %}`, typed anywhere in a paragraph (like docxtpl's `{% vm %}`), is taken
  out of the text and decides the paragraph's keep-with-next:
  `<w:keepNext w:val="{{ 'true' if (EXPR) else 'false' }}"/>`. It is applied after
  docxtpl's `patch_xml`, which joins a tag that Word split across runs.

`prepare_xml` is the whole preprocessing of one part: structure steps, `patch_xml`, keepnext.
"""

from __future__ import annotations

import re
from copy import deepcopy

from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from lxml import etree

PARTS_LOOP = re.compile(r"\{%-?p\s+for\s+part\s+in\s+parts\s*-?%\}")
_P_FOR = re.compile(r"\{%-?p\s+for\s")
_P_ENDFOR = re.compile(r"\{%-?p\s+endfor\s*-?%\}")
KEEPNEXT = re.compile(r"\{%-?\s*keepnext\s+(.+?)\s*-?%\}", re.DOTALL)

W_P, W_R, W_T, W_RPR, W_PPR = qn("w:p"), qn("w:r"), qn("w:t"), qn("w:rPr"), qn("w:pPr")
W_LANG, W_SECTPR, W_VAL = qn("w:lang"), qn("w:sectPr"), qn("w:val")
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

# Children of w:rPr that come after w:lang in the schema (CT_RPr).
_AFTER_LANG = {qn(t) for t in ("w:eastAsianLayout", "w:specVanish", "w:oMath", "w:rPrChange")}
# Children of w:sectPr after w:pgNumType, and after w:titlePg (CT_SectPr).
_AFTER_TITLE_PG = ("w:textDirection", "w:bidi", "w:rtlGutter", "w:docGrid", "w:printerSettings",
                   "w:sectPrChange")  # fmt: skip
_AFTER_PG_NUM_TYPE = {qn(t) for t in ("w:cols", "w:formProt", "w:vAlign", "w:noEndnote",
                                      "w:titlePg", *_AFTER_TITLE_PG)}  # fmt: skip
_AFTER_TITLE_PG = {qn(t) for t in _AFTER_TITLE_PG}
_REFERENCES = {qn("w:headerReference"), qn("w:footerReference")}


def prepare_xml(xml: str) -> str:
    """Return what Jinja compiles for one part: load steps around docxtpl's `patch_xml`."""
    # A tag may be split across runs, but these words are always there.
    if "parts" in xml or "<w:sectPr" in xml:
        xml = _structure_steps(xml)
    patched = DocxTemplate.patch_xml(None, xml)
    return _keep_next(patched) if "keepnext" in patched else patched


def paragraph_text(p: etree._Element) -> str:
    """Return the text of a paragraph as Word shows it (its w:t elements joined)."""
    return "".join(t.text or "" for t in p.iter(W_T))


# ---------------------------------------------------------------------------------------------
# Structure steps: on the part's XML tree, before docxtpl's patch_xml.


def _structure_steps(xml: str) -> str:
    root = etree.fromstring(xml)
    moved = _breaks_off_tags(root)
    children = list(root)
    loop = _parts_loop(children)
    if loop is None:
        return etree.tostring(root, encoding="unicode") if moved else xml
    start, end = loop
    inside = children[start + 1 : end]
    breaks = [p.find(f"{W_PPR}/{W_SECTPR}") for p in inside if p.tag == W_P]
    breaks = [sect for sect in breaks if sect is not None]
    final = root.find(W_SECTPR)
    sections = [s for s in (*_sections_before(children[:start]), *breaks, final) if s is not None]
    # A part starts in the section the first break inside the loop closes; with at most one
    # break, the last part's only section is the one the document's final section closes.
    starts = {id(s) for s in breaks[:1]}
    if final is not None and len(breaks) <= 1:
        starts.add(id(final))
    for sect in breaks + ([final] if final is not None else []):
        _number_pages(sect, first=id(sect) in starts)
    _share_references(sections)
    # The loop's body twice, with and without the Kyrgyz tags, chosen once per part: a test
    # per run would cost a render a fifth more (`{% if %}` and three outputs instead of one).
    kyrgyz = [deepcopy(child) for child in inside]
    for child in kyrgyz:
        for run in child.iter(W_R):
            _set_language(run, "ky-KG")
    for child in inside:
        for run in child.iter(W_R):
            _set_language(run, None)
    children[start].addnext(_paragraph("{%p if part.lang == 'ky' %}"))
    children[start].getnext().addnext(_paragraph("{%p else %}"))
    for child in reversed(kyrgyz):
        children[start].getnext().addnext(child)
    children[end].addprevious(_paragraph("{%p endif %}"))
    return etree.tostring(root, encoding="unicode")


def _parts_loop(children: list[etree._Element]) -> tuple[int, int] | None:
    """The indexes of the paragraphs `{%p for part in parts %}` and its `{%p endfor %}`."""
    texts = [paragraph_text(c) if c.tag == W_P else "" for c in children]
    start = next((i for i, text in enumerate(texts) if PARTS_LOOP.search(text)), None)
    if start is None:
        return None
    depth = 0
    for i in range(start, len(texts)):
        depth += len(_P_FOR.findall(texts[i])) - len(_P_ENDFOR.findall(texts[i]))
        if depth <= 0:
            return start, i
    return None


_TAG_PARAGRAPH = re.compile(r"\{[%{]-?p\s")


def _breaks_off_tags(root: etree._Element) -> bool:
    """Move section breaks off `{%p %}` paragraphs into paragraphs of their own."""
    moved = False
    for p in root.findall(W_P):
        sect = p.find(f"{W_PPR}/{W_SECTPR}")
        if sect is not None and _TAG_PARAGRAPH.search(paragraph_text(p)):
            carrier = etree.fromstring(
                f'<w:p xmlns:w="{W_NS}"><w:pPr><w:spacing w:before="0" w:after="0"/><w:rPr>'
                '<w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr></w:pPr></w:p>'
            )
            carrier[0].append(sect)  # moves it
            p.addnext(carrier)
            moved = True
    return moved


def _sections_before(children: list[etree._Element]) -> list[etree._Element]:
    found = (p.find(f"{W_PPR}/{W_SECTPR}") for p in children if p.tag == W_P)
    return [sect for sect in found if sect is not None]


def _paragraph(text: str) -> etree._Element:
    p = etree.Element(W_P)
    etree.SubElement(etree.SubElement(p, W_R), W_T).text = text
    return p


def _set_language(run: etree._Element, language: str | None) -> None:
    """Tag `run` with `language` (its own w:lang replaced), or with none: the style's."""
    rpr = run.find(W_RPR)
    if rpr is None and language is None:
        return
    if rpr is None:
        rpr = etree.Element(W_RPR)
        run.insert(0, rpr)
    for old in rpr.findall(W_LANG):
        _remove_keeping_tail(old)
    if language is not None:
        lang = etree.Element(W_LANG)
        lang.set(W_VAL, language)
        after = next((c for c in rpr if c.tag in _AFTER_LANG), None)
        if after is None:
            rpr.append(lang)
        else:
            after.addprevious(lang)


def _remove_keeping_tail(element: etree._Element) -> None:
    parent, tail = element.getparent(), element.tail or ""
    previous = element.getprevious()
    if previous is None:
        parent.text = (parent.text or "") + tail
    else:
        previous.tail = (previous.tail or "") + tail
    parent.remove(element)


def _number_pages(sect: etree._Element, *, first: bool) -> None:
    """Number a part's pages from 1 with a title page (`first`), or go on numbering."""
    title = sect.find(qn("w:titlePg"))
    number = sect.find(qn("w:pgNumType"))
    if not first:
        if title is not None:
            sect.remove(title)
        if number is not None:
            number.attrib.pop(qn("w:start"), None)
            if not number.attrib:
                sect.remove(number)
        return
    if title is None:
        _insert_before(sect, etree.Element(qn("w:titlePg")), _AFTER_TITLE_PG)
    else:
        title.attrib.pop(W_VAL, None)
    if number is None:
        number = etree.Element(qn("w:pgNumType"))
        _insert_before(sect, number, _AFTER_PG_NUM_TYPE)
    number.set(qn("w:start"), "1")


def _insert_before(parent: etree._Element, element: etree._Element, later: set[str]) -> None:
    after = next((c for c in parent if c.tag in later), None)
    if after is None:
        parent.append(element)
    else:
        after.addprevious(element)


def _share_references(sections: list[etree._Element]) -> None:
    """Give every section the header and footer references of the last that has any."""
    source = next((s for s in reversed(sections) if any(c.tag in _REFERENCES for c in s)), None)
    if source is None:
        return
    references = [c for c in source if c.tag in _REFERENCES]
    for sect in sections:
        if sect is source:
            continue
        for old in [c for c in sect if c.tag in _REFERENCES]:
            sect.remove(old)
        for reference in reversed(references):
            sect.insert(0, deepcopy(reference))


# ---------------------------------------------------------------------------------------------
# The keepnext step: on the patched XML text, where Word's split tags are already joined.

_PARAGRAPH_OPEN = re.compile(r"<w:p[ >]")
_PPR = re.compile(r"<w:pPr(?: [^>]*)?(/?)>")
_OLD_KEEP_NEXT = re.compile(r"<w:keepNext(?: [^>]*)?/>")
_PSTYLE = re.compile(r"<w:pStyle [^>]*/>")
_EMPTY_RUN = re.compile(
    r"<w:r(?: [^>]*)?>(?:<w:rPr>(?:(?!</w:rPr>).)*</w:rPr>)?<w:t(?: [^>]*)?></w:t></w:r>$",
    re.DOTALL,
)


def _keep_next(xml: str) -> str:
    # From the last tag to the first, so that each edit leaves earlier offsets valid.
    for m in reversed(list(KEEPNEXT.finditer(xml))):
        opening = max((o for o in _PARAGRAPH_OPEN.finditer(xml, 0, m.start())), default=None,
                      key=lambda o: o.start())  # fmt: skip
        if opening is None:
            continue  # not in a paragraph: Jinja reports the unknown tag
        flag = f"<w:keepNext w:val=\"{{{{ 'true' if ({m[1]}) else 'false' }}}}\"/>"
        xml = _drop_empty_run(xml[: m.start()], xml[m.end() :])
        head_end = xml.index(">", opening.start()) + 1
        ppr = _PPR.match(xml, head_end)
        if ppr is None:
            xml = f"{xml[:head_end]}<w:pPr>{flag}</w:pPr>{xml[head_end:]}"
        elif ppr[1]:  # <w:pPr/>
            xml = f"{xml[: ppr.start()]}<w:pPr>{flag}</w:pPr>{xml[ppr.end() :]}"
        else:
            close = xml.index("</w:pPr>", ppr.end())
            inner = _OLD_KEEP_NEXT.sub("", xml[ppr.end() : close])
            style = _PSTYLE.match(inner)  # keepNext follows pStyle, before everything else
            cut = style.end() if style else 0
            xml = f"{xml[: ppr.end()]}{inner[:cut]}{flag}{inner[cut:]}{xml[close:]}"
    return xml


def _drop_empty_run(before: str, after: str) -> str:
    """Join the text around a removed tag; a run it leaves empty goes too."""
    if after.startswith("</w:t></w:r>"):
        start = max(before.rfind("<w:r>"), before.rfind("<w:r "))
        if start != -1 and _EMPTY_RUN.match(before[start:] + "</w:t></w:r>"):
            return before[:start] + after[len("</w:t></w:r>") :]
    return before + after
