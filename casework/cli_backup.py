"""flask --app casework backup create|restore: thin calls into services/backup."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

backup_cli = AppGroup(
    "backup",
    help="Back up the database and the evidence store (never the key ring), and restore them.",
)


@backup_cli.command("create")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def backup_create(folder: Path) -> None:
    """Write a backup into FOLDER (new, or empty): database dump, evidence blobs, manifest.

    The key ring, pepper and audit key are NOT included: back them up separately."""
    from casework.services.backup import BackupError, create_backup

    try:
        report = create_backup(folder)
    except BackupError as exc:
        raise click.ClickException(f"backup NOT made: {exc}") from exc
    click.echo(
        f"backup written to {report.folder}: {report.counts.get('cases', 0)} case(s), "
        f"{report.blobs} evidence file(s), {report.total_bytes} bytes; "
        "the key ring is NOT in it — keep its own backup apart from this one"
    )
    if report.missing_blobs:
        click.echo(
            f"warning: {len(report.missing_blobs)} evidence file(s) named by the database were "
            "not in the store (deleted after the dump, or lost): see the manifest",
            err=True,
        )


@backup_cli.command("restore")
@click.argument("folder", type=click.Path(file_okay=False, exists=True, path_type=Path))
def backup_restore(folder: Path) -> None:
    """Restore the backup in FOLDER into this EMPTY instance (no tables, no evidence files).

    Every checksum is verified first; the key ring must already be in place."""
    from casework.services.backup import BackupError, restore_backup

    try:
        report = restore_backup(folder)
    except BackupError as exc:
        raise click.ClickException(f"restore REFUSED: {exc}") from exc
    click.echo(
        f"restored {report.counts.get('cases', 0)} case(s) and {report.blobs} evidence "
        f"file(s) (schema revision {report.schema_revision or 'unknown'}); "
        "now run `flask --app casework db upgrade` if this code is newer than the backup"
    )


def register_backup_cli(app: Flask) -> None:
    app.cli.add_command(backup_cli)
