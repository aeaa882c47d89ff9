"""The public progress page (no login): case number + the last 4 characters of the website leader's ID number ->
the state and the next step only (kiosk.notices.progress), rate-limited per client address."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, request

from kiosk.counter_words import COUNTER_WORDS
from kiosk.notices.progress import progress_lookup
from web.db import get_session

bp = Blueprint("progress", __name__)


@bp.route("/progress", methods=["GET", "POST"])
def progress() -> Any:
    answer, status = None, 200
    if request.method == "POST":
        if not current_app.extensions["kiosk.progress_limiter"].allow(request.remote_addr or ""):
            return render_template("progress.html", answer=None, limited=True, words=COUNTER_WORDS), 429
        answer = progress_lookup(get_session(), request.form.get("case_number", ""), request.form.get("id_last4", ""))
    return render_template("progress.html", answer=answer, limited=False, words=COUNTER_WORDS), status
