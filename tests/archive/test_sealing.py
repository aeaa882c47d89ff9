"""Sealing: manifest content, chain, signatures, corrections, crash injection at every step, full disk."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from kiosk.archive import sealing
from kiosk.archive.manifest import GENESIS, MANIFEST_DIR, canonical_json, read_manifest
from kiosk.archive.recovery import pending_paths, recover
from kiosk.archive.signing import load_archive_keys, verify_signature
from kiosk.archive.verify import verify_archive
from kiosk.models import BlobRecord, Case, Seal, Setting, User
from kiosk.text import KioskError
from tests.archive.factory import finish, make_case

PROJECT = Path(__file__).resolve().parents[2]


def new_case(arch, **kw) -> int:
    with arch.db.session() as s:
        staff = s.get(User, arch.staff_id)
        return make_case(s, arch.store, staff, **kw).id


def seal(arch, case_id: int, **kw) -> Seal:
    with arch.db.session() as s:
        case = s.get(Case, case_id)
        staff = s.get(User, arch.staff_id)
        finish(s, case, staff)
        return sealing.seal_case(s, arch.store, arch.signer, case, staff, "kiosk-1", **kw)


def manifests(arch) -> list[Path]:
    d = arch.root / MANIFEST_DIR
    return sorted(d.glob("*.json")) if d.is_dir() else []


def verify(arch):
    with arch.db.session() as s:
        return verify_archive(arch.store, s)


def test_seal_writes_signed_chained_manifest(arch):
    cid = new_case(arch)
    seal1 = seal(arch, cid)
    [path] = manifests(arch)
    mf = read_manifest(path)
    assert mf.actual_sha256 == mf.sha256 == seal1.manifest_sha256 and mf.sequence == 1
    c = mf.content
    assert mf.data == canonical_json(c)
    assert c["prev_manifest_sha256"] == GENESIS and c["kind"] == "seal"
    assert c["case"]["number"] == "BK-20261123-0001" and c["kiosk_name"] == "kiosk-1"
    assert c["sealed_by"]["username"] == "wang"
    roles = sorted(f["role"] for f in c["files"])
    # 6 originals + 6 normalised + the verification photo attachment + 1 attempt + the snapshot
    assert roles.count("attachment_original") == 7 and roles.count("attachment_normalised") == 6
    assert roles.count("photo_attempt") == 1 and roles.count("evidence_snapshot") == 1
    for f in c["files"]:
        assert arch.store.get(f["sha256"]).__len__() == f["size"]
    key = load_archive_keys(arch.root)[c["signing_key"]]
    assert verify_signature(key, path.with_name(path.name + ".sig").read_bytes(), mf.data)
    # The snapshot is encrypted at rest (it holds ID numbers) and carries the whole filing.
    snap = next(f for f in c["files"] if f["role"] == "evidence_snapshot")
    assert snap["encrypted"]
    evidence = json.loads(arch.store.get(snap["sha256"]))
    assert evidence["case"]["subject_cert_number"] == "91110108MA01ABCD2X"
    assert [e["move"] for e in evidence["timeline"]] == ["create", "start_verification", "finish_verification"]
    assert evidence["overrides"] and evidence["overrides"][0]["reason"].startswith("复印件")
    assert len(evidence["photo_attempts"][0]["results"]) == 2
    raw = arch.store.path_for(snap["sha256"], True).read_bytes()
    assert b"11010519491231002X" not in raw
    with arch.db.session() as s:
        case = s.get(Case, cid)
        assert case.state == "awaiting_internal_audit" and case.sealed_at is not None
        assert s.scalar(select(func.count()).select_from(BlobRecord)) == 14  # 6 + 6 scans, photo, snapshot
    assert pending_paths(arch.root) == []
    report = verify(arch)
    assert report.ok, [p.line() for p in report.problems]


def test_chain_across_cases_and_correction(arch):
    a, b = new_case(arch, number="BK-1", seed=1), new_case(arch, number="BK-2", seed=2)
    s1 = seal(arch, a)
    s2 = seal(arch, b)
    assert (s1.sequence, s2.sequence) == (1, 2) and s2.prev_manifest_sha256 == s1.manifest_sha256
    with arch.db.session() as s:
        case = s.get(Case, a)
        old = s.get(Seal, s1.id)
        s3 = sealing.seal_case(s, arch.store, arch.signer, case, s.get(User, arch.staff_id), "kiosk-1",
                               kind="correction", supersedes=old, reason="补充域名证书")
    c3 = read_manifest(manifests(arch)[2]).content
    assert c3["supersedes"] == {"sequence": 1, "manifest_sha256": s1.manifest_sha256}
    assert c3["prev_manifest_sha256"] == s2.manifest_sha256 and c3["reason"] == "补充域名证书"
    # the old manifest is untouched
    assert read_manifest(manifests(arch)[0]).actual_sha256 == s1.manifest_sha256
    with arch.db.session() as s:
        assert sealing.latest_seal(s, a).id == s3.id
    assert verify(arch).ok


def test_missing_evidence_refuses_to_seal(arch):
    cid = new_case(arch)
    with arch.db.session() as s:
        att = s.get(Case, cid).attachments[0]
        sha = att.original_sha256
    arch.store.delete(sha)
    with pytest.raises(KioskError) as err:
        seal(arch, cid)
    assert err.value.code == "evidence_missing" and "subject_certificate" in err.value.text.en
    assert manifests(arch) == []


def assert_untouched(arch, cid: int) -> None:
    """The case is as before the sealing: nothing half-visible in the database or the archive."""
    with arch.db.session() as s:
        case = s.get(Case, cid)
        assert case.state == "onsite_verification" and case.sealed_at is None
        assert s.scalar(select(func.count()).select_from(Seal)) == 0
        assert s.scalar(select(func.count()).select_from(BlobRecord)) == 0
    assert manifests(arch) == []
    assert not list((arch.root / MANIFEST_DIR).glob("*.sig")) if (arch.root / MANIFEST_DIR).is_dir() else True
    assert pending_paths(arch.root) == []
    report = verify(arch)
    assert report.ok, [p.line() for p in report.problems]


@pytest.mark.parametrize("step", sealing.STEPS[:-1])
def test_exception_between_steps_rolls_back_cleanly(arch, step, monkeypatch):
    cid = new_case(arch)

    def boom(name):
        if name == step:
            raise RuntimeError(f"injected at {name}")

    monkeypatch.setattr(sealing, "FAULT_HOOK", boom)
    with pytest.raises(RuntimeError, match="injected"):
        seal(arch, cid)
    monkeypatch.setattr(sealing, "FAULT_HOOK", None)
    assert recover(arch.db, arch.store) == []  # the rollback already cleaned up
    assert_untouched(arch, cid)
    seal(arch, cid)  # and it seals fine afterwards
    assert verify(arch).ok


def run_child(arch, cid: int, step: str) -> int:
    keyfile = arch.root.parent / "signing_key.pem"
    proc = subprocess.run(
        [sys.executable, "-m", "tests.archive.seal_child", arch.db.url, str(arch.root), str(keyfile), str(cid), step],
        cwd=PROJECT, capture_output=True, text=True, timeout=120,
    )
    return proc.returncode


@pytest.mark.parametrize("step", sealing.STEPS)
def test_killed_at_each_step_then_restart(arch, step):
    """Kill the sealing process (os._exit) at each step; recovery on restart completes or removes it."""
    cid = new_case(arch)
    arch.db.dispose()
    assert run_child(arch, cid, step) == 9
    actions = recover(arch.db, arch.store)
    if step == "committed":
        assert [a.action for a in actions] == ["completed"]
        with arch.db.session() as s:
            assert s.get(Case, cid).state == "awaiting_internal_audit"
            assert s.scalar(select(func.count()).select_from(Seal)) == 1
        assert len(manifests(arch)) == 1 and pending_paths(arch.root) == []
        assert verify(arch).ok
        return
    if step != "locked":
        assert "removed" in [a.action for a in actions]
    assert recover(arch.db, arch.store) == []  # idempotent
    assert_untouched(arch, cid)
    seal(arch, cid)
    assert verify(arch).ok


def test_normal_child_run_completes(arch):
    cid = new_case(arch)
    arch.db.dispose()
    assert run_child(arch, cid, "none") == 0
    assert recover(arch.db, arch.store) == []
    assert verify(arch).ok


@pytest.mark.parametrize("fail_at", [1, 3, 5, 7])  # journal, snapshot, signature, manifest (file + folder fsyncs)
def test_full_disk_leaves_case_as_it_was(arch, monkeypatch, fail_at):
    cid = new_case(arch)
    real_fsync = os.fsync
    calls = {"n": 0}

    def fsync_fills_disk(fd):
        calls["n"] += 1
        if calls["n"] >= fail_at:  # the disk fills up at this write
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync_fills_disk)
    with pytest.raises(KioskError) as err:
        seal(arch, cid)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert err.value.code == "disk_full" and err.value.status == 507
    assert "存储空间已满" in err.value.text.zh
    assert list(arch.store.tmp_dir.iterdir()) == []
    assert_untouched(arch, cid)


def test_stale_chain_head_fails_loudly(arch, monkeypatch):
    """If a sealing ever worked from a stale chain head (the lock is the first defence), the unique sequence
    refuses it, nothing of that sealing is left behind, and a retry succeeds."""
    a, b = new_case(arch, number="BK-1", seed=1), new_case(arch, number="BK-2", seed=2)
    seal(arch, a)
    real_lock = sealing.lock_kiosk_chain

    def stale(session, kiosk_name):
        row, _seq, _sha = real_lock(session, kiosk_name)
        return row, 0, sealing.GENESIS

    monkeypatch.setattr(sealing, "lock_kiosk_chain", stale)
    with pytest.raises(IntegrityError, match="UNIQUE"):
        seal(arch, b)
    monkeypatch.setattr(sealing, "lock_kiosk_chain", real_lock)
    assert len(manifests(arch)) == 1 and pending_paths(arch.root) == []
    with arch.db.session() as s:
        assert s.get(Case, b).state == "onsite_verification"
    seal(arch, b)  # retry
    assert len(manifests(arch)) == 2
    report = verify(arch)
    assert report.ok, [p.line() for p in report.problems]


def test_concurrent_sealings_chain_one_after_another(arch):
    """Four threads seal four cases at once on one SQLite database: all succeed, one unbroken chain."""
    ids = [new_case(arch, number=f"BK-T{i}", seed=i + 1) for i in range(4)]
    errors: list[BaseException] = []

    def worker(cid: int) -> None:
        try:
            seal(arch, cid)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(cid,)) for cid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    with arch.db.session() as s:
        assert sorted(s.scalars(select(Seal.sequence))) == [1, 2, 3, 4]
    report = verify(arch)
    assert report.ok, [p.line() for p in report.problems]


def test_manifest_without_row_or_journal_is_quarantined(arch):
    """A manifest the database does not know (say, the database was restored from an older backup) is moved
    aside, never deleted, and verify-archive keeps naming it."""
    cid = new_case(arch)
    seal(arch, cid)
    [path] = manifests(arch)
    with arch.db.session() as s:
        s.execute(delete(Seal))
        s.get(Case, cid).sealed_at = None
        s.execute(delete(Setting).where(Setting.key.startswith(sealing.KIOSK_CHAIN_HEAD_PREFIX)))
    actions = recover(arch.db, arch.store)
    assert [a.action for a in actions] == ["quarantined"]
    assert not path.exists() and (arch.root / "quarantine" / path.name).exists()
    assert (arch.root / "quarantine" / (path.name + ".sig")).exists()
    codes = {(p.code, p.subject) for p in verify(arch).problems}
    assert ("extra_file", f"quarantine/{path.name}") in codes


def test_sealing_again_makes_a_correction(arch):
    """Returned, reopened and finished again: the second sealing supersedes the first, which stays untouched."""
    cid = new_case(arch)
    first = seal(arch, cid)
    with arch.db.session() as s:
        s.get(Case, cid).state = "onsite_verification"
    second = seal(arch, cid)
    assert second.kind == "correction" and second.supersedes_id == first.id
    content = read_manifest(manifests(arch)[1]).content
    assert content["supersedes"]["manifest_sha256"] == first.manifest_sha256 and content["reason"] == "re-verified"
    assert read_manifest(manifests(arch)[0]).actual_sha256 == first.manifest_sha256
    assert verify(arch).ok


def test_recovery_removes_temporary_files_of_dead_writers_only(arch):
    from kiosk.files import tmp_owner

    arch.store.tmp_dir.mkdir(parents=True, exist_ok=True)
    host = tmp_owner().rpartition("~")[0]
    dead = arch.store.tmp_dir / f"{'a' * 64}.{host}~999999.0123456789ab.tmp"
    alive = arch.store.tmp_dir / f"{'b' * 64}.{tmp_owner()}.0123456789ab.tmp"
    other_host = arch.store.tmp_dir / f"{'c' * 64}.another-kiosk~123.0123456789ab.tmp"
    for path in (dead, alive, other_host):
        path.write_bytes(b"half")
    actions = recover(arch.db, arch.store)
    assert [(a.action, Path(a.path).name) for a in actions] == [("tmp_removed", dead.name)]
    assert alive.exists() and other_host.exists()  # still being written, or another kiosk's (until the grace period)
    assert recover(arch.db, arch.store, grace_seconds=-1)  # past the grace period: removed too
    assert list(arch.store.tmp_dir.iterdir()) == []
