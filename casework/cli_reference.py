"""`flask reference ...`: the reference data a real deployment needs, without demo data.
Each command is one call into services/reference/."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click
from flask.cli import AppGroup

from casework.services.actors import SystemActor
from casework.services.errors import InvalidInput

CLI_ACTOR = SystemActor("cli")
SHOWN_ERRORS = 50

reference_cli = AppGroup("reference", help="Reference data: countries, catalogue, exchange rates.")
rates_cli = AppGroup("rates", help="Exchange rates (units per US dollar, by day).")
reference_cli.add_command(rates_cli)


def _codes(text: str) -> list[str]:
    return [code.strip().upper() for code in text.replace(";", ",").split(",") if code.strip()]


@reference_cli.command("load")
@click.option("--origins", default="", help="Also offer these countries as origins (NP,PH,…).")
@click.option("--destinations", default="", help="Also offer these as destinations (QA,AE,…).")
def reference_load(origins: str, destinations: str) -> None:
    """Load or update what the application needs (every CLDR country, stall rules, referral
    catalogue). Idempotent; adds no exchange rates, organisations or people."""
    from casework.services.reference.countries import choose_countries, offered_codes
    from casework.services.reference.loading import load_reference

    report = load_reference()
    if origins or destinations:
        try:
            changes = choose_countries(
                CLI_ACTOR, _codes(origins), _codes(destinations), add_only=True
            )
        except InvalidInput as invalid:
            lines = [f"  --{side}s: {message}" for side, message in invalid.fields.items()]
            raise click.ClickException("no country offered:\n" + "\n".join(lines)) from None
        click.echo(f"now offered: {', '.join(changes) or 'no change'}")
        report = replace(
            report, origins=offered_codes("origin"), destinations=offered_codes("destination")
        )
    click.echo(report.describe())


@rates_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", required=True, help='Where the rates come from ("Nepal Rastra Bank").')
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
def rates_import(file: Path, source: str, dry_run: bool) -> None:
    """Import a CSV of date, currency and rate per US dollar. Nothing is imported if any line
    is bad; importing the same file again changes nothing."""
    from casework.services.reference.rates_import import import_rates, plan_rate_import

    raw = file.read_bytes()
    try:
        plan = plan_rate_import(raw, source)
    except InvalidInput as invalid:
        raise click.ClickException(str(next(iter(invalid.fields.values())))) from None
    if plan.errors:
        lines = [
            f"  line {line}: {message}" if line else f"  {message}"
            for line, message in plan.errors[:SHOWN_ERRORS]
        ]
        if len(plan.errors) > SHOWN_ERRORS:
            lines.append(f"  … and {len(plan.errors) - SHOWN_ERRORS} more")
        raise click.ClickException("nothing was imported:\n" + "\n".join(lines))
    if dry_run:
        click.echo(f"would import: {plan.summary} (nothing changed)")
        for change in plan.changed[:SHOWN_ERRORS]:
            click.echo(f"  line {change.line}: {change.key} {change.previous} -> {change.per_usd}")
        return
    done = import_rates(CLI_ACTOR, raw, source, expected_token=plan.token)
    click.echo(f"imported from {done.source}: {done.summary}")


@rates_cli.command("remove-demo")
@click.option("--dry-run", is_flag=True, help="Only say which demo rates are held.")
def rates_remove_demo(dry_run: bool) -> None:
    """Delete the approximate demo rates (dated 2025-01-01) that `flask demo reference` loaded
    into this database; rates imported or typed in are never touched."""
    from casework.services.reference.demo_rates import demo_rates_held, remove_demo_rates

    if dry_run:
        held = sorted(rate.currency for rate in demo_rates_held())
        click.echo(f"demo rates held: {', '.join(held) or 'none'}")
        return
    removed = remove_demo_rates(CLI_ACTOR)
    click.echo(f"demo rates removed: {', '.join(removed) or 'none'}")
