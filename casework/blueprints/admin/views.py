"""Admin views: organisations and users. Each action is one call into services/directory.py."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from casework.blueprints.admin import bp
from casework.blueprints.admin.forms import (
    ORG_KIND_LABELS,
    ROLE_LABELS,
    NewOrganisationForm,
    NewUserForm,
    OrganisationForm,
    ResetPasswordForm,
    ResetSecondFactorForm,
    UserForm,
    organisation_choices,
    show_errors,
)
from casework.models import Organisation, User
from casework.services.directory import operations as directory
from casework.services.directory.approvals import approvers, pending_for_user
from casework.services.directory.operations import split_codes
from casework.services.errors import InvalidInput
from casework.services.validation import whole_number
from casework.staff_session import staff

Page = str | Response | tuple[str, int]
INVALID = 422
AWAITING_ACCOUNT = _l(
    "A supervisor of the user's organisation must approve this account before they can sign "
    "in. Its supervisors have been told."
)
AWAITING_RESET = _l(
    "This takes effect only once a supervisor of the user's organisation approves it; until "
    "then the old one keeps working. Its supervisors and the user have been told."
)


def _organisation_or_404(org_id: int) -> Organisation:
    organisation = directory.find_organisation(org_id)
    if organisation is None:
        abort(404)
    return organisation


def _user_or_404(user_id: int) -> User:
    user = directory.find_user_by_id(user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/")
def index() -> Response:
    return redirect(url_for("admin.organisations"))


# --- organisations -----------------------------------------------------------------------------
@bp.get("/organisations")
def organisations() -> str:
    return render_template(
        "admin/organisations.html",
        organisations=directory.list_organisations(),
        kinds=ORG_KIND_LABELS,
    )


@bp.route("/organisations/new", methods=["GET", "POST"])
def organisation_new() -> Page:
    form = NewOrganisationForm()
    if form.validate_on_submit():
        try:
            organisation = directory.create_organisation(
                staff(),
                slug=form.slug.data or "",
                name=form.name.data or "",
                kind=form.kind.data or "",
                countries=split_codes(form.countries.data or ""),
                languages=split_codes(form.languages.data or ""),
            )
        except InvalidInput as invalid:
            show_errors(form, invalid.fields)
        else:
            flash(_("Organisation %(slug)s created.", slug=organisation.slug))
            return redirect(url_for("admin.organisations"))
    status = INVALID if form.is_submitted() else 200
    return render_template("admin/organisation_form.html", form=form, organisation=None), status


@bp.route("/organisations/<int:org_id>", methods=["GET", "POST"])
def organisation_edit(org_id: int) -> Page:
    organisation = _organisation_or_404(org_id)
    form = OrganisationForm(
        data={
            "name": organisation.name,
            "kind": organisation.kind,
            "countries": ", ".join(organisation.countries),
            "languages": ", ".join(organisation.languages),
            "active": organisation.active,
        }
        if request.method == "GET"
        else None
    )
    if form.validate_on_submit():
        try:
            directory.update_organisation(
                staff(),
                organisation,
                name=form.name.data or "",
                kind=form.kind.data or "",
                countries=split_codes(form.countries.data or ""),
                languages=split_codes(form.languages.data or ""),
                active=bool(form.active.data),
            )
        except InvalidInput as invalid:
            show_errors(form, invalid.fields)
        else:
            flash(_("Organisation %(slug)s saved.", slug=organisation.slug))
            return redirect(url_for("admin.organisations"))
    status = INVALID if form.is_submitted() else 200
    return render_template(
        "admin/organisation_form.html", form=form, organisation=organisation
    ), status


# --- users -------------------------------------------------------------------------------------
@bp.get("/users")
def users() -> str:
    org_id = request.args.get("organisation", "")
    return render_template(
        "admin/users.html",
        users=directory.list_users(whole_number(org_id)),
        roles=ROLE_LABELS,
    )


@bp.route("/users/new", methods=["GET", "POST"])
def user_new() -> Page:
    form = NewUserForm()
    form.organisation.choices = organisation_choices(directory.list_organisations())
    if form.validate_on_submit():
        try:
            user = directory.create_user(
                staff(),
                email=form.email.data or "",
                name=form.name.data or "",
                org_slug_or_id=form.organisation.data or "",
                role=form.role.data or "",
                languages=split_codes(form.languages.data or ""),
                password=form.password.data or "",
            )
        except InvalidInput as invalid:
            show_errors(form, invalid.fields)
        else:
            if user.awaiting_approval:
                flash(str(AWAITING_ACCOUNT))
            else:
                flash(_("User created. They set up their second factor at their first sign-in."))
            return redirect(url_for("admin.users"))
    status = INVALID if form.is_submitted() else 200
    return render_template("admin/user_new.html", form=form), status


def _user_page(
    user: User, form: UserForm | None = None, password_form: ResetPasswordForm | None = None
) -> str:
    if form is None:
        form = UserForm(
            data={
                "name": user.name,
                "organisation": str(user.organisation_id),
                "role": user.role,
                "languages": ", ".join(user.languages),
                "active": user.active,
            }
        )
    form.organisation.choices = organisation_choices(directory.list_organisations())
    return render_template(
        "admin/user_edit.html",
        user=user,
        pending=pending_for_user(user),
        approvers=approvers(user.organisation_id, exclude_user_id=user.id),
        form=form,
        password_form=password_form or ResetPasswordForm(formdata=None, prefix="reset"),
        totp_form=ResetSecondFactorForm(formdata=None, prefix="totp"),
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int) -> Page:
    user = _user_or_404(user_id)
    if request.method == "GET":
        return _user_page(user)
    form = UserForm()
    if form.validate_on_submit():
        try:
            directory.update_user(
                staff(),
                user,
                name=form.name.data or "",
                role=form.role.data or "",
                languages=split_codes(form.languages.data or ""),
                active=bool(form.active.data),
                organisation=form.organisation.data or "",
            )
        except InvalidInput as invalid:
            show_errors(form, invalid.fields)
        else:
            flash(_("User saved."))
            if user.awaiting_approval:
                flash(str(AWAITING_ACCOUNT))
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return _user_page(user, form=form), INVALID


@bp.post("/users/<int:user_id>/password")
def user_reset_password(user_id: int) -> Page:
    user = _user_or_404(user_id)
    form = ResetPasswordForm(prefix="reset")
    if form.validate_on_submit():
        try:
            pending = directory.reset_password(staff(), user, form.password.data or "")
        except InvalidInput as invalid:
            show_errors(form, invalid.fields)
        else:
            if pending is not None:
                flash(str(AWAITING_RESET))
            else:
                flash(_("Password set. The user's open sessions have ended."))
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return _user_page(user, password_form=form), INVALID


@bp.post("/users/<int:user_id>/second-factor")
def user_reset_totp(user_id: int) -> Response:
    user = _user_or_404(user_id)
    if not ResetSecondFactorForm(prefix="totp").validate_on_submit():
        abort(400)
    if directory.reset_totp(staff(), user) is not None:
        flash(str(AWAITING_RESET))
    else:
        flash(_("Second factor reset. The user sets up a new one at their next sign-in."))
    return redirect(url_for("admin.user_edit", user_id=user.id))
