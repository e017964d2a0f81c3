"""The file's own metadata: what a document-flow system reads from docProps of the .docx.

Each produced zip is opened: core.xml and app.xml must describe the document (title, subject
and language in its language, its issuing body, its own date), never the template's history
(python-docx's 2013 date and description, «Microsoft Macintosh Word», a thumbnail).
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from lxml import etree

from service.domain.properties import SERVICE, DocumentProperties
from service.generation import generate_document
from service.rendering import render_file

ROOT = Path(__file__).resolve().parent.parent
NS = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
}
KYRGYZ_LETTERS = set("өүңӨҮҢ")
EXAMPLES = [
    ("working-group-order", "uch-korgon-order.json", date(2015, 6, 26)),
    ("joint-plan", "uch-korgon-plan.json", date(2016, 1, 1)),
    ("joint-plan", "sverdlovsky-plan.json", date(2018, 2, 1)),
    ("annual-report", "uch-korgon-report.json", date(2017, 1, 25)),
]


def example(name: str, language: str) -> dict:
    payload = json.loads((ROOT / "examples" / name).read_text(encoding="utf-8"))
    return {**payload, "language": language}


def part(content: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        return etree.fromstring(package.read(name))


def one(root: etree._Element, path: str) -> str:
    (found,) = root.xpath(path, namespaces=NS)
    return found.text or ""


@pytest.mark.parametrize("language", ["ky+ru", "ky", "ru"])
@pytest.mark.parametrize(("kind", "name", "day"), EXAMPLES)
def test_core_and_app_properties_describe_the_document(kind, name, day, language):
    payload = example(name, language)
    content = generate_document(kind, payload).content
    core, app = part(content, "docProps/core.xml"), part(content, "docProps/app.xml")
    original = language.split("+")[0]  # a bilingual document: its Kyrgyz original
    body = payload["issuer"]["body"] if "issuer" in payload else payload["plan"]["issuer"]["body"]

    assert one(core, "dc:language") == {"ky": "ky-KG", "ru": "ru-RU"}[original]
    title, subject = one(core, "dc:title"), one(core, "dc:subject")
    assert title and subject and "\n" not in title
    # Kyrgyz: its own letters, or «боюнча» (a title may have no ө, ү, ң).
    kyrgyz = bool(KYRGYZ_LETTERS & set(title + subject)) or " боюнча " in title
    assert kyrgyz == (original == "ky"), (title, subject)
    assert one(core, "dcterms:created") == one(core, "dcterms:modified") == f"{day}T00:00:00Z"
    assert one(core, "dc:creator") == body[original]
    assert one(core, "cp:lastModifiedBy") == SERVICE
    assert not core.xpath("dc:description", namespaces=NS)
    assert one(app, "ep:Application") == SERVICE
    assert one(app, "ep:Company") == body[original]
    assert not app.xpath("ep:AppVersion | ep:Template | ep:Pages", namespaces=NS)
    for text in (b"python-docx", b"Microsoft", b"2013-12-23", b"docgen-kg"):
        raw = zipfile.ZipFile(io.BytesIO(content)).read("docProps/core.xml")
        assert (text in raw) == (text == b"docgen-kg")


@pytest.mark.parametrize(("kind", "name", "day"), EXAMPLES)
def test_no_thumbnail_and_every_relationship_resolves(kind, name, day):
    content = generate_document(kind, example(name, "ky+ru")).content
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        names = set(package.namelist())
        assert package.testzip() is None
    assert not any("thumbnail" in n for n in names)
    rels = part(content, "_rels/.rels")
    targets = {r.get("Target").lstrip("/") for r in rels.xpath("rel:Relationship", namespaces=NS)}
    assert targets <= names and {"docProps/core.xml", "docProps/app.xml"} <= targets
    overrides = {
        o.get("PartName").lstrip("/")
        for o in part(content, "[Content_Types].xml").xpath("ct:Override", namespaces=NS)
    }
    assert overrides <= names


def test_python_docx_reads_the_properties():
    content = generate_document(*[EXAMPLES[0][0], example(EXAMPLES[0][1], "ru")]).content
    properties = Document(io.BytesIO(content)).core_properties
    assert properties.language == "ru-RU"
    assert properties.created.date() == properties.modified.date() == date(2015, 6, 26)
    assert properties.title.startswith("О создании группы")
    assert properties.subject == "Распоряжение № 03-12/146-Б, 26 июня 2015 г."
    assert properties.comments == ""


def test_same_input_same_bytes_and_the_date_is_the_documents():
    payload = example("uch-korgon-order.json", "ky+ru")
    first = generate_document("working-group-order", payload).content
    assert generate_document("working-group-order", payload).content == first
    later = generate_document("working-group-order", {**payload, "date": "2015-07-01"}).content
    core = part(later, "docProps/core.xml")
    assert one(core, "dcterms:created") == "2015-07-01T00:00:00Z"


def test_a_template_with_a_thumbnail_and_no_app_part(tmp_path):
    # python-docx's own default package carries a thumbnail, custom XML and the 2013 dates.
    doc = Document()
    doc.add_paragraph("{{ title }}")
    path = tmp_path / "plain.docx"
    doc.save(path)
    with zipfile.ZipFile(path) as source:
        assert "docProps/thumbnail.jpeg" in source.namelist()
        # Drop app.xml, its relationship and content type: a template made by another tool.
        stripped = tmp_path / "stripped.docx"
        with zipfile.ZipFile(stripped, "w") as out:
            for info in source.infolist():
                data = source.read(info)
                if info.filename == "docProps/app.xml":
                    continue
                if info.filename in ("_rels/.rels", "[Content_Types].xml"):
                    root = etree.fromstring(data)
                    for node in list(root):
                        if "app.xml" in (node.get("Target", "") + node.get("PartName", "")):
                            root.remove(node)
                    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
                out.writestr(info, data)
    properties = DocumentProperties(
        "Заголовок & «кавычки»", "Тема", "ru", date(2020, 5, 4), "Орган"
    )
    for template in (path, stripped):
        content = render_file(template, {"title": "x"}, None, properties)
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            names = package.namelist()
        assert "docProps/thumbnail.jpeg" not in names and "docProps/app.xml" in names
        assert names.index("docProps/app.xml") == names.index("docProps/core.xml") + 1
        read = Document(io.BytesIO(content)).core_properties
        assert read.title == "Заголовок & «кавычки»" and read.author == "Орган"
        assert one(part(content, "docProps/app.xml"), "ep:Company") == "Орган"
        # Without properties the package is the template's, as docxtpl would write it.
        plain = render_file(template, {"title": "x"})
        assert "docProps/thumbnail.jpeg" in zipfile.ZipFile(io.BytesIO(plain)).namelist()
