"""Thin views: list and create groups, a group's page and its changes, the joint pack."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from casework.blueprints.groups import bp
from casework.services.errors import InvalidInput
from casework.services.groups.access import load_group
from casework.services.groups.notes import add_group_note
from casework.services.groups.operations import (
    GroupRefused,
    add_case,
    close_group,
    create_group,
    remove_case,
)
from casework.services.groups.outcomes import amount_field, record_group_outcome
from casework.services.groups.pack import build_joint_pack
from casework.services.groups.page import group_page, groups_page
from casework.services.referrals.pack import IDENTITY_LABELS
from casework.services.validation import whole_number
from casework.staff_session import staff
from casework.vocabulary.fees import CONTACT_CHANNELS
from casework.vocabulary.forums import ABUSE_LABELS, FORUM_KINDS
from casework.vocabulary.labels import STATUS_LABELS
from casework.vocabulary.outcomes import MONEY_KINDS, OUTCOMES


def _not_saved(invalid: InvalidInput) -> None:
    flash(_("Not saved: %(why)s", why=" ".join(str(v) for v in invalid.fields.values())))


def _back(group_id: int, anchor: str | None = None) -> BaseResponse:
    return redirect(url_for("groups.detail", group_id=group_id, _anchor=anchor))


@bp.get("/")
def index() -> str:
    return render_template("groups/index.html", page=groups_page(staff()))


@bp.post("/")
def create() -> BaseResponse:
    form = request.form
    try:
        group = create_group(
            staff(),
            form.get("title", ""),
            form.get("respondent_kind", ""),
            whole_number(form.get("agency_id", "")),
            form.get("employer_name", ""),
            tuple(form.getlist("reference")),
        )
    except InvalidInput as invalid:
        _not_saved(invalid)
        return redirect(url_for("groups.index"))
    except GroupRefused as refused:
        flash(str(refused))
        return redirect(url_for("groups.index"))
    flash(_("Group created."))
    return _back(group.id)


@bp.get("/<int:group_id>")
def detail(group_id: int) -> str:
    actor = staff()
    return render_template(
        "groups/detail.html",
        page=group_page(actor, load_group(actor, group_id)),
        abuse_labels=ABUSE_LABELS,
        status_labels=STATUS_LABELS,
        outcomes=OUTCOMES,
        money_kinds=MONEY_KINDS,
        forum_kinds=FORUM_KINDS,
        amount_field=amount_field,
    )


@bp.post("/<int:group_id>/members")
def add_member(group_id: int) -> BaseResponse:
    actor = staff()
    group = load_group(actor, group_id)
    try:
        add_case(actor, group, request.form.get("reference", ""))
    except GroupRefused as refused:
        flash(str(refused))
    else:
        flash(_("Case added to the group."))
    return _back(group_id, "members")


@bp.post("/<int:group_id>/members/<int:member_id>/remove")
def remove_member(group_id: int, member_id: int) -> BaseResponse:
    actor = staff()
    try:
        remove_case(actor, load_group(actor, group_id), member_id)
    except GroupRefused as refused:
        flash(str(refused))
    else:
        flash(_("Case taken out of the group."))
    return _back(group_id, "members")


@bp.post("/<int:group_id>/notes")
def add_note(group_id: int) -> BaseResponse:
    actor = staff()
    group = load_group(actor, group_id)
    try:
        add_group_note(
            actor, group, request.form.get("body", ""), request.form.get("shared") == "y"
        )
    except InvalidInput as invalid:
        _not_saved(invalid)
    else:
        flash(_("Note added to every case in the group."))
    return _back(group_id, "notes")


@bp.post("/<int:group_id>/outcomes")
def record_outcome(group_id: int) -> BaseResponse:
    actor = staff()
    group = load_group(actor, group_id)
    try:
        outcomes = record_group_outcome(actor, group, request.form.to_dict())
    except InvalidInput as invalid:
        _not_saved(invalid)
    else:
        flash(_("Outcome recorded for %(count)s cases.", count=len(outcomes)))
    return _back(group_id, "outcome")


@bp.post("/<int:group_id>/close")
def close(group_id: int) -> BaseResponse:
    actor = staff()
    close_group(actor, load_group(actor, group_id))
    flash(_("Group closed."))
    return _back(group_id)


@bp.get("/<int:group_id>/pack")
def pack(group_id: int) -> str:
    actor = staff()
    forum = request.args.get("forum", "")
    pack = build_joint_pack(
        actor, load_group(actor, group_id), forum if forum in FORUM_KINDS else None
    )
    return render_template(
        "groups/pack.html",
        pack=pack,
        abuse_labels=ABUSE_LABELS,
        forum_kinds=FORUM_KINDS,
        identity_labels=IDENTITY_LABELS,
        contact_channels=CONTACT_CHANNELS,
    )
