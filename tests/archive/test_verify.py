"""verify-archive: clean on a fresh archive, and names each flipped byte, deleted blob, edited manifest, removed
chain link, extra file and broken access-log entry."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from kiosk.archive import sealing
from kiosk.archive.access_log import record_access, verify_access_log
from kiosk.archive.manifest import MANIFEST_DIR, read_manifest
from kiosk.archive.verify import verify_archive
from kiosk.models import AccessLogEntry, Case, Seal, User
from tests.archive.factory import finish, make_case

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sealed(arch):
    """Three sealed cases (chain of 3 manifests)."""
    for i in range(3):
        with arch.db.session() as s:
            staff = s.get(User, arch.staff_id)
            case = make_case(s, arch.store, staff, number=f"BK-2026-{i}", seed=i + 1)
            finish(s, case, staff)
            sealing.seal_case(s, arch.store, arch.signer, case, staff, "kiosk-1")
    return arch


def problems(arch, with_db: bool = True) -> list[tuple[str, str]]:
    with arch.db.session() as s:
        report = verify_archive(arch.store, s if with_db else None)
    return [(p.code, p.subject) for p in report.problems]


def manifest_paths(arch) -> list[Path]:
    return sorted((arch.root / MANIFEST_DIR).glob("*.json"))


def blob_of_case(arch, number: str, role: str = "attachment_original") -> tuple[str, bool]:
    mf = read_manifest(next(p for p in manifest_paths(arch) if number in p.read_text()))
    f = next(f for f in mf.content["files"] if f["role"] == role)
    return f["sha256"], f["encrypted"]


def test_fresh_archive_is_clean(sealed):
    assert problems(sealed) == []
    assert problems(sealed, with_db=False) == []


@pytest.mark.parametrize("role", ["attachment_original", "photo_attempt", "evidence_snapshot"])
def test_flipped_byte_is_named(sealed, role):
    sha, enc = blob_of_case(sealed, "BK-2026-1", role)
    path = sealed.store.path_for(sha, enc)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    found = problems(sealed)
    assert found == [("altered_blob", path.relative_to(sealed.root).as_posix())]


def test_deleted_blob_is_named(sealed):
    sha, enc = blob_of_case(sealed, "BK-2026-2")
    sealed.store.path_for(sha, enc).unlink()
    assert problems(sealed) == [("missing_blob", f"blob {sha}")]
    with sealed.db.session() as s:
        report = verify_archive(sealed.store, s)
    assert "BK-2026-2" in report.problems[0].message.en


def test_edited_manifest_is_named(sealed):
    path = manifest_paths(sealed)[1]
    path.write_bytes(path.read_bytes().replace(b"kiosk-1", b"kiosk-X"))
    found = problems(sealed)
    subject = f"{MANIFEST_DIR}/{path.name}"
    assert ("altered_manifest", subject) in found and ("bad_signature", subject) in found
    # the next manifest's link still names the original hash, which the edited file no longer has
    assert all(code in ("altered_manifest", "bad_signature") for code, _ in found)


def test_edited_and_resigned_manifest_with_another_key_is_named(sealed, tmp_path):
    """An attacker who re-signs with their own key and renames the file: unknown key, DB mismatch, broken link."""
    from kiosk.archive.manifest import canonical_json, manifest_name
    from kiosk.archive.signing import Signer

    path = manifest_paths(sealed)[1]
    content = json.loads(path.read_bytes())
    content["kiosk_name"] = "forged"
    evil = Signer.generate()
    evil.publish(sealed.root)
    content["signing_key"] = evil.fingerprint
    data = canonical_json(content)
    import hashlib

    new = path.with_name(manifest_name(2, hashlib.sha256(data).hexdigest()))
    path.unlink()
    path.with_name(path.name + ".sig").unlink()
    new.write_bytes(data)
    new.with_name(new.name + ".sig").write_bytes(evil.sign(data))
    codes = {code for code, _ in problems(sealed)}
    assert {"unknown_key", "missing_manifest", "broken_link"} <= codes


def test_removed_chain_link_is_named(sealed):
    path = manifest_paths(sealed)[1]
    path.unlink()
    path.with_name(path.name + ".sig").unlink()
    found = problems(sealed)
    assert ("missing_manifest", f"{MANIFEST_DIR}/{path.name}") in found
    assert ("broken_link", f"{MANIFEST_DIR}/{manifest_paths(sealed)[1].name}") in found
    # without the database, the gap in the sequence is still named
    found = problems(sealed, with_db=False)
    assert ("missing_manifest", "kiosk kiosk-1, link 2") in found and any(c == "broken_link" for c, _ in found)


def test_removed_link_and_its_row_are_named(sealed):
    path = manifest_paths(sealed)[2]
    path.unlink()
    path.with_name(path.name + ".sig").unlink()
    with sealed.db.session() as s:
        s.execute(delete(Seal).where(Seal.sequence == 3))
    # the chain head in the database still remembers sequence 3
    assert ("missing_manifest", "kiosk kiosk-1, chain head") in problems(sealed)


def test_missing_signature_and_extra_files_are_named(sealed):
    path = manifest_paths(sealed)[0]
    path.with_name(path.name + ".sig").unlink()
    (sealed.root / MANIFEST_DIR / "notes.txt").write_text("hello")
    stray = sealed.store.put(b"stray bytes nobody refers to", encrypt=False)
    found = problems(sealed)
    assert ("missing_signature", f"{MANIFEST_DIR}/{path.name}") in found
    assert ("extra_file", f"{MANIFEST_DIR}/notes.txt") in found
    assert ("extra_file", sealed.store.path_for(stray.sha256, False).relative_to(sealed.root).as_posix()) in found


def test_access_log_chain(arch):
    with arch.db.session() as s:
        user = s.get(User, arch.auditor_id)
        for i in range(5):
            record_access(s, user, "view", f"case:BK-{i}", {"i": i, "名": "张三"}, "127.0.0.1")
    with arch.db.session() as s:
        assert verify_access_log(s) == []
        entry = s.scalars(select(AccessLogEntry).where(AccessLogEntry.target == "case:BK-2")).one()
        entry.target = "case:BK-9"
    with arch.db.session() as s:
        found = [(p.code, p.subject) for p in verify_access_log(s)]
        assert found == [("access_log_altered", f"access log entry {entry.id}")]
        s.get(AccessLogEntry, entry.id).target = "case:BK-2"
        s.execute(delete(AccessLogEntry).where(AccessLogEntry.target == "case:BK-3"))
    with arch.db.session() as s:
        assert [p.code for p in verify_access_log(s)] == ["access_log_broken"]
    with arch.db.session() as s:  # removing the newest entries is caught by the head
        s.execute(delete(AccessLogEntry).where(AccessLogEntry.target.in_(["case:BK-3", "case:BK-4"])))
    with arch.db.session() as s:
        assert ("access_log_broken", "access log head") in [(p.code, p.subject) for p in verify_access_log(s)]


def test_access_log_concurrent_appends(arch):
    """Eight threads log at once (as the portal's parallel image downloads do): the chain stays unbroken."""
    import threading

    def worker(i: int) -> None:
        for j in range(10):
            with arch.db.session() as s:
                record_access(s, s.get(User, arch.auditor_id), "download", f"case:T{i}", {"j": j}, "10.0.0.1")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    with arch.db.session() as s:
        assert s.scalar(select(func.count()).select_from(AccessLogEntry)) == 80
        assert verify_access_log(s) == []


def run_cli(arch, *args: str) -> subprocess.CompletedProcess:
    env = {"KIOSK_VAR_DIR": str(arch.root.parent), "KIOSK_ARCHIVE_DIR": str(arch.root),
           "KIOSK_DATABASE_URL": arch.db.url, "KIOSK_ARCHIVE_KEY": bytes(range(32)).hex(),
           "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "kiosk", "verify-archive", *args], cwd=PROJECT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_cli_clean_then_loud(sealed):
    ok = run_cli(sealed)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "OK:" in ok.stdout and "3 manifests" in ok.stdout
    sha, enc = blob_of_case(sealed, "BK-2026-0")
    path = sealed.store.path_for(sha, enc)
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    victim = manifest_paths(sealed)[1]
    victim.unlink()
    bad = run_cli(sealed)
    assert bad.returncode == 1
    assert "ALTERED_BLOB" in bad.stdout and path.name in bad.stdout
    assert "MISSING_MANIFEST" in bad.stdout and victim.name in bad.stdout
    assert "BROKEN_LINK" in bad.stdout and "FAILED" in bad.stdout
    js = run_cli(sealed, "--json")
    assert js.returncode == 1 and {p["code"] for p in json.loads(js.stdout)["problems"]} >= {"altered_blob"}


def test_case_seal_rows_match(sealed):
    with sealed.db.session() as s:
        seals = s.scalars(select(Seal).order_by(Seal.sequence)).all()
        assert [x.sequence for x in seals] == [1, 2, 3]
        assert all(s.get(Case, x.case_id).sealed_at is not None for x in seals)
