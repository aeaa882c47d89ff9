"""Every code a person may see has a word (kiosk.words): a new enum member, check or log action without one fails."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path

import pytest

from kiosk import words
from kiosk.approvals import ApprovalAction
from kiosk.booth.live import BoothPhase
from kiosk.checkresult import CheckStatus, Limit
from kiosk.documents.checks import CHECKS as DOCUMENT_CHECKS
from kiosk.filing import FilingType, RecordRef
from kiosk.identity import MatchVerdict
from kiosk.kiosks import ChainStatus
from kiosk.models import AttachmentStatus, AttemptStatus, CaptureTrigger, SealKind
from kiosk.photo.checks import CHECK_CODES as PHOTO_CHECKS
from kiosk.roles import Role
from kiosk.text import Text
from kiosk.workflow import MOVES, AttachmentKind, State, SubjectType

ROOT = Path(__file__).resolve().parents[2]

ENUMS: dict[str, type[StrEnum]] = {
    "state": State, "role": Role, "check_status": CheckStatus, "limit": Limit, "booth_phase": BoothPhase,
    "filing_type": FilingType, "record_ref": RecordRef, "subject_type": SubjectType, "attachment_kind": AttachmentKind,
    "attachment_status": AttachmentStatus, "attempt_status": AttemptStatus, "capture_trigger": CaptureTrigger,
    "seal_kind": SealKind, "approval_action": ApprovalAction, "face_verdict": MatchVerdict,
    "chain_status": ChainStatus,
}


def _has_word(kind: str, code: str) -> bool:
    text = words.CATALOGUE[kind].get(code)
    return isinstance(text, Text) and bool(text.zh) and bool(text.en) and text.zh != code


@pytest.mark.parametrize("kind", sorted(ENUMS))
def test_every_enum_member_has_a_word(kind: str) -> None:
    missing = [m.value for m in ENUMS[kind] if not _has_word(kind, m.value)]
    assert not missing, f"{kind}: no word for {missing}"


def test_every_check_and_move_has_a_word() -> None:
    assert [c for c in PHOTO_CHECKS if not _has_word("photo_check", c)] == []
    assert [c for c in DOCUMENT_CHECKS if not _has_word("document_check", c)] == []
    assert [m.name for m in MOVES if not _has_word("move", m.name)] == []
    assert all(_has_word("check", c) for c in (*PHOTO_CHECKS, *DOCUMENT_CHECKS))


def test_every_problem_code_has_a_word() -> None:
    from kiosk.archive.problems import CODES as PROBLEM_CODES

    assert [c for c in PROBLEM_CODES if not _has_word("problem", c)] == []


def test_every_camera_check_and_its_statuses_have_a_word() -> None:
    from calibration.camera_check import CHECK_CODES, STATUSES

    assert [c for c in CHECK_CODES if not _has_word("camera_check", c)] == []
    assert [s for s in STATUSES if not _has_word("camera_check_status", s)] == []


def test_every_refusal_reason_and_access_action_has_a_word() -> None:
    from kiosk.archive.access_log import ACTIONS
    from kiosk.archive.evidence_reads import REFUSALS

    assert [r for r in REFUSALS if not _has_word("refusal", r)] == []
    assert [a for a in ACTIONS if not _has_word("action", a)] == []


def _logged_actions() -> set[str]:
    """Every action literal written to the audit events or the access log in kiosk/ and web/."""
    found: set[str] = set()
    for path in [*ROOT.glob("kiosk/**/*.py"), *ROOT.glob("web/**/*.py")]:
        src = path.read_text(encoding="utf-8")
        if "AuditEvent(" not in src and "log_access(" not in src:
            continue
        found |= set(re.findall(r'AuditEvent\([^)]*?action="([a-z_]+)"', src, re.S))
        for pair in re.findall(r'action="([a-z_]+)" if [^)]*? else "([a-z_]+)"', src, re.S):
            found |= set(pair)
        found |= set(re.findall(r'log_access\("([a-z_]+)"', src))
    return found


def test_every_logged_action_has_a_word() -> None:
    actions = _logged_actions()
    assert {"view", "login", "legal_hold_off", "user_deactivate"} <= actions  # the scan finds them
    assert sorted(a for a in actions if not _has_word("action", a)) == []


def test_lines_read_as_words() -> None:
    assert words.move_line("start_verification", "draft", "onsite_verification").zh == "开始当面核验：草稿 → 当面核验中"
    assert words.move_line("start_verification", None, "draft").en == "Start on-site verification: — → Draft"
    assert words.target_word("case:2025-0001").zh == "案件 2025-0001"
    assert words.target_word("weird").en == "weird"
    assert words.word("state", "no_such_state") == Text("no_such_state", "no_such_state")
