"""`flask orgs ...` and `flask users ...`: the directory from the command line (first admin,
scripted set-up, a locked-out admin). Each command is one call into services/directory/.

Changes made here take effect at once, without a supervisor's approval: whoever runs these
commands on the server holds the key ring and the database anyway. That is also how an
organisation gets its first supervisor (`users create`, or `users approve` for one an admin
created on the web)."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from casework.models import User
from casework.models.people import ORG_KINDS, ROLES
from casework.services.actors import SystemActor
from casework.services.directory import approvals
from casework.services.directory import operations as directory
from casework.services.directory.operations import split_codes
from casework.services.errors import InvalidInput

CLI_ACTOR = SystemActor("cli")

orgs_cli = AppGroup("orgs", help="Organisations (unions, legal aid, NGOs, resource centres).")
users_cli = AppGroup("users", help="Staff users.")


def _fail(invalid: InvalidInput) -> click.ClickException:
    lines = [f"  {name}: {message}" for name, message in invalid.fields.items()]
    return click.ClickException("nothing was changed:\n" + "\n".join(lines))


def _read_password(from_stdin: bool) -> str:
    """The new password: the whole of standard input (one trailing newline removed), or asked
    for twice without echo. Never an option, which would land in shell history and `ps`."""
    if from_stdin:
        password = sys.stdin.read().removesuffix("\n").removesuffix("\r")
        if not password:
            raise click.ClickException("standard input is empty; no password given")
        return password
    prompted: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return prompted


def _find_user(email: str) -> User:
    user = directory.find_user_by_email(email)
    if user is None:
        raise click.ClickException("there is no user with this email")
    return user


# --- orgs --------------------------------------------------------------------------------------
@orgs_cli.command("create")
@click.option("--slug", required=True, help="Permanent short name, e.g. gefont-np.")
@click.option("--name", required=True)
@click.option("--kind", required=True, type=click.Choice(ORG_KINDS))
@click.option("--countries", required=True, help="ISO country codes, e.g. NP,QA.")
@click.option("--languages", required=True, help="ISO language codes, e.g. ne,en.")
def orgs_create(slug: str, name: str, kind: str, countries: str, languages: str) -> None:
    """Create an organisation."""
    try:
        organisation = directory.create_organisation(
            CLI_ACTOR, slug, name, kind, split_codes(countries), split_codes(languages)
        )
    except InvalidInput as invalid:
        raise _fail(invalid) from None
    click.echo(f"created organisation {organisation.slug} (id {organisation.id})")


@orgs_cli.command("list")
def orgs_list() -> None:
    """List organisations."""
    for org in directory.list_organisations():
        state = "active" if org.active else "inactive"
        click.echo(
            f"{org.id}\t{org.slug}\t{org.kind}\t{','.join(org.countries)}\t"
            f"{','.join(org.languages)}\t{state}\t{org.name}"
        )


# --- users -------------------------------------------------------------------------------------
@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--org", "org", required=True, help="Organisation slug or id.")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--languages", required=True, help="ISO language codes, e.g. ne,en.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_create(
    email: str, name: str, org: str, role: str, languages: str, password_stdin: bool
) -> None:
    """Create a staff user; they set up their second factor at first sign-in."""
    password = _read_password(password_stdin)
    try:
        user = directory.create_user(
            CLI_ACTOR, email, name, org, role, split_codes(languages), password
        )
    except InvalidInput as invalid:
        raise _fail(invalid) from None
    click.echo(f"created user {user.id} ({user.role}, {user.organisation.slug})")


@users_cli.command("list")
@click.option("--org", "org", default="", help="Only this organisation (slug or id).")
def users_list(org: str) -> None:
    """List users (never passwords or second-factor keys)."""
    organisation_id = None
    if org:
        organisation = directory.find_organisation(org)
        if organisation is None:
            raise click.ClickException("there is no such organisation")
        organisation_id = organisation.id
    for user in directory.list_users(organisation_id):
        state = "active" if user.active else "inactive"
        if user.awaiting_approval:
            state += ",awaiting-approval"
        totp = "2fa" if user.has_totp else "no-2fa"
        click.echo(
            f"{user.id}\t{user.email}\t{user.organisation.slug}\t{user.role}\t"
            f"{','.join(user.languages)}\t{state}\t{totp}\t{user.name}"
        )


@users_cli.command("reset-password")
@click.option("--email", required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_reset_password(email: str, password_stdin: bool) -> None:
    """Set a new password and end the user's sessions."""
    user = _find_user(email)
    try:
        directory.reset_password(CLI_ACTOR, user, _read_password(password_stdin))
    except InvalidInput as invalid:
        raise _fail(invalid) from None
    click.echo(f"password set for user {user.id}; their sessions have ended")


@users_cli.command("reset-2fa")
@click.option("--email", required=True)
def users_reset_totp(email: str) -> None:
    """Forget the user's second factor; they set up a new one at next sign-in."""
    user = _find_user(email)
    directory.reset_totp(CLI_ACTOR, user)
    click.echo(f"second factor reset for user {user.id}")


@users_cli.command("approve")
@click.option("--email", required=True)
def users_approve(email: str) -> None:
    """Approve every change an admin asked for on this account (a new account, a move, a
    password or second-factor reset). For an organisation's first supervisor, whom no other
    supervisor can approve; otherwise a supervisor approves on the web."""
    user = _find_user(email)
    count = approvals.approve_all_by_operator(CLI_ACTOR, user)
    click.echo(f"{count} pending change(s) approved for user {user.id}")


def register_directory_cli(app: Flask) -> None:
    for group in (orgs_cli, users_cli):
        app.cli.add_command(group)
