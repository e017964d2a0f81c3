"""Command line: render documents without a server (no account needed: it is local), manage
the database, organisations, users and tokens."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from service.errors import InvalidInput, ServiceError, flatten_errors
from service.generation import generate_document
from service.kinds import KINDS


@click.group()
def main() -> None:
    """docgen: official bilingual documents for Kyrgyz local self-government."""


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
    output_format = output_format or ("pdf" if output.suffix.lower() == ".pdf" else "docx")
    if pdf_profile and output_format != "pdf":
        raise click.BadParameter("a PDF profile needs --format pdf", param_hint="--pdf-profile")
    if kind not in KINDS:
        raise click.BadParameter(f"unknown kind; one of: {', '.join(KINDS)}", param_hint="KIND")
    try:
        payload = json.loads(input_file.read().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise click.ClickException(f"{input_file.name}: not valid JSON: {err}") from err
    if language is not None:
        if not isinstance(payload, dict):
            raise click.ClickException(f"{input_file.name}: the input must be a JSON object")
        payload["language"] = language
    try:
        document = generate_document(kind, payload)
    except InvalidInput as err:
        click.echo(f"{input_file.name}: {err.message}", err=True)
        for path, messages in flatten_errors(err.errors).items():
            for message in messages:
                click.echo(f"  {path}: {message}", err=True)
        sys.exit(2)
    for warning in document.warnings:
        click.echo(f"{input_file.name}: warning: {warning.text()}", err=True)
    content = document.content
    if output_format == "pdf":
        content = _to_pdf(content, pdf_profile)
    output.write_bytes(content)
    sha256 = hashlib.sha256(content).hexdigest()
    click.echo(f"{output} ({len(content)} bytes, sha256 {sha256})")


def _to_pdf(docx: bytes, pdf_profile: str | None) -> bytes:
    from service import config
    from service.conversion import ConversionError, converter_from_config

    converter = converter_from_config({**config.load(), "CONVERTER_SLOTS": 1})
    try:
        return converter.convert(docx, pdf_profile=pdf_profile)
    except ConversionError as err:
        raise click.ClickException(f"the PDF could not be made: {err.message}") from err
    finally:
        converter.close()


@main.group()
def templates() -> None:
    """Word templates of the document kinds."""


@templates.command("lint")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", "kind", required=True, metavar="KIND", help="The template's kind.")
def lint(file: Path, kind: str) -> None:
    """Check FILE, a Word template, against the context of KIND before it is used."""
    from service.generation import example_contexts
    from service.rendering import lint_template

    if kind not in KINDS:
        raise click.BadParameter(f"unknown kind; one of: {', '.join(KINDS)}", param_hint="--kind")
    if not KINDS[kind].examples:
        raise click.ClickException(f"{kind} declares no examples to check a template against")
    try:
        contexts = example_contexts(kind)
    except FileNotFoundError as err:
        raise click.ClickException(f"an example of {kind} is missing: {err.filename}") from err
    problems = lint_template(file.read_bytes(), contexts, KINDS[kind].media)
    for problem in problems:
        click.echo(f"{file}: {problem}", err=True)
    if problems:
        sys.exit(1)
    click.echo(f"{file}: no problems found for {kind}")


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
    click.echo("database is up to date")


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
    details = "; ".join(
        f"{path}: {' '.join(messages)}" for path, messages in flatten_errors(err.errors).items()
    )
    raise click.ClickException(f"{err}" + (f" ({details})" if details else ""))


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
    click.echo(", ".join(f"{count} {name}" for name, count in moved.items()) + " moved")


@main.group()
def users() -> None:
    """User accounts."""


def _ask_password() -> str:
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


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
    click.echo(f"admin {user.username} created ({user.id})")


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
    click.echo(f"user {user.username} created ({user.id})")


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
    click.echo(f"password of {username} changed")


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
    click.echo(f"{username} deactivated; its tokens are revoked")


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
    if made:
        return (
            f"Local admin '{LOCAL_ADMIN}' made. Its password is in {password}, an API token in "
            f"{token} (readable by you only). Sign in with POST /api/v1/sessions, or send "
            f'-H "Authorization: Bearer $(cat {token})".'
        )
    if token.exists():
        return (
            f"An admin exists; an API token is in {token}: "
            f'-H "Authorization: Bearer $(cat {token})".'
        )
    return "An admin exists; `docgen tokens create USERNAME --name NAME` issues a token."


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
        click.echo(f"token {token.id} written to {output}")


@tokens.command("revoke")
@click.argument("token_id")
def tokens_revoke(token_id: str) -> None:
    """Revoke the token TOKEN_ID (its id, as `GET /api/v1/tokens` lists it)."""
    from service.models import ApiToken, User, utcnow

    with _session() as session:
        token = session.get(ApiToken, token_id)
        if token is None:
            raise click.ClickException("no such token")
        token.revoked_at = token.revoked_at or utcnow()
        owner = session.get(User, token.user_id)
        _cli_audit(session, owner.organisation_id, "revoked", "token", token.id)
    click.echo(f"token {token_id} revoked")


@db.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def db_backup(file: Path) -> None:
    """Back up the database of DATABASE_URL into FILE (PostgreSQL: pg_dump's custom format;
    SQLite: a consistent copy, safe while the service runs)."""
    from service import backup, config

    try:
        backup.backup(config.load()["DATABASE_URL"], file)
    except backup.BackupError as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"backup written to {file} ({file.stat().st_size} bytes)")


@db.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def db_restore(file: Path) -> None:
    """Restore FILE, a backup of `docgen db backup`, into the empty database of DATABASE_URL
    (of the same kind), then apply the migrations."""
    from service import backup, config

    try:
        backup.restore(config.load()["DATABASE_URL"], file)
    except backup.BackupError as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"restored {file}; the database is up to date")


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
        click.echo("RETENTION_DAYS is 0: everything is kept; nothing to purge")
        return
    database = Database(settings["DATABASE_URL"])
    try:
        done = retention_rules.purge_expired(
            database, DatabaseStorage(database), days, dry_run=dry_run
        )
    finally:
        database.dispose()
    verb = "would purge" if dry_run else "purged"
    click.echo(
        f"{verb}: files of {len(done.outputs)} documents, inputs of {len(done.inputs)} "
        f"(finished more than {days} days ago)"
        + ("" if dry_run else f"; {done.blobs} stored files deleted")
    )


if __name__ == "__main__":
    main()
