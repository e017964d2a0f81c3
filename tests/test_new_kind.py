"""A new kind of document is a folder, a schema module, a template, a registry line, its
catalog entries and an example: nothing else in the service changes.

The test copies the service, adds a throwaway kind «meeting-note» in exactly those places, and
renders it through the command line and through the HTTP API of the copy.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from docx import Document

from tests.conftest import ROOT

CONTEXT = '''\
"""Context of the meeting note: one part per language."""

from service.i18n import Phrases


def build_context(note) -> dict:
    return {
        "parts": [
            {"lang": lang, "heading": Phrases(lang).gettext("MEETING NOTE"),
             "title": note.title[lang]}
            for lang in note.language.parts
        ]
    }


def file_stem(note) -> str:
    return f"note {note.title.ru or note.title.ky}"
'''

MODEL = '''\
"""The meeting note: a title."""

from dataclasses import dataclass

from service.domain.common import Bilingual, Language


@dataclass(frozen=True)
class MeetingNote:
    language: Language
    title: Bilingual
'''

SCHEMA = '''\
"""Input of the meeting note."""

from marshmallow import post_load

from service.kinds.meeting_note.model import MeetingNote
from service.schemas.common import DocumentSchema, bilingual


class MeetingNoteSchema(DocumentSchema):
    title = bilingual(required=True)

    @post_load
    def make(self, data, **kwargs):
        return MeetingNote(**data)
'''

REGISTRY_LINE = (
    '        DocumentKind("meeting-note", url="meeting-notes", schema_class="MeetingNoteSchema",\n'
    '                     examples=("meeting-note.json",)),\n'
)

CATALOG = {"ky": "ЖЫЙЫНДЫН КАТТАМАСЫ", "ru": "ЗАПИСКА О ВСТРЕЧЕ"}

API_SCRIPT = textwrap.dedent(
    """
    import json, sys, time
    from service import create_app
    from service.db import upgrade

    url = f"sqlite:///{sys.argv[1]}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url})
    from service import accounts, extensions
    with extensions.db(app).session() as session:
        accounts.create_organisation(session, "Office", "district", "office")
        user = accounts.create_admin(session, "office", "admin", None)
        _token, secret = accounts.issue_token(
            session, user, "test", read_only=False, expires_at=None
        )
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    spec = client.get("/api/openapi.json").get_json()
    response = client.post("/api/v1/documents/meeting-notes", json=json.loads(sys.argv[2]))
    assert response.status_code == 202, response.get_json()
    job = response.get_json()
    for _ in range(600):
        status = client.get(job["links"]["self"]).get_json()
        if status["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert status["status"] == "done", status
    with open(sys.argv[3], "wb") as out:
        out.write(client.get(job["links"]["file"]).data)
    print(json.dumps(sorted(spec["paths"])))
    """
)


def _template(path: Path) -> None:
    doc = Document()
    for text in (
        "{%p for part in parts %}",
        "{{ part.heading }}",
        "{{ part.title }}",
        "{%p endfor %}",
    ):
        doc.add_paragraph(text)
    doc.save(path)


def _add_catalog_entries(service: Path) -> None:
    for lang, text in CATALOG.items():
        po = service / "i18n" / lang / "LC_MESSAGES" / "documents.po"
        with po.open("a", encoding="utf-8") as fh:
            fh.write(f'\nmsgid "MEETING NOTE"\nmsgstr "{text}"\n')


@pytest.fixture(scope="module")
def copy_with_new_kind(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("service-copy")
    shutil.copytree(
        ROOT / "service", root / "service", ignore=shutil.ignore_patterns("__pycache__")
    )
    service = root / "service"
    folder = service / "kinds" / "meeting_note"
    folder.mkdir()
    (folder / "__init__.py").write_text('"""The meeting note."""\n', encoding="utf-8")
    (folder / "model.py").write_text(MODEL, encoding="utf-8")
    (folder / "context.py").write_text(CONTEXT, encoding="utf-8")
    (service / "schemas" / "meeting_note.py").write_text(SCHEMA, encoding="utf-8")
    _template(service / "templates_docx" / "meeting-note.docx")
    registry = service / "kinds" / "__init__.py"
    source = registry.read_text(encoding="utf-8")
    anchor = "    )\n}\n"
    assert source.count(anchor) == 1, "the KINDS tuple ends as expected"
    registry.write_text(source.replace(anchor, REGISTRY_LINE + anchor), encoding="utf-8")
    _add_catalog_entries(service)
    (root / "examples").mkdir()
    (root / "examples" / "meeting-note.json").write_text(
        json.dumps(PAYLOAD, ensure_ascii=False), encoding="utf-8"
    )
    return root


def _run(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [sys.executable, *args], cwd=root, env=env, capture_output=True, text=True, check=False
    )


def _texts(path: Path) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs if p.text]


PAYLOAD = {
    "language": "ky+ru",
    "title": {"ky": "Коопсуздук жыйыны", "ru": "Встреча о безопасности"},
}
EXPECTED = [
    "ЖЫЙЫНДЫН КАТТАМАСЫ",
    "Коопсуздук жыйыны",
    "ЗАПИСКА О ВСТРЕЧЕ",
    "Встреча о безопасности",
]


def test_a_new_kind_renders_from_the_command_line(copy_with_new_kind, tmp_path):
    source, out = tmp_path / "note.json", tmp_path / "note.docx"
    source.write_text(json.dumps(PAYLOAD, ensure_ascii=False), encoding="utf-8")
    done = _run(copy_with_new_kind, "-m", "service.cli", "render", "meeting-note", str(source),
                "-o", str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert _texts(out) == EXPECTED


def test_the_template_of_a_new_kind_is_linted_against_its_example(copy_with_new_kind):
    template = str(copy_with_new_kind / "service" / "templates_docx" / "meeting-note.docx")
    done = _run(copy_with_new_kind, "-m", "service.cli", "templates", "lint", template,
                "--kind", "meeting-note")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "no problems found" in done.stdout


def test_a_new_kind_is_served_by_the_api(copy_with_new_kind, tmp_path):
    out = tmp_path / "note.docx"
    done = _run(copy_with_new_kind, "-c", API_SCRIPT, str(tmp_path / "db.sqlite3"),
                json.dumps(PAYLOAD), str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "/api/v1/documents/meeting-notes" in json.loads(done.stdout.splitlines()[-1])
    assert _texts(out) == EXPECTED
