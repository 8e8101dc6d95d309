"""Flask CLI groups; each command is a thin call into a service."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from flask import Flask
from flask.cli import AppGroup

from casework.crypto.keyring import generate_env_entry

if TYPE_CHECKING:
    from casework.services.audit import ChainReport

keys_cli = AppGroup("keys", help="Master key ring.")
demo_cli = AppGroup("demo", help="Demo and reference data.")
evidence_cli = AppGroup("evidence", help="The evidence store.")
audit_cli = AppGroup("audit", help="The audit trail.")
jobs_cli = AppGroup("jobs", help="Scheduled jobs.")
reports_cli = AppGroup("reports", help="Outcome reports.")


@reports_cli.command("refresh-facts")
def reports_refresh_facts() -> None:
    """Recompute every case's report facts and rebuild the report rollups from them (after
    loading data around the application)."""
    from casework.extensions import db
    from casework.services.reports.facts import refresh_all

    count = refresh_all(db.session.connection())
    db.session.commit()
    click.echo(f"report facts recomputed for {count} case(s)")


@jobs_cli.command("run")
@click.argument("name")
def jobs_run(name: str) -> None:
    """Run one job now (or `all`), whatever its schedule."""
    from casework.jobs import JOBS, run_job

    names = list(JOBS) if name == "all" else [name]
    for job in names:
        if job not in JOBS:
            raise click.BadParameter(f"unknown job {job}; known: {', '.join(JOBS)}, all")
        click.echo(f"{job}: {run_job(job)}")


@jobs_cli.command("list")
def jobs_list() -> None:
    """The jobs and when each last ran."""
    from casework.extensions import db
    from casework.jobs import JOBS
    from casework.models import JobRun

    for name, job in JOBS.items():
        record = db.session.get(JobRun, name)
        last = record.last_run_at.isoformat(timespec="seconds") if record else "never"
        click.echo(f"{name:<10} every {job.every}  last run {last}  — {job.description}")


@audit_cli.command("verify")
@click.option(
    "--anchors",
    "extra_anchors",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Another file holding anchor lines (another node's anchor file, an export of the log "
    "stream); repeatable. The configured anchor file is always read.",
)
def audit_verify(extra_anchors: tuple[str, ...]) -> None:
    """Check every link and MAC of the audit chain, then the published anchors: the first
    problem is reported (exit status 1)."""
    from casework.services.audit import verify_audit_chain

    _report_chain(verify_audit_chain(extra_anchors))


@audit_cli.command("seal")
def audit_seal() -> None:
    """Verify the trail, then append an event sealed with the audit key that covers everything
    before it (run once after upgrading from the unkeyed chain; harmless to repeat)."""
    from casework.services.audit import seal_audit_chain

    _report_chain(seal_audit_chain())


def _report_chain(report: ChainReport) -> None:
    if report.intact:
        keyed = f"keyed from event {report.keyed_from}" if report.keyed_from else "not keyed yet"
        click.echo(
            f"audit chain intact: {report.checked} event(s) verified ({keyed}); "
            f"{report.anchors_checked} anchor(s) matched, newest anchor at "
            f"{report.newest_anchor or 'none'}, head at {report.head or 'none'}"
        )
        return
    click.echo(
        f"audit chain BROKEN at event {report.first_broken_id}: {report.reason} "
        f"({report.checked} event(s) verified before it)",
        err=True,
    )
    raise SystemExit(1)


@keys_cli.command("rotate")
def keys_rotate() -> None:
    """Add a master key and re-wrap every case key with it (blobs are untouched).

    With CASEWORK_MASTER_KEYS set, first append a new key to it (see `keys generate`);
    this command then re-wraps every case key with that last key.
    """
    from flask import current_app

    from casework.crypto import KeyRingError
    from casework.services.keys.rotation import rotate_master_key

    from_env = bool(current_app.config["MASTER_KEYS"])
    try:
        report = rotate_master_key(add_new_key=not from_env)
    except KeyRingError as exc:
        raise click.ClickException(f"rotation NOT complete: {exc}") from exc
    click.echo(
        f"current master key: {report.new_key_id}; re-wrapped {report.rewrapped} case key(s)"
    )


@keys_cli.command("generate")
def keys_generate() -> None:
    """Print a fresh id:key entry to append to CASEWORK_MASTER_KEYS."""
    click.echo(generate_env_entry())


@keys_cli.command("reseal-events")
def keys_reseal_events() -> None:
    """Bind notes' and messages' bodies sealed before issue 12 to their event (run once after
    upgrading; harmless to repeat)."""
    from casework.services.keys.event_seals import reseal_event_bodies

    click.echo(str(reseal_event_bodies()))


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing if the database already has cases.")
def demo_load(if_empty: bool) -> None:
    """Load reference data (countries), 300 demo cases worked over 18 months and 3 new ones."""
    from casework.services.demo_data import load_demo_data

    click.echo(load_demo_data(only_if_empty=if_empty))


@demo_cli.command("reference")
def demo_reference() -> None:
    """Reference data for the demo: `reference load` plus the demo corridors and demo exchange
    rates (NOT for production: use `flask --app casework reference load`)."""
    from casework.services.demo_data import load_reference_data

    click.echo(f"{load_reference_data()} countries offered")


@evidence_cli.command("cleanup")
@click.option("--remove", is_flag=True, help="Delete what is found (default: only report).")
def evidence_cleanup(remove: bool) -> None:
    """Report (or remove) orphaned blobs, stale temporary uploads and interrupted uploads."""
    from casework.services.evidence.cleanup import clean_evidence_store

    click.echo(clean_evidence_store(remove=remove).summary())


@click.command("scheduler")
@click.option("--tick", default=5, show_default=True, help="Seconds between leader ticks.")
def scheduler_command(tick: int) -> None:
    """The long-running scheduler process (one leader fires jobs, however many run); it gives
    its lease up on SIGTERM/SIGINT so that a standby takes over at once."""
    from flask import current_app

    from casework.jobs.process import run_scheduler

    app = current_app._get_current_object()  # type: ignore[attr-defined]  # noqa: SLF001
    click.echo(f"scheduler started; ticking every {tick}s")
    holder = run_scheduler(app, tick_seconds=tick)
    click.echo(f"scheduler {holder} stopped")


def register_cli(app: Flask) -> None:
    from casework.cli_agencies import agencies_cli
    from casework.cli_backup import register_backup_cli
    from casework.cli_directory import register_directory_cli
    from casework.cli_reference import reference_cli

    for group in (keys_cli, demo_cli, evidence_cli, audit_cli, jobs_cli, reports_cli):
        app.cli.add_command(group)
    app.cli.add_command(reference_cli)
    app.cli.add_command(agencies_cli)
    app.cli.add_command(scheduler_command)
    register_directory_cli(app)
    register_backup_cli(app)
