"""Finishing the on-site verification seals the evidence in the same transaction as the move."""

from sqlalchemy import select

from kiosk import cases
from kiosk.archive.verify import verify_archive
from kiosk.models import Attachment, Case, PhotoAttempt, Seal, User
from tests.conftest import blob_store, post
from web.db import get_database


def onsite_case_with_evidence(app, form, *, drop_blob: bool = False, contents: dict[str, bytes] | None = None) -> int:
    """An on-site case with every checklist item accepted; `contents` gives real files for some kinds (the
    verification photo stored plain, scans encrypted), the rest are stand-in bytes."""
    store = blob_store(app)
    contents = contents or {}
    with get_database(app).session() as s:
        staff = s.scalars(select(User).where(User.role == "staff")).one()
        case = cases.create_case(s, cases.validate_case_input(form), staff)
        case.state = "onsite_verification"
        s.flush()
        for i, item in enumerate(cases.checklist(case)):
            kind = item.requirement.kind.value
            ref = store.put(contents.get(kind, f"{kind} scan {i}".encode()), encrypt=kind != "verification_photo")
            if kind == "verification_photo":
                s.add(PhotoAttempt(case_id=case.id, image_sha256=ref.sha256, image_size=ref.size, width=1,
                                   height=1, passed=True, status="accepted"))
            else:
                s.add(Attachment(case_id=case.id, kind=kind, status="accepted", original_sha256=ref.sha256,
                                 original_size=ref.size, encrypted=ref.encrypted, uploaded_by_id=staff.id,
                                 filename=f"{kind}.jpg" if kind in contents else ""))
            if drop_blob and kind == "verification_sheet":
                path = store.find(ref.sha256)
                path.unlink()
        return case.id


def test_finish_seals_case(staff_client, app, enterprise_form):
    case_id = onsite_case_with_evidence(app, enterprise_form)
    response = post(staff_client, f"/cases/{case_id}/move", {"move": "finish_verification"})
    assert response.status_code == 303
    with get_database(app).session() as s:
        case = s.get(Case, case_id)
        assert case.state == "awaiting_internal_audit" and case.sealed_at is not None
        seal = s.scalars(select(Seal).where(Seal.case_id == case_id)).one()
        assert seal.kind == "seal"
    with get_database(app).session() as s:
        report = verify_archive(blob_store(app), s)
    assert report.ok, report


def test_failed_seal_leaves_case_unchanged(staff_client, app, enterprise_form):
    case_id = onsite_case_with_evidence(app, enterprise_form, drop_blob=True)
    response = post(staff_client, f"/cases/{case_id}/move", {"move": "finish_verification"}, follow_redirects=True)
    with get_database(app).session() as s:
        case = s.get(Case, case_id)
        assert case.state == "onsite_verification" and case.sealed_at is None
        assert s.scalars(select(Seal)).all() == []
    assert "flash error" in response.data.decode()
