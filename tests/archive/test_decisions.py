"""Later decisions are sealed (a signed decision manifest per move of a sealed case; the pack and its PDF show the
current state, record number and whole timeline), and the sealed record is compared with the database
(verify-archive and the per-case integrity name each difference)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from pypdf import PdfReader
from sqlalchemy import text

from kiosk import cases, words
from kiosk.archive import sealing
from kiosk.archive.manifest import MANIFEST_DIR, read_manifest
from kiosk.archive.pack import case_integrity, verify_pack
from kiosk.archive.service import Archive
from kiosk.archive.verify import verify_archive
from kiosk.models import Case, Seal, User
from tests.archive.factory import finish, make_case, make_user
from tests.archive.test_verify import run_cli

RECORD = "京ICP备2026012345号-1"


@pytest.fixture
def approved(arch):
    """A case sealed by one clerk, audited by another, submitted and approved with a record number."""
    archive = Archive(arch.store, arch.signer, "kiosk-1", 3650)
    with arch.db.session() as s:
        staff = s.get(User, arch.staff_id)
        second = make_user(s, "li", "staff")
        case = make_case(s, arch.store, staff)
        finish(s, case, staff)
        sealing.seal_case(s, arch.store, arch.signer, case, staff, "kiosk-1")
        s.commit()
        cases.move_case(s, case, "pass_audit", second, archive=archive)
        s.commit()
        cases.move_case(s, case, "submit_to_administration", second, archive=archive)
        s.commit()
        cases.move_case(s, case, "approve", second, record_number=RECORD, archive=archive)
        s.commit()
        arch.case_id = case.id
    arch.archive = archive
    return arch


def manifests(arch) -> list[dict]:
    return [read_manifest(p).content for p in sorted((arch.root / MANIFEST_DIR).glob("*.json"))]


def problems(arch) -> list[tuple[str, str]]:
    with arch.db.session() as s:
        return [(p.code, p.subject) for p in verify_archive(arch.store, s).problems]


def test_each_later_move_appends_a_signed_decision(approved):
    kinds = [(m["kind"], (m.get("decision") or {}).get("move")) for m in manifests(approved)]
    assert kinds == [("seal", None), ("decision", "pass_audit"), ("decision", "submit_to_administration"),
                     ("decision", "approve")]
    last = manifests(approved)[-1]["decision"]
    assert last["record_number"] == RECORD and last["to_state"] == "approved" and last["actor"]["username"] == "li"
    assert problems(approved) == []


def test_a_move_of_a_sealed_case_without_the_archive_is_refused(approved):
    with approved.db.session() as s:
        case = s.get(Case, approved.case_id)
        case.state = "at_administration"
        with pytest.raises(ValueError, match="sealed"):
            cases.move_case(s, case, "administration_return", s.get(User, approved.staff_id), reason="材料不全")
        s.rollback()


def test_pack_and_pdf_show_the_current_state_record_number_and_timeline(approved):
    with approved.db.session() as s:
        case = s.get(Case, approved.case_id)
        pack = approved.archive.build_pack(s, case, s.get(User, approved.auditor_id))
    assert verify_pack(pack.data).ok
    zf = zipfile.ZipFile(io.BytesIO(pack.data))
    assert len([n for n in zf.namelist() if n.endswith(".json") and n.startswith("manifests/")]) == 4
    pdf = "".join(page.extract_text() for page in PdfReader(io.BytesIO(zf.read("report.pdf"))).pages)
    pdf = "".join(pdf.split())  # table cells wrap long words
    assert RECORD in pdf
    assert "已备案" in pdf or "Approved" in pdf
    for move in ("pass_audit", "submit_to_administration", "approve"):
        assert words.word("move", move).zh in pdf and move not in pdf  # the timeline in words, not codes
    assert json.loads(zf.read("pack.json"))["integrity"]["status"] == "intact"


@pytest.mark.parametrize(("sql", "field"), [
    ("UPDATE cases SET subject_name='EDITED'", "case.subject_name"),
    ("UPDATE attachments SET override_reason='edited later' WHERE override_reason IS NOT NULL", "override_reason"),
    ("UPDATE attachments SET passed = 1 WHERE passed = 0", ".passed"),
    ("UPDATE check_results SET status='fail'", ".results"),
    ("UPDATE cases SET record_number='京ICP备2026099999号-1'", "case.record_number"),
    ("UPDATE cases SET state='returned_for_correction'", "case.state"),
    ("UPDATE case_events SET reason='rewritten' WHERE move='pass_audit'", "timeline"),
])
def test_database_edits_of_a_sealed_case_are_named(approved, sql, field):
    with approved.db.session() as s:
        s.execute(text(sql))
        s.commit()
    found = problems(approved)
    assert found and all(code == "record_mismatch" for code, _ in found), found
    assert any(field in subject for _, subject in found), found
    with approved.db.session() as s:
        integrity = case_integrity(s, approved.store, approved.case_id)
    assert integrity.status == "damaged"


def test_verify_archive_command_exits_1_on_an_edited_subject_name(approved):
    with approved.db.session() as s:
        s.execute(text("UPDATE cases SET subject_name='EDITED'"))
        s.commit()
    run = run_cli(approved)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "RECORD_MISMATCH" in run.stdout and "case.subject_name" in run.stdout


def test_returned_case_may_be_corrected_without_a_mismatch(arch):
    archive = Archive(arch.store, arch.signer, "kiosk-1", 3650)
    with arch.db.session() as s:
        staff = s.get(User, arch.staff_id)
        case = make_case(s, arch.store, staff)
        finish(s, case, staff)
        sealing.seal_case(s, arch.store, arch.signer, case, staff, "kiosk-1")
        cases.move_case(s, case, "return_for_correction", make_user(s, "li", "staff"), reason="执照不清晰",
                        archive=archive)
        s.commit()
        case.subject_name = "北京示例科技（更正）有限公司"  # open for correction: the working copy may change
        s.commit()
        assert s.query(Seal).count() == 2
    assert problems(arch) == []
