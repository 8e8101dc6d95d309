"""The public side of nudges: the SMS gateway's inbound webhook and the worker's stop button."""

from __future__ import annotations

import hmac
from collections.abc import Callable

from flask import (
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from casework.blueprints.intake.cookies import FOLLOWUP_COOKIE
from casework.blueprints.nudges import bp
from casework.services.followup.sessions import followup_session_case
from casework.services.notifications.nudges import (
    is_stop_reply,
    stop_by_phone,
    stop_for_case,
    worker_nudge_state,
)


def _gateway_authenticated() -> bool:
    expected = current_app.config["SMS_INBOUND_TOKEN"]
    given = request.headers.get("Authorization", "")
    scheme, _, token = given.partition(" ")
    if not expected:
        abort(404)  # the webhook is off until a token is configured
    return scheme.lower() == "bearer" and hmac.compare_digest(
        token.strip().encode("utf-8"), expected.encode("utf-8")
    )


@bp.post("/sms/inbound")
def sms_inbound() -> tuple[Response, int]:
    """A reply from a worker's phone, forwarded by the gateway: {"from": ..., "text": ...}
    (JSON or a form). STOP (or UNSUBSCRIBE, CANCEL, END, QUIT) stops every nudge to that
    number. The answer is the same whatever the number, so it tells nobody anything."""
    if not _gateway_authenticated():
        return jsonify(error={"code": "unauthorized", "message": "bad token"}), 401
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        data = request.form.to_dict()
    sender, text = data.get("from"), data.get("text")
    if isinstance(sender, str) and is_stop_reply(text):
        stop_by_phone(sender)
    return jsonify(ok=True), 200


@bp.post("/follow-up/stop-news")
def stop_news() -> Response:
    """ "Stop telling me": the worker signed in to the follow-up page wants no more nudges."""
    case = followup_session_case(request.cookies.get(FOLLOWUP_COOKIE))
    if case is None:
        abort(make_response(render_template("intake/followup_expired.html"), 403))
    stop_for_case(case)
    return redirect(url_for("intake.followup_case") + "#news-texts", 303)


@bp.app_context_processor
def _worker_nudges() -> dict[str, Callable[[], str]]:
    """`news_texts()` for the follow-up page's partial: "on", "stopped" or "" — a function, so
    no other page runs the query."""

    def news_texts() -> str:
        return worker_nudge_state(followup_session_case(request.cookies.get(FOLLOWUP_COOKIE)))

    return {"news_texts": news_texts}
