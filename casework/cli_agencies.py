"""`flask agencies ...`: governments' licensed-agency lists into the registry, and matching
complaints' agencies to it. Each command is one call into services/agencies/."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from casework.services.actors import SystemActor
from casework.services.errors import InvalidInput

CLI_ACTOR = SystemActor("cli")
SHOWN_ERRORS = 50

agencies_cli = AppGroup("agencies", help="Registries of licensed recruitment agencies.")


def _fail(invalid: InvalidInput) -> click.ClickException:
    lines = [f"  {name}: {message}" for name, message in invalid.fields.items()]
    return click.ClickException("nothing was changed:\n" + "\n".join(lines))


@agencies_cli.command("import")
@click.option("--country", required=True, help="The origin country whose list this is (NP, PH …).")
@click.option("--source", required=True, help='Which list, e.g. "DoFE list 2026-11".')
@click.option(
    "--map",
    "column_map",
    default="",
    help='The list\'s column names, e.g. "licence_number=License No.,name=Agency Name".',
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def agencies_import(country: str, source: str, column_map: str, file: Path) -> None:
    """Import a list (CSV or XLSX with a header row naming licence_number, name, status and
    optionally status_date, valid_until, address, phone, representative, aliases). Known
    licence numbers are updated and their status history kept; then every agency of the
    country that is not linked yet is matched again."""
    from casework.services.agencies.lists import parse_column_map, read_agency_list
    from casework.services.agencies.registry_import import import_agency_list

    try:
        parsed = read_agency_list(file.read_bytes(), parse_column_map(column_map))
        result = import_agency_list(CLI_ACTOR, country, source, parsed)
    except InvalidInput as invalid:
        raise _fail(invalid) from None
    click.echo(
        f"{result.country} ({result.source}): {result.added} added, {result.updated} updated "
        f"({result.status_changes} status changes), {result.unchanged} unchanged; "
        f"{result.linked} complaint agencies linked"
    )
    for line, message in result.errors[:SHOWN_ERRORS]:
        click.echo(f"  line {line}: {message}", err=True)
    if len(result.errors) > SHOWN_ERRORS:
        click.echo(f"  … and {len(result.errors) - SHOWN_ERRORS} more rows refused", err=True)


@agencies_cli.command("match")
@click.option("--country", required=True, help="Match this country's complaint agencies again.")
def agencies_match(country: str) -> None:
    """Match every agency of a country not linked yet (the import does this by itself)."""
    from casework.extensions import db
    from casework.services.agencies.matching import rematch_country

    linked = rematch_country(country.upper())
    db.session.commit()
    click.echo(f"{linked} agencies linked")
