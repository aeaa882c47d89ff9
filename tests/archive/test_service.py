"""The archive as one service built from Settings, the moves that seal, and legal holds, without Flask."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from kiosk import cases
from kiosk.archive import open_archive
from kiosk.archive.retention import set_legal_hold
from kiosk.models import AuditEvent, Case, Seal, User
from kiosk.text import KioskError
from tests.archive.factory import make_case


def test_open_archive_loads_or_creates_its_keys_once(tmp_path, core) -> None:
    archive = core.archive
    assert archive.kiosk_name == "test-kiosk" and archive.retention_days == 1095
    assert archive.store.can_encrypt and archive.signer is not None
    again = open_archive(core.settings)
    assert again.signer.fingerprint == archive.signer.fingerprint  # the same keys, not new ones
    blob = archive.store.put(b"scan", encrypt=True)
    assert again.store.get(blob.sha256) == b"scan"


def test_read_only_never_creates_a_key(tmp_path, core) -> None:
    fresh = dataclasses.replace(core.settings, archive_key_file=tmp_path / "none.key",
                                signing_key_file=tmp_path / "none.pem")
    archive = open_archive(fresh, read_only=True)
    assert not archive.store.can_encrypt and archive.signer is None
    assert not (tmp_path / "none.key").exists() and not (tmp_path / "none.pem").exists()
    with pytest.raises(RuntimeError):
        archive.seal_case(None, None, None)  # refused before it reads anything
    keyed = open_archive(dataclasses.replace(fresh, archive_key="ab" * 32), read_only=True)
    assert keyed.store.can_encrypt


def onsite_case(core) -> int:
    with core.db.session() as s:
        staff = s.get(User, core.users["staff"])
        return make_case(s, core.archive.store, staff).id  # every document and the photo, accepted


def test_finishing_seals_through_the_archive_and_never_without_it(core) -> None:
    case_id = onsite_case(core)
    with core.db.session() as s:
        case, staff = s.get(Case, case_id), s.get(User, core.users["staff"])
        with pytest.raises(ValueError, match="archive"):
            cases.move_case(s, case, "finish_verification", staff)
        assert case.state == "onsite_verification" and case.events[-1].move == "start_verification"
    with core.db.session() as s:
        cases.move_case(s, s.get(Case, case_id), "finish_verification", s.get(User, core.users["staff"]),
                        archive=core.archive)
    with core.db.session() as s:
        assert s.get(Case, case_id).state == "awaiting_internal_audit"
        assert [seal.kind for seal in s.scalars(select(Seal))] == ["seal"]


def test_legal_hold_needs_a_reason_and_is_audited(core) -> None:
    case_id = onsite_case(core)
    with core.db.session() as s:
        case, admin = s.get(Case, case_id), s.get(User, core.users["admin"])
        with pytest.raises(KioskError) as err:
            set_legal_hold(s, case, True, "   ", admin)
        assert err.value.code == "reason_required" and not case.legal_hold
        set_legal_hold(s, case, True, "法院调取 / court order", admin, "10.0.0.9")
        assert case.legal_hold
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "legal_hold_on")).one()
        assert event.detail == {"reason": "法院调取 / court order"} and event.target == f"case:{case.number}"
