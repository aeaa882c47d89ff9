"""Routes that serve evidence are marked with `@evidence_read(...)`: each read is logged (actor, target, route)
and so is each refusal (wrong role, not found, another case's booth token, not sealed) with its reason, through
kiosk.archive.evidence_reads. tests/security/test_evidence_reads.py walks app.url_map so that a route serving
evidence without the mark fails.

A view may set `g.refusal_reason` before aborting to name the reason more precisely than its status code, and
`g.evidence_target` once it knows the case; `mark_logged()` tells the decorator the view logged the read itself
(with more detail).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import Any

from flask import g, make_response, request
from werkzeug.exceptions import HTTPException

from kiosk.archive.evidence_reads import log_evidence_read, log_refused_read, refusal_for_status
from kiosk.text import KioskError
from web.auth import current_user
from web.db import get_session
from web.services import get_archive

MARK = "evidence_read"
LOGIN_PAGE = re.compile(r"/login(\?|$)")


def mark_logged() -> None:
    g.evidence_logged = True


def log_read_now(action: str, target: str, detail: dict[str, Any] | None = None) -> None:
    """Log this read with its route now (committed before anything is shown, and before a streaming response
    closes the request's session); the decorator then logs it no more."""
    session = get_session()
    log_evidence_read(session, current_user(), action, target, request.endpoint or request.path,
                      request.remote_addr or "", detail)
    session.commit()
    get_archive().refresh_access_checkpoint(session)
    mark_logged()


def refuse_as(reason: str) -> None:
    """Name why the coming abort refuses the read."""
    g.refusal_reason = reason


def _refused(target: str, reason: str, status: int) -> None:
    session = get_session()
    session.rollback()
    log_refused_read(session, current_user(), g.get("evidence_target", target), request.endpoint or request.path,
                     g.get("refusal_reason") or reason, request.remote_addr or "", {"status": status})
    session.commit()
    get_archive().refresh_access_checkpoint(session)


def evidence_read(action: str, target: Callable[[Mapping[str, Any]], str]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a view as serving evidence: log its read as `action` on `target(view kwargs)`, and every refusal."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            what = target(kwargs)
            try:
                response = make_response(view(*args, **kwargs))
            except HTTPException as err:
                _refused(what, refusal_for_status(err.code or 500), err.code or 500)
                raise
            except KioskError as err:
                _refused(what, err.code if err.code in ("file_missing", "file_altered") else "error", err.status)
                raise
            status = response.status_code
            if 300 <= status < 400 and not LOGIN_PAGE.search(response.headers.get("Location", "")):
                pass  # done elsewhere (a form's redirect back to its page): nothing was shown here
            elif status >= 300:
                _refused(what, refusal_for_status(status), status)
            elif not g.get("evidence_logged"):
                log_read_now(action, g.get("evidence_target", what))
            return response

        setattr(wrapped, MARK, action)
        return wrapped

    return decorator


def is_evidence_route(view: Callable[..., Any]) -> bool:
    return getattr(view, MARK, None) is not None
