"""Command line: render documents and batches without a server (no account needed: it is
local), manage the database, organisations, users and tokens.

Only click and the standard library are imported here: each command imports what it needs
when it runs, so `docgen --help` and `docgen --version` load nothing of the service. The
messages of the rendering commands are in the language of `--ui-language`, or of the locale
(`LANGUAGE`, `LC_ALL`, `LC_MESSAGES`, `LANG`): Kyrgyz, Russian, English otherwise; their
phrases are in the `cli` catalogs (service/i18n/{ky,ru}/LC_MESSAGES/cli.po), validation
errors and warnings in the API's.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import click

from service.errors import ServiceError

UI_LANGUAGES = ("ky", "ru", "en")
_ui = {"language": "en"}


def locale_language(environ=os.environ) -> str:
    """ky, ru or en from the locale's variables, in gettext's order («ru_RU.UTF-8» → ru)."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            code = value.split(":")[0][:2].lower()
            return code if code in UI_LANGUAGES else "en"
    return "en"


# click's own phrases («Usage:», «No such option», «Missing argument») go through gettext:
# its modules bind `gettext` as `_` (and `ngettext`) when imported, so `use_language` points
# those names at the `cli` catalog. Command and option help is translated in place, from the
# English of the decorators, kept in _ENGLISH.
_CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types")
_ENGLISH: dict[int, str | None] = {}
_HELP_OPTION = "Show this message and exit."  # click's own words for --help


def use_language(lang: str) -> None:
    """Speak `lang` (ky, ru, en) from now on: our messages, click's, and every help text."""
    import importlib

    _ui["language"] = lang
    catalog = None
    if lang != "en":
        from service.i18n import translations

        catalog = translations(lang, "cli")
    translate = catalog.gettext if catalog else _as_it_is

    def plural(singular: str, many: str, count: int) -> str:
        # Each form is an entry of its own, worded to suit any number («нужно значений: 3»).
        return translate(singular if count == 1 else many)

    for name in _CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if "_" in vars(module):
            module._ = translate
        if "ngettext" in vars(module):
            module.ngettext = plural
    _translate_help(main, translate)


def _as_it_is(message: str) -> str:
    return message


def help_key(text: str) -> str:
    """A help text as its catalog entry reads: each paragraph on one line."""
    import inspect

    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in paragraphs)


def _translate_help(command: click.Command, translate) -> None:
    for thing in (command, *command.params):
        english = _ENGLISH.setdefault(id(thing), getattr(thing, "help", None))
        if english:
            translated = translate(help_key(english))
            thing.help = english if translated == help_key(english) else translated
    # The --help option click made already, if it did (in the language it spoke then).
    made = getattr(command, "_help_option", None)
    if isinstance(made, click.Option):
        made.help = translate(_HELP_OPTION)
    for sub in getattr(command, "commands", {}).values():
        _translate_help(sub, translate)


def help_texts(command: click.Command | None = None) -> list[str]:
    """Every help text of the command line (commands and options), as catalog entries."""
    command = command or main
    found = [
        help_key(_ENGLISH.get(id(thing)) or thing.help)
        for thing in (command, *command.params)
        if getattr(thing, "help", None)
    ]
    for sub in getattr(command, "commands", {}).values():
        found += help_texts(sub)
    return found


class _Docgen(click.Group):
    """The `docgen` group: in the locale's language from the first word it says (before
    `--ui-language`, an eager option, is read)."""

    def main(self, *args, **kwargs):
        use_language(locale_language())
        return super().main(*args, **kwargs)


def _ui_language(_context, _param, value: str | None) -> str | None:
    if value:
        use_language(value)
    return value


def say(message: str, **values: object) -> str:
    """A phrase of the `cli` catalog in the user's language, its {values} put in."""
    lang = _ui["language"]
    if lang != "en":
        from service.i18n import translations

        message = translations(lang, "cli").gettext(message)
    return message.format(**values) if values else message


def _errors_in_language(errors) -> dict[str, list[str]]:
    from service.errors import flatten_errors
    from service.i18n import translate_errors

    return translate_errors(flatten_errors(errors), _ui["language"])


class Failure(click.ClickException):
    """A refusal, in the user's language («Ошибка: …»)."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:
        click.echo(f"{say('Error')}: {self.format_message()}", err=True, file=file)


@click.group(cls=_Docgen)
@click.version_option(package_name="docgen-kg", prog_name="docgen")
@click.option(
    "--ui-language",
    type=click.Choice(UI_LANGUAGES),
    default=None,
    is_eager=True,
    callback=_ui_language,
    help="Language of the messages (default: from LANG; Kyrgyz, Russian, else English).",
)
def main(ui_language: str | None) -> None:
    """docgen: official bilingual documents for Kyrgyz local self-government."""


def _kind(kind: str, hint: str) -> None:
    from service.kinds import KINDS

    if kind not in KINDS:
        raise click.BadParameter(say("unknown kind; one of: {kinds}", kinds=", ".join(KINDS)),
                                 param_hint=hint)  # fmt: skip


def _print_warnings(name: str, warnings) -> None:
    from service.i18n import translate_notice

    for warning in warnings:
        text = translate_notice(warning, _ui["language"])
        click.echo(say("{file}: warning: {warning}", file=name, warning=text), err=True)


def _written(output: Path, content: bytes) -> None:
    sha256 = hashlib.sha256(content).hexdigest()
    click.echo(say("{output} ({size} bytes, sha256 {sha256})", output=output,
                   size=len(content), sha256=sha256))  # fmt: skip


@main.command()
@click.argument("kind", metavar="KIND")
@click.argument("input_file", type=click.File("rb"))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option(
    "--language",
    type=click.Choice(["ky", "ru", "ky+ru"]),
    default=None,
    help="Override the input's language.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["docx", "pdf"]),
    default=None,
    help="docx, or pdf (made with LibreOffice); default: from OUTPUT's suffix.",
)
@click.option("--pdf-profile", type=click.Choice(["pdf/a-2b"]), default=None, help="A PDF/A-2b.")
def render(
    kind: str,
    input_file,
    output: Path,
    language: str | None,
    output_format: str | None,
    pdf_profile: str | None,
) -> None:
    """Render INPUT_FILE (the JSON the HTTP API takes) as a document of KIND to a .docx or
    a PDF.

    KIND is one of the kinds the service knows (working-group-order, joint-plan, …).
    """
    from service.errors import InvalidInput
    from service.generation import generate_document
    from service.i18n import translate_error

    output_format = output_format or ("pdf" if output.suffix.lower() == ".pdf" else "docx")
    if pdf_profile and output_format != "pdf":
        raise click.BadParameter(say("a PDF profile needs --format pdf"),
                                 param_hint="--pdf-profile")  # fmt: skip
    _kind(kind, "KIND")
    try:
        payload = json.loads(input_file.read().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise Failure(
            say("{file}: not valid JSON: {error}", file=input_file.name, error=err)
        ) from err
    if language is not None:
        if not isinstance(payload, dict):
            raise Failure(say("{file}: the input must be a JSON object", file=input_file.name))
        payload["language"] = language
    try:
        document = generate_document(kind, payload)
    except InvalidInput as err:
        lang = _ui["language"]
        click.echo(f"{input_file.name}: {translate_error(err.message, lang)}", err=True)
        for path, messages in _errors_in_language(err.errors).items():
            for message in messages:
                click.echo(f"  {path}: {message}", err=True)
        sys.exit(2)
    _print_warnings(input_file.name, document.warnings)
    content = document.content
    if output_format == "pdf":
        converter = _converter()
        try:
            content = _to_pdf(converter, content, pdf_profile)
        finally:
            converter.close()
    output.write_bytes(content)
    _written(output, content)


def _converter():
    from service import config
    from service.conversion import converter_from_config

    return converter_from_config({**config.load(), "CONVERTER_SLOTS": 1})


def _to_pdf(converter, docx: bytes, pdf_profile: str | None) -> bytes:
    from service.conversion import ConversionError

    try:
        return converter.convert(docx, pdf_profile=pdf_profile)
    except ConversionError as err:
        raise Failure(say("the PDF could not be made: {reason}", reason=err.message)) from err


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The ZIP to write: the documents and a manifest.csv.")  # fmt: skip
@click.option("--kind", "kind", default=None, metavar="KIND",
              help="The documents' kind (a .json batch names its own).")  # fmt: skip
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["docx", "pdf"]),
    default=None,
    help="pdf: a PDF of each document beside its .docx (LibreOffice).",
)
@click.option("--pdf-profile", type=click.Choice(["pdf/a-2b"]), default=None, help="A PDF/A-2b.")
def batch(
    file: Path, output: Path, kind: str | None, output_format: str | None, pdf_profile: str | None
) -> None:
    """Render every item of FILE, a batch as the HTTP API takes it, into the ZIP OUTPUT, with
    no server: FILE is the JSON of `POST /api/v1/batches` (kind, shared, items), or a CSV or
    XLSX upload (with --kind; the upload template's labels or the JSON paths as headers).

    Items are numbered as the user sees them: a spreadsheet's rows (the header is row 1), a
    JSON batch's items from 1. The manifest.csv has a line per item, as the API's archive
    does. Exit status: 0 when every document was made, 1 when some were not (the ZIP holds
    the others; the manifest and the messages say why), 2 when FILE cannot be read.
    """
    from service.batches.creation import merge, skeleton_of
    from service.errors import InvalidInput

    shared, items, rows, kind, formats, profile = _read_batch(file, kind)
    pdf_profile = pdf_profile or profile
    if output_format == "pdf":
        formats.add("pdf")
    if pdf_profile and "pdf" not in formats:
        raise click.BadParameter(say("a PDF profile needs --format pdf"),
                                 param_hint="--pdf-profile")  # fmt: skip
    where = say("row {row}") if file.suffix.lower() in (".csv", ".xlsx") else say("item {row}")
    made, manifest, failed = [], [], 0
    converter = _converter() if "pdf" in formats else None
    try:
        for row, item in zip(rows, items, strict=True):
            payload = merge(shared, item, skeleton_of(kind))
            label = where.format(row=row)
            try:
                made_item = _make(kind, payload, row, label, converter, pdf_profile)
            except Exception as err:  # an item's defect must not stop the others
                failed += 1
                if isinstance(err, InvalidInput):
                    errors, status = _errors_in_language(err.errors), "invalid"
                else:
                    errors, status = (
                        {"_body": [say("internal error: {error}", error=repr(err))]},
                        "failed",
                    )
                _report(label, errors)
                manifest.append([row, _municipality(payload), _number(payload), "", "",
                                 status, _error_text(errors)])  # fmt: skip
                continue
            made.extend(made_item.entries)
            docx_name, docx = made_item.entries[0]
            status = "done" if made_item.pdf_error is None else "failed"
            failed += status == "failed"
            manifest.append([row, made_item.municipality, _number(payload), docx_name,
                             hashlib.sha256(docx).hexdigest(), status,
                             made_item.pdf_error or ""])  # fmt: skip
    finally:
        if converter is not None:
            converter.close()
    content = _zip(made, manifest)
    output.write_bytes(content)
    done = len(items) - failed
    click.echo(say("{output}: {done} of {total} documents made", output=output, done=done,
                   total=len(items)))  # fmt: skip
    if failed:
        sys.exit(1)


@dataclass
class _Made:
    """One item made: the archive's entries (its .docx, and its PDF when asked for and made),
    its municipality, and why its PDF could not be made."""

    entries: list[tuple[str, bytes]]
    municipality: str
    pdf_error: str | None = None


def _read_batch(file: Path, kind: str | None):
    """(shared, items, rows, kind, formats, PDF profile) of a JSON, CSV or XLSX batch;
    Failure (exit 2) when it cannot be read."""
    from service.errors import InvalidInput

    content = file.read_bytes()
    if file.suffix.lower() == ".json":
        try:
            data = json.loads(content.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            message = say("{file}: not valid JSON: {error}", file=file, error=err)
            raise Failure(message, 2) from err
        items = data.get("items") if isinstance(data, dict) else None
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise Failure(say("{file}: a batch is a JSON object with a list of items",
                              file=file), 2)  # fmt: skip
        kind = kind or data.get("kind")
        if not kind:
            raise Failure(say("{file}: the kind of the documents is not known: give --kind",
                              file=file), 2)  # fmt: skip
        _kind(kind, "--kind")
        shared = data.get("shared") or {}
        formats = set(data.get("formats") or [data.get("format") or "docx"])
        rows = list(range(1, len(items) + 1))
        return shared, items, rows, kind, formats, data.get("pdf_profile")
    if not kind:
        raise Failure(say("{file}: the kind of the documents is not known: give --kind",
                          file=file), 2)  # fmt: skip
    _kind(kind, "--kind")
    from service.batches.tables import read_table

    try:
        table = read_table(content, file.name, kind=kind, language=_ui["language"])
    except InvalidInput as err:
        _report(str(file), _errors_in_language(err.errors))
        raise Failure(say("{file} cannot be read", file=file), 2) from err
    return table.shared, table.items, table.rows, kind, {"docx"}, None


def _make(
    kind: str, payload: dict, row: int, label: str, converter, pdf_profile: str | None
) -> _Made:
    """Render one item (InvalidInput if it is refused), and its PDF with `converter`."""
    from service.conversion import ConversionError
    from service.generation import generate_document, safe_name
    from service.i18n import translate_error

    document = generate_document(kind, payload)
    _print_warnings(label, document.warnings)
    municipality = _municipality(payload)
    who = safe_name(municipality, 60)
    name = f"{row:04d}_{who}_{document.filename}" if who else f"{row:04d}_{document.filename}"
    made = _Made([(name, document.content)], municipality)
    if converter is not None:
        try:
            pdf = converter.convert(document.content, pdf_profile=pdf_profile)
        except ConversionError as err:
            reason = translate_error(err.message, _ui["language"])
            made.pdf_error = reason
            click.echo(f"{label}: {say('the PDF could not be made: {reason}', reason=reason)}",
                       err=True)  # fmt: skip
        else:
            made.entries.append((str(Path(name).with_suffix(".pdf")), pdf))
    return made


def _municipality(payload) -> str:
    issuer = payload.get("issuer") if isinstance(payload, dict) else None
    body = issuer.get("body") if isinstance(issuer, dict) else None
    if isinstance(body, dict):
        return str(body.get("ru") or body.get("ky") or "")
    return ""


def _number(payload) -> str:
    number = payload.get("number") if isinstance(payload, dict) else None
    return "" if number is None else str(number)


def _report(where: str, errors: dict[str, list[str]]) -> None:
    for path, messages in errors.items():
        for message in messages:
            prefix = where if path == "_body" else f"{where}: {path}"
            click.echo(f"{prefix}: {message}", err=True)


def _error_text(errors: dict[str, list[str]]) -> str:
    """«date: Not a valid date.; number: May not be blank.», as the API's manifest says it."""
    return "; ".join(
        " ".join(([] if path == "_body" else [f"{path}:"]) + messages)
        for path, messages in errors.items()
    )


def _zip(entries: list[tuple[str, bytes]], manifest: list[list]) -> bytes:
    """The documents, then manifest.csv with the API archive's columns."""
    import zipfile

    from service.batches.tables import csv_bytes

    columns = ("item", "municipality", "number", "file", "sha256", "status", "error")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for name, content in entries:
            archive.writestr(name, content)
        archive.writestr("manifest.csv", csv_bytes(columns, manifest))
    return out.getvalue()


@main.group()
def templates() -> None:
    """Word templates of the document kinds."""


@templates.command("lint")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", "kind", required=True, metavar="KIND", help="The template's kind.")
def lint(file: Path, kind: str) -> None:
    """Check FILE, a Word template, against the context of KIND before it is used."""
    from service.generation import example_contexts
    from service.kinds import KINDS
    from service.rendering import lint_template

    _kind(kind, "--kind")
    if not KINDS[kind].examples:
        raise Failure(say("{kind} declares no examples to check a template against", kind=kind))
    try:
        contexts = example_contexts(kind)
    except FileNotFoundError as err:
        raise Failure(say("an example of {kind} is missing: {file}", kind=kind,
                          file=err.filename)) from err  # fmt: skip
    problems = lint_template(file.read_bytes(), contexts, KINDS[kind].media)
    for problem in problems:
        click.echo(f"{file}: {problem}", err=True)
    if problems:
        sys.exit(1)
    click.echo(say("{file}: no problems found for {kind}", file=file, kind=kind))


@main.group()
def db() -> None:
    """Database schema."""


@db.command()
def upgrade() -> None:
    """Apply the migrations to DATABASE_URL (default: SQLite under var/)."""
    from service import config
    from service.db import upgrade as run_upgrade

    url = config.load()["DATABASE_URL"]
    run_upgrade(url)
    click.echo(say("database is up to date"))


# Where `docgen users bootstrap` keeps the local admin's first password and token.
LOCAL_ADMIN_DIR = Path("var") / "local-admin"
LOCAL_ADMIN = "admin"
# The audit log's name for what is done from the command line.
CLI_ACTOR = "command line"


@contextmanager
def _session():
    from service import config
    from service.db import Database

    database = Database(config.load()["DATABASE_URL"])
    try:
        with database.session() as session:
            yield session
    finally:
        database.dispose()


def _cli_audit(session, organisation_id: str, action: str, object_type: str, object_id: str):
    from service import audit

    actor = audit.Actor(organisation_id, None, CLI_ACTOR, None, None)
    audit.record(session, actor, action, object_type, object_id)


def _fail(err: ServiceError) -> None:
    """Stop with a ServiceError's message and its fields, in the user's language."""
    from service.i18n import translate_error

    fields = _errors_in_language(err.errors)
    details = "; ".join(f"{path}: {' '.join(messages)}" for path, messages in fields.items())
    message = translate_error(str(err), _ui["language"])
    raise Failure(message + (f" ({details})" if details else ""))


def _write_secret(path: Path, text: str) -> None:
    """Write `text` to a file only its owner can read (created so: never readable by others,
    not even for a moment)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text + "\n")


@main.group()
def organisations() -> None:
    """Organisations: the tenants (a municipality's office, a district office)."""


@organisations.command("create")
@click.argument("name")
@click.option("--kind", type=click.Choice(["municipality", "district"]), required=True)
@click.option("--id", "organisation_id", default=None, help="Default: a random id.")
def organisation_create(name: str, kind: str, organisation_id: str | None) -> None:
    """Add an organisation named NAME; print its id."""
    from service import accounts

    with _session() as session:
        organisation = accounts.create_organisation(session, name, kind, organisation_id)
    click.echo(organisation.id)


@organisations.command("list")
def organisation_list() -> None:
    """Every organisation: id, kind, name."""
    from sqlalchemy import select

    from service.models import Organisation

    with _session() as session:
        for organisation in session.scalars(select(Organisation).order_by(Organisation.name)):
            click.echo(f"{organisation.id}\t{organisation.kind}\t{organisation.name}")


@organisations.command("move-records")
@click.argument("source")
@click.argument("target")
def organisation_move_records(source: str, target: str) -> None:
    """Move the documents, batches and municipalities of organisation SOURCE into TARGET.

    The records made before accounts existed are in the organisation "local" (migration
    0007): `docgen organisations move-records local <id>` gives them to a real office.
    """
    from service import accounts

    try:
        with _session() as session:
            moved = accounts.move_records(session, source, target)
            _cli_audit(session, target, "moved_records", "organisation", source)
    except ServiceError as err:
        _fail(err)
    counts = ", ".join(f"{count} {name}" for name, count in moved.items())
    click.echo(say("{counts} moved", counts=counts))


@main.group()
def users() -> None:
    """User accounts."""


def _ask_password() -> str:
    return click.prompt(say("Password"), hide_input=True, confirmation_prompt=True)


@users.command("create-admin")
@click.argument("username")
@click.option("--organisation", "organisation_id", required=True, help="The organisation's id.")
def users_create_admin(username: str, organisation_id: str) -> None:
    """Make USERNAME an admin (every role) of an organisation; the password is asked for."""
    from service import accounts

    password = _ask_password()
    try:
        with _session() as session:
            accounts.get_organisation(session, organisation_id)
            user = accounts.create_admin(session, organisation_id, username, password)
            _cli_audit(session, organisation_id, "created", "user", user.id)
    except ServiceError as err:
        _fail(err)
    click.echo(say("admin {username} created ({id})", username=user.username, id=user.id))


@users.command("create")
@click.argument("username")
@click.option("--organisation", "organisation_id", required=True, help="The organisation's id.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice(["secretary", "coordinator", "admin"]),
)
@click.option(
    "--municipality",
    "municipalities",
    multiple=True,
    help="A municipality id the user acts for (repeat); none: all of the organisation's.",
)
def users_create(username: str, organisation_id: str, roles, municipalities) -> None:
    """Add USERNAME to an organisation with roles; the password is asked for."""
    from service import accounts

    password = _ask_password()
    try:
        with _session() as session:
            accounts.get_organisation(session, organisation_id)
            user = accounts.create_user(
                session,
                organisation_id,
                username,
                password,
                list(roles),
                list(municipalities) or None,
            )
            _cli_audit(session, organisation_id, "created", "user", user.id)
    except ServiceError as err:
        _fail(err)
    click.echo(say("user {username} created ({id})", username=user.username, id=user.id))


@users.command("reset-password")
@click.argument("username")
def users_reset_password(username: str) -> None:
    """Set USERNAME's password (asked for)."""
    from service import accounts

    password = _ask_password()
    try:
        with _session() as session:
            user = accounts.find_user(session, username)
            accounts.set_password(session, user, password)
            _cli_audit(session, user.organisation_id, "changed_password", "user", user.id)
    except ServiceError as err:
        _fail(err)
    click.echo(say("password of {username} changed", username=username))


@users.command("deactivate")
@click.argument("username")
def users_deactivate(username: str) -> None:
    """Deactivate USERNAME (someone who left): no sign-in, every token revoked."""
    from service import accounts

    try:
        with _session() as session:
            user = accounts.find_user(session, username)
            accounts.deactivate(session, user)
            _cli_audit(session, user.organisation_id, "deactivated", "user", user.id)
    except ServiceError as err:
        _fail(err)
    click.echo(say("{username} deactivated; its tokens are revoked", username=username))


@users.command("bootstrap")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=LOCAL_ADMIN_DIR,
    show_default=True,
    help="Where the first password and token are written (readable by their owner only).",
)
def users_bootstrap(directory: Path) -> None:
    """Make a local admin if there is no admin at all (what `make run` does first).

    The admin `admin` of the organisation "local" gets a random password and an API token,
    each written to a file of DIR only its owner can read; their paths are printed, never
    the secrets.
    """
    from service import accounts

    with _session() as session:
        if accounts.has_admin(session):
            click.echo(_sign_in_hint(directory, made=False))
            return
        if session.get(accounts.Organisation, accounts.LOCAL_ORGANISATION) is None:
            accounts.create_organisation(
                session, "Local office", "district", accounts.LOCAL_ORGANISATION
            )
        password = accounts.new_password()
        user = accounts.create_admin(session, accounts.LOCAL_ORGANISATION, LOCAL_ADMIN, password)
        _token, secret = accounts.issue_token(
            session, user, "local admin", read_only=False, expires_at=None
        )
        _cli_audit(session, user.organisation_id, "created", "user", user.id)
        _write_secret(directory / "password", password)
        _write_secret(directory / "token", secret)
    click.echo(_sign_in_hint(directory, made=True))


def _sign_in_hint(directory: Path, *, made: bool) -> str:
    token, password = directory / "token", directory / "password"
    header = f'-H "Authorization: Bearer $(cat {token})"'
    if made:
        return say(
            "Local admin «{name}» made. Its password is in {password}, an API token in {token} "
            "(readable by you only). Sign in with POST /api/v1/sessions, or send {header}.",
            name=LOCAL_ADMIN, password=password, token=token, header=header,
        )  # fmt: skip
    if token.exists():
        return say("An admin exists; an API token is in {token}: {header}.", token=token,
                   header=header)  # fmt: skip
    return say("An admin exists; `docgen tokens create USERNAME --name NAME` issues a token.")


@main.group()
def tokens() -> None:
    """API tokens."""


@tokens.command("create")
@click.argument("username")
@click.option("--name", required=True, help="What the token is for.")
@click.option("--read-only", is_flag=True, help="A token for GET requests only.")
@click.option("--expires-days", type=click.IntRange(1, 3650), default=None)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the token to this file (readable by its owner only) instead of printing it.",
)
def tokens_create(
    username: str, name: str, read_only: bool, expires_days: int | None, output: Path | None
) -> None:
    """Issue an API token to USERNAME; it is shown once (or written to --output)."""
    from datetime import timedelta

    from service import accounts
    from service.models import utcnow

    expires = utcnow() + timedelta(days=expires_days) if expires_days else None
    try:
        with _session() as session:
            user = accounts.find_user(session, username)
            token, secret = accounts.issue_token(
                session, user, name, read_only=read_only, expires_at=expires
            )
            _cli_audit(session, user.organisation_id, "created", "token", token.id)
    except ServiceError as err:
        _fail(err)
    if output is None:
        click.echo(secret)
    else:
        _write_secret(output, secret)
        click.echo(say("token {id} written to {output}", id=token.id, output=output))


@tokens.command("revoke")
@click.argument("token_id")
def tokens_revoke(token_id: str) -> None:
    """Revoke the token TOKEN_ID (its id, as `GET /api/v1/tokens` lists it)."""
    from service.models import ApiToken, User, utcnow

    with _session() as session:
        token = session.get(ApiToken, token_id)
        if token is None:
            raise Failure(say("no such token"))
        token.revoked_at = token.revoked_at or utcnow()
        owner = session.get(User, token.user_id)
        _cli_audit(session, owner.organisation_id, "revoked", "token", token.id)
    click.echo(say("token {id} revoked", id=token_id))


@db.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def db_backup(file: Path) -> None:
    """Back up the database of DATABASE_URL into FILE (PostgreSQL: pg_dump's custom format;
    SQLite: a consistent copy, safe while the service runs)."""
    from service import backup, config

    try:
        backup.backup(config.load()["DATABASE_URL"], file)
    except backup.BackupError as err:
        raise Failure(str(err)) from err
    click.echo(say("backup written to {file} ({size} bytes)", file=file,
                   size=file.stat().st_size))  # fmt: skip


@db.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def db_restore(file: Path) -> None:
    """Restore FILE, a backup of `docgen db backup`, into the empty database of DATABASE_URL
    (of the same kind), then apply the migrations."""
    from service import backup, config

    try:
        backup.restore(config.load()["DATABASE_URL"], file)
    except backup.BackupError as err:
        raise Failure(str(err)) from err
    click.echo(say("restored {file}; the database is up to date", file=file))


@main.group()
def retention() -> None:
    """Deleting what the retention setting no longer keeps."""


@retention.command("purge")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=None,
    help="Purge what finished more than this many days ago (default: RETENTION_DAYS).",
)
@click.option("--dry-run", is_flag=True, help="Only say what would be purged.")
def retention_purge(days: int | None, dry_run: bool) -> None:
    """Purge the files of documents finished more than RETENTION_DAYS days ago, and their
    inputs where no later document needs them; each purge is audited. Run it daily (cron)."""
    from service import config
    from service import retention as retention_rules
    from service.db import Database
    from service.storage import DatabaseStorage

    settings = config.load()
    days = days or int(settings["RETENTION_DAYS"])
    if not days:
        click.echo(say("RETENTION_DAYS is 0: everything is kept; nothing to purge"))
        return
    database = Database(settings["DATABASE_URL"])
    try:
        done = retention_rules.purge_expired(
            database, DatabaseStorage(database), days, dry_run=dry_run
        )
    finally:
        database.dispose()
    counts = {"files": len(done.outputs), "inputs": len(done.inputs), "days": days}
    if dry_run:
        click.echo(say("would purge: files of {files} documents, inputs of {inputs} (finished "
                       "more than {days} days ago)", **counts))  # fmt: skip
    else:
        click.echo(say("purged: files of {files} documents, inputs of {inputs} (finished more "
                       "than {days} days ago); {blobs} stored files deleted", blobs=done.blobs,
                       **counts))  # fmt: skip


if __name__ == "__main__":
    main()
