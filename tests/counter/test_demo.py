"""`python -m kiosk demo --cases N`: demo cases made through the counter's own steps, sealed where their state
needs it, listed by the counter and the audit pages; a second run refuses unless told to add.

One seeding for the module (it draws and checks some 30 specimen scans): the specimens' own text stands in for
the OCR models (--canned-ocr), the photo judge is the real one on frames of the demo video.
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.archive.verify import verify_archive
from kiosk.cli import main
from kiosk.models import AuditEvent, Case, PhotoAttempt, Seal, User
from kiosk.workflow import State
from tests.conftest import build_app, login, make_settings
from web.db import get_database
from web.services import get_archive

SEALED_STATES = {State.AWAITING_AUDIT, State.RETURNED_FOR_CORRECTION, State.APPROVED}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A temporary var folder seeded with six demo cases; returns it and what the command printed."""
    tmp_path = tmp_path_factory.mktemp("demo")
    settings = make_settings(tmp_path)
    env = {"KIOSK_VAR_DIR": str(tmp_path / "var"), "KIOSK_SECRET_KEY": "test-secret-key", "KIOSK_NAME": "test-kiosk",
           "KIOSK_CAMERA": "none", "KIOSK_LIVENESS": "off", "KIOSK_FACE_MATCH": "off"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(["demo", "--cases", "6", "--canned-ocr"]) == 0
        printed = out.getvalue()
        with contextlib.redirect_stdout(io.StringIO()) as again:
            assert main(["demo", "--cases", "1", "--canned-ocr"]) == 1  # demo cases exist: refused
        assert "--add" in again.getvalue()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    assert settings.archive_dir.exists()
    return tmp_path, printed


@pytest.fixture(scope="module")
def demo_app(seeded):
    tmp_path, _printed = seeded
    app = build_app(tmp_path)
    yield app
    app.extensions["kiosk.db"].dispose()


def test_six_cases_in_every_state_made_through_the_counter(seeded, demo_app) -> None:
    _tmp, printed = seeded
    with get_database(demo_app).session() as s:
        cases = s.scalars(select(Case).order_by(Case.id)).all()
        assert len(cases) == 6
        assert {c.state for c in cases} == {State.DRAFT, State.ONSITE, *SEALED_STATES}
        assert len({c.subject_type for c in cases}) >= 4 and len({c.province for c in cases}) == 6
        assert len({c.kiosk_name for c in cases}) == 3
        for case in cases:
            assert case.number in printed
            assert (case.sealed_at is not None) == (case.state in SEALED_STATES), case.number
            if case.state == State.APPROVED:
                assert case.record_number and case.record_number in printed
            if case.state != State.DRAFT:  # every required item checked and accepted, the photo judged
                attempt = s.scalars(select(PhotoAttempt).where(PhotoAttempt.case_id == case.id)).one()
                assert attempt.status == "accepted" and attempt.verdict["results"]
                kinds = {a.kind for a in case.attachments if a.status == "accepted"}
                assert kinds and all(a.checks for a in case.attachments)
        assert s.scalars(select(Seal)).all()
        assert len(s.scalars(select(AuditEvent).where(AuditEvent.action == "demo_seeded")).all()) == 6
        demo_users = {u.username: u.role for u in s.scalars(select(User).where(User.username.like("demo-%")))}
    assert demo_users == {"demo-staff": "staff", "demo-supervisor": "supervisor", "demo-auditor": "auditor",
                          "demo-admin": "admin"}
    for name in demo_users:
        assert name in printed  # with its password, shown once


def test_sealed_demo_cases_pass_verify_archive(demo_app) -> None:
    with get_database(demo_app).session() as s:
        report = verify_archive(get_archive(demo_app).store, s)
    assert report.ok, report


def test_counter_and_audit_pages_list_the_demo_cases(demo_app) -> None:
    with get_database(demo_app).session() as s:
        cases = [(c.id, c.number, c.sealed_at is not None) for c in s.scalars(select(Case))]
    staff = demo_app.test_client()
    login(staff, "staff")
    listing = staff.get("/cases")
    assert listing.status_code == 200
    for case_id, number, _sealed in cases:
        assert number in listing.get_data(as_text=True)
        assert staff.get(f"/cases/{case_id}").status_code == 200
    auditor = demo_app.test_client()
    login(auditor, "auditor")
    search = auditor.get("/audit/")
    assert search.status_code == 200
    for _case_id, number, sealed in cases:
        if sealed:
            assert number in search.get_data(as_text=True)
            assert auditor.get(f"/audit/cases/{number}").status_code == 200


def test_demo_plans_are_valid_case_forms_and_never_repeat() -> None:
    """Every planned case passes the case form's validation; names, domains and numbers differ from case to case
    (so `--add` never meets a duplicate open case), and the same index and seed give the same case."""
    from kiosk.cases import validate_case_input
    from kiosk.demo import plan_case

    plans = [plan_case(i, seed=1) for i in range(24)]
    for plan in plans:
        validate_case_input(plan.form)
    assert len({p.domain for p in plans}) == 24
    assert len({p.form["subject_cert_number"] for p in plans}) == 24
    assert plan_case(5, seed=1) == plans[5] and plan_case(5, seed=2) != plans[5]
