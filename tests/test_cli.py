"""The command line renders without a server, with the same validation as the API."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from service.i18n import catalog_path
from tests.conftest import EXAMPLES, ROOT
from tests.docx_reading import open_docx, paragraphs
from tests.stack import services_missing


def docgen(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_render_the_seed_order(tmp_path):
    out = tmp_path / "order.docx"
    result = docgen(
        "render", "working-group-order", str(EXAMPLES / "uch-korgon-order.json"), "-o", str(out)
    )
    assert result.returncode == 0, result.stderr
    text = paragraphs(open_docx(out.read_bytes()))
    assert "БУЙРУК КЫЛАМ:" in text and "РАСПОРЯЖАЮ:" in text


def test_language_override(tmp_path):
    out = tmp_path / "order.docx"
    result = docgen(
        "render", "working-group-order", str(EXAMPLES / "uch-korgon-order.json"),
        "-o", str(out), "--language", "ru",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = paragraphs(open_docx(out.read_bytes()))
    assert "РАСПОРЯЖАЮ:" in text and "БУЙРУК КЫЛАМ:" not in text


def test_invalid_input_lists_the_fields(tmp_path):
    data = json.loads((EXAMPLES / "uch-korgon-order.json").read_text(encoding="utf-8"))
    data["members"][1]["position"] = {"ru": "инспектор"}
    source = tmp_path / "bad.json"
    source.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "bad.docx"
    result = docgen("render", "working-group-order", str(source), "-o", str(out))
    assert result.returncode == 2
    assert "members.1.position.ky: Missing Kyrgyz text." in result.stderr
    assert not out.exists()


def test_malformed_json(tmp_path):
    source = tmp_path / "broken.json"
    source.write_text("{", encoding="utf-8")
    result = docgen("render", "working-group-order", str(source), "-o", str(tmp_path / "x.docx"))
    assert result.returncode == 1 and "not valid JSON" in result.stderr


def test_plan_warnings_are_printed(tmp_path):
    plan = json.loads((EXAMPLES / "uch-korgon-plan.json").read_text(encoding="utf-8"))
    plan["problems"].pop()
    source = tmp_path / "plan.json"
    source.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "plan.docx"
    result = docgen("render", "joint-plan", str(source), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "warning: A plan usually has 4 or 5 priority problems; this one has 3." in result.stderr
    assert out.stat().st_size > 0


def test_templates_lint_passes_a_shipped_template_and_names_what_is_wrong_in_another(tmp_path):
    from docx import Document

    shipped = ROOT / "service" / "templates_docx" / "working-group-order.docx"
    result = docgen("templates", "lint", str(shipped), "--kind", "working-group-order")
    assert result.returncode == 0, result.stderr

    doc = Document(str(shipped))
    doc.add_paragraph("{{ part.head_nmae }}")  # a typo a template author makes
    broken = tmp_path / "broken.docx"
    doc.save(broken)
    result = docgen("templates", "lint", str(broken), "--kind", "working-group-order")
    assert result.returncode == 1
    assert "head_nmae" in result.stderr and "paragraph" in result.stderr


def test_version_and_a_help_that_loads_nothing_of_the_service():
    result = docgen("--version")
    assert result.returncode == 0 and result.stdout.startswith("docgen, version ")
    probe = (
        "import sys\n"
        "from service.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = {'flask', 'sqlalchemy', 'docxtpl', 'docx', 'marshmallow', 'babel', 'openpyxl'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "batch" in result.stdout and result.stdout.strip().endswith("[]"), result.stdout


def _archive(path):
    archive = zipfile.ZipFile(path)
    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    return archive, manifest


@pytest.mark.parametrize("suffix", ["json", "csv", "xlsx"])
def test_batch_of_the_example_without_a_server(tmp_path, suffix):
    out = tmp_path / "batch.zip"
    source = EXAMPLES / f"sverdlovsky-batch.{suffix}"
    result = docgen("batch", str(source), "--kind", "working-group-order", "-o", str(out))
    assert result.returncode == 0, result.stderr
    archive, manifest = _archive(out)
    assert len(manifest) == 6 and {m["status"] for m in manifest} == {"done"}
    first = 1 if suffix == "json" else 2  # a sheet's rows: the header is row 1
    assert int(manifest[0]["item"]) == first
    assert manifest[0]["number"] == "01-07/31" and manifest[0]["file"].startswith(f"{first:04d}_")
    document = open_docx(archive.read(manifest[0]["file"]))
    assert "ТЕСКЕМЕ" in paragraphs(document) and "РАСПОРЯЖЕНИЕ" in paragraphs(document)
    assert sorted(archive.namelist()) == sorted([m["file"] for m in manifest] + ["manifest.csv"])


def test_batch_names_the_bad_row_in_the_users_language(tmp_path):
    lines = (EXAMPLES / "sverdlovsky-batch.csv").read_text(encoding="utf-8-sig").splitlines()
    header = next(csv.reader([lines[0]]))
    bad = next(csv.reader([lines[2]]))
    bad[header.index("date")] = "not a date"
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(
        [header, next(csv.reader([lines[1]])), bad, *csv.reader(lines[3:])]
    )
    source = tmp_path / "batch.csv"
    source.write_text(text.getvalue(), encoding="utf-8")
    out = tmp_path / "batch.zip"
    result = docgen(
        "--ui-language", "ru", "batch", str(source), "--kind", "working-group-order",
        "-o", str(out),
    )  # fmt: skip
    assert result.returncode == 1
    assert "строка 3: date:" in result.stderr, result.stderr
    assert "создано документов: 5 из 6" in result.stdout
    _archive_file, manifest = _archive(out)
    refused = [m for m in manifest if m["status"] == "invalid"]
    assert [m["item"] for m in refused] == ["3"] and refused[0]["error"].startswith("date:")
    assert refused[0]["file"] == ""


def test_messages_follow_the_locale(tmp_path):
    source = tmp_path / "broken.json"
    source.write_text("{", encoding="utf-8")
    environ = {**os.environ, "LANG": "ky_KG.UTF-8"}
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        environ.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "batch", str(source), "-o", str(tmp_path / "x.zip")],
        capture_output=True, text=True, cwd=ROOT, timeout=120, env=environ,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith("Ката: ") and "JSON туура эмес" in result.stderr
    assert not (tmp_path / "x.zip").exists()


def _cli_catalog(lang: str) -> set[str]:
    with catalog_path(lang, "cli").open("rb") as fp:
        return {
            m.id if isinstance(m.id, str) else m.id[0]
            for m in read_po(fp, locale=lang)
            if m.id and (m.string if isinstance(m.string, str) else all(m.string))
        }


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_every_phrase_of_the_command_line_is_translated(lang):
    used = {
        message
        for _line, message, _comments, _context in extract_from_file(
            "python", str(ROOT / "service" / "cli.py"), keywords={"say": None}
        )
    }
    catalog = _cli_catalog(lang)
    assert len(used) > 30 and not used - catalog, sorted(used - catalog)


# click's phrases that only a program's author sees (a command declared wrongly), and the
# `--version` line («docgen, version 0.1.0»), made once when the commands are declared.
_AUTHORS_ONLY = re.compile(
    r"DeprecationWarning|defined twice|Boolean option|Could not determine|No options defined|"
    r"Arguments take exactly|Unknown color|Choice\(|Unknown standard stream|must be an iterable|"
    r"%\(prog\)s, version"
)


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_every_help_text_and_clicks_own_phrases_are_translated(lang):
    from service import cli

    click_dir = ROOT / ".venv" / "lib"
    modules = sorted(
        path
        for name in cli._CLICK_MODULES
        for path in click_dir.glob(f"python*/site-packages/click/{name}.py")
    )
    assert modules
    phrases = set()
    for module in modules:
        for _line, message, _comments, _context in extract_from_file(
            "python", str(module), keywords={"_": None, "ngettext": (1, 2)}
        ):
            phrase = message if isinstance(message, str) else message[0]
            if not _AUTHORS_ONLY.search(phrase):
                phrases.add(phrase)
    catalog = _cli_catalog(lang)
    assert {"Usage:", "Missing argument", "No such option {name!r}."} <= phrases
    assert not phrases - catalog, sorted(phrases - catalog)
    helps = set(cli.help_texts())
    assert len(helps) > 40 and not helps - catalog, sorted(helps - catalog)


def _in_locale(lang: str | None, *args: str) -> subprocess.CompletedProcess:
    environ = {
        k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")
    }
    environ["LANG"] = lang or "C.UTF-8"
    return subprocess.run(
        [str(ROOT / ".venv" / "bin" / "docgen"), *args],
        capture_output=True, text=True, cwd=ROOT, timeout=60, env=environ,
    )  # fmt: skip


def test_help_and_usage_errors_speak_the_locale_or_the_ui_language():
    russian = _in_locale("ru_RU.UTF-8", "--help")
    assert russian.returncode == 0, russian.stderr
    assert russian.stdout.startswith("Использование: docgen [OPTIONS] COMMAND [ARGS]...")
    assert "официальные двуязычные документы" in russian.stdout
    assert "Показать эту справку и выйти." in russian.stdout and "Команды:" in russian.stdout
    assert "Show this message" not in russian.stdout
    kyrgyz = _in_locale(None, "--ui-language", "ky", "--help")
    assert kyrgyz.stdout.startswith("Колдонуу: docgen") and "Бул жардамды көрсөтүп" in kyrgyz.stdout
    assert "Маалымат базасынын схемасы." in kyrgyz.stdout
    subcommand = _in_locale("ky_KG.UTF-8", "users", "create", "--help")
    assert "Уюмдун коду." in subcommand.stdout and "[милдеттүү]" in subcommand.stdout
    # Usage errors: click's own messages, in the user's language.
    unknown = _in_locale("ru_RU.UTF-8", "--nope")
    assert unknown.returncode == 2
    assert "Ошибка: Нет такого параметра: '--nope'." in unknown.stderr
    assert "Справка: «docgen --help»." in unknown.stderr
    missing = _in_locale("ky_KG.UTF-8", "render", "joint-plan")
    assert missing.returncode == 2 and "Ката: Аргумент көрсөтүлгөн жок 'INPUT_FILE'." in (
        missing.stderr
    )
    choice = _in_locale(None, "--ui-language", "ru", "users", "create", "u", "--role", "boss")
    assert "'boss' — не из списка: 'secretary', 'coordinator', 'admin'." in choice.stderr
    english = _in_locale(None, "--help")
    assert english.stdout.startswith("Usage: docgen") and "Show this message" in english.stdout


def test_batch_with_pdfs(tmp_path):
    if shutil.which("soffice") is None:
        services_missing("LibreOffice (soffice) is not installed: scripts/ensure-services.sh")
    batch = json.loads((EXAMPLES / "sverdlovsky-batch.json").read_text(encoding="utf-8"))
    batch["items"] = batch["items"][:2]
    source = tmp_path / "two.json"
    source.write_text(json.dumps(batch, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "two.zip"
    result = docgen("batch", str(source), "-o", str(out), "--format", "pdf")
    assert result.returncode == 0, result.stderr
    archive, manifest = _archive(out)
    assert [m["status"] for m in manifest] == ["done", "done"]
    for line in manifest:
        pdf = archive.read(line["file"].replace(".docx", ".pdf"))
        assert pdf.startswith(b"%PDF-")
