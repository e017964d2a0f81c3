"""Command line: render documents without a server, and manage the database."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from service.errors import InvalidInput, flatten_errors
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
def render(kind: str, input_file, output: Path, language: str | None) -> None:
    """Render INPUT_FILE (the JSON the HTTP API takes) as a document of KIND to a .docx.

    KIND is one of the kinds the service knows (working-group-order, joint-plan, …).
    """
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
    output.write_bytes(document.content)
    click.echo(f"{output} ({len(document.content)} bytes, sha256 {document.sha256})")


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


if __name__ == "__main__":
    main()
