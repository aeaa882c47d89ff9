"""Evidence packs (ZIP + PDF + offline verification), per-case integrity, retention expiry with legal hold."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from kiosk.archive import sealing
from kiosk.archive.pack import build_pack, case_integrity, verify_pack
from kiosk.archive.retention import expire
from kiosk.archive.signing import Signer
from kiosk.archive.verify import verify_archive
from kiosk.models import BlobRecord, Case, Seal, User
from kiosk.text import KioskError
from tests.archive.factory import finish, make_case

PROJECT = Path(__file__).resolve().parents[2]


def sealed_case(arch, number="BK-20261123-0001", seed=1, attempts=2) -> int:
    with arch.db.session() as s:
        staff = s.get(User, arch.staff_id)
        case = make_case(s, arch.store, staff, number=number, seed=seed, attempts=attempts)
        finish(s, case, staff)
        sealing.seal_case(s, arch.store, arch.signer, case, staff, "kiosk-1")
        return case.id


def pack_of(arch, case_id: int):
    with arch.db.session() as s:
        return build_pack(s, arch.store, arch.signer, s.get(Case, case_id), s.get(User, arch.auditor_id), "kiosk-1")


def rezip(data: bytes, change) -> bytes:
    """The pack with `change(entries)` applied (entries: name -> bytes)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    entries = {n: src.read(n) for n in src.namelist()}
    change(entries)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for n, b in entries.items():
            z.writestr(n, b)
    return out.getvalue()


def test_pack_contents_and_offline_verification(arch):
    cid = sealed_case(arch)
    pack = pack_of(arch, cid)
    z = zipfile.ZipFile(io.BytesIO(pack.data))
    names = z.namelist()
    assert {"report.pdf", "evidence.json", "pack.json", "pack.json.sig", "README.txt"} <= set(names)
    assert sum(n.startswith("files/") for n in names) == 15  # 6+6 scans, 2 attempts, snapshot
    assert sum(n.startswith("manifests/") for n in names) == 2
    assert f"keys/{arch.signer.fingerprint}.pub" in names
    evidence = json.loads(z.read("evidence.json"))
    assert evidence["case"]["number"] == "BK-20261123-0001"
    # files are decrypted in the pack: the ID scan opens as a JPEG
    assert all(z.read(n)[:3] == b"\xff\xd8\xff" for n in names if n.endswith(".jpg"))
    report = verify_pack(pack.data)
    assert report.ok, [p.line() for p in report.problems]
    assert report.case_number == "BK-20261123-0001" and report.files == 15 and report.manifests == 1
    pub = arch.root / "keys" / f"{arch.signer.fingerprint}.pub"
    assert verify_pack(pack.data, pub).ok and verify_pack(pack.data, arch.signer.fingerprint).ok


def test_pdf_report_is_a4_with_the_case(arch):
    cid = sealed_case(arch)
    pdf = zipfile.ZipFile(io.BytesIO(pack_of(arch, cid).data)).read("report.pdf")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 3
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = "".join(p.extract_text() for p in reader.pages)
    for needle in ("BK-20261123-0001", "北京示例科技有限公司", "example.cn", "完成核验",
                   "Authenticity verification photo", "复印件清晰"):
        assert needle in text, needle
    snap_sha = json.loads(zipfile.ZipFile(io.BytesIO(pack_of(arch, cid).data)).read("pack.json"))["manifests"][0]
    assert snap_sha.split("-")[1][:16] in text.replace("\n", "")
    assert len(reader.pages[0].images) >= 2  # the photo, and the photo with the judge's overlay


def test_pdf_report_text_stays_inside_the_a4_margins(arch, tmp_path):
    """Rendered with pdftoppm, every page keeps its ink inside the 15 mm side margins (no cut-off or overflowing
    text), and the readings are a table of named fields, not a JSON dump."""
    cid = sealed_case(arch)
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(zipfile.ZipFile(io.BytesIO(pack_of(arch, cid).data)).read("report.pdf"))
    subprocess.run(["pdftoppm", "-r", "60", "-gray", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.pgm"))
    assert len(pages) >= 3
    from PIL import Image

    for page in pages:
        with Image.open(page) as im:
            px = im.load()
            w, h = im.size
            margin = round(60 / 25.4 * 12)  # 12 of the 15 mm margin must stay blank
            ink = [(x, y) for x in [*range(margin), *range(w - margin, w)] for y in range(h) if px[x, y] < 200]
            assert not ink, f"{page.name}: ink in the side margin at {ink[:5]}"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    assert '{"id_number"' not in text and "身份证号码 ID number" in text


def test_tampered_packs_are_named(arch, tmp_path):
    cid = sealed_case(arch)
    data = pack_of(arch, cid).data
    photo = next(n for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if n.endswith(".jpg"))

    def flip(e):
        b = bytearray(e[photo])
        b[100] ^= 1
        e[photo] = bytes(b)

    codes = {(p.code, p.subject) for p in verify_pack(rezip(data, flip)).problems}
    assert ("altered_blob", photo) in codes
    codes = {p.code for p in verify_pack(rezip(data, lambda e: e.pop(photo))).problems}
    assert "missing_blob" in codes
    codes = {p.code for p in verify_pack(rezip(data, lambda e: e.__setitem__("extra.txt", b"x"))).problems}
    assert codes == {"extra_file"}
    # forged: everything re-signed by another key passes on its own keys, fails when the key is pinned
    evil = Signer.generate()

    def resign(e):
        index = json.loads(e["pack.json"])
        index["signing_key"] = evil.fingerprint
        from kiosk.archive.manifest import canonical_json
        from kiosk.archive.signing import public_pem

        e["pack.json"] = canonical_json(index)
        e["pack.json.sig"] = evil.sign(e["pack.json"])
        e[f"keys/{evil.fingerprint}.pub"] = public_pem(evil.public_key)

    forged = rezip(data, resign)
    assert verify_pack(forged).ok
    pinned = verify_pack(forged, arch.signer.fingerprint)
    assert [p.code for p in pinned.problems] == ["unknown_key"]


def test_verify_pack_cli(arch, tmp_path):
    cid = sealed_case(arch)
    path = tmp_path / "pack.zip"
    path.write_bytes(pack_of(arch, cid).data)
    run = lambda *a: subprocess.run([sys.executable, "-m", "kiosk", "verify-pack", *a], cwd=PROJECT,  # noqa: E731
                                    capture_output=True, text=True, timeout=60)
    ok = run(str(path), "--key", str(arch.root / "keys" / f"{arch.signer.fingerprint}.pub"))
    assert ok.returncode == 0 and "OK:" in ok.stdout, ok.stdout + ok.stderr
    bad = tmp_path / "bad.zip"
    bad.write_bytes(rezip(path.read_bytes(), lambda e: e.__setitem__("report.pdf", e["report.pdf"] + b"%")))
    out = run(str(bad))
    assert out.returncode == 1 and "ALTERED_BLOB" in out.stdout and "report.pdf" in out.stdout


def test_unsealed_case_has_no_pack(arch):
    with arch.db.session() as s:
        case = make_case(s, arch.store, s.get(User, arch.staff_id))
        with pytest.raises(KioskError) as err:
            build_pack(s, arch.store, arch.signer, case, None, "k")
        assert err.value.code == "not_sealed"
        assert case_integrity(s, arch.store, case.id).status == "unsealed"


def test_case_integrity_now(arch):
    cid = sealed_case(arch)
    with arch.db.session() as s:
        ok = case_integrity(s, arch.store, cid)
        assert ok.ok and ok.files == 15
        sha = s.get(Case, cid).attachments[1].original_sha256
    path = arch.store.find(sha)
    b = bytearray(path.read_bytes())
    b[40] ^= 1
    path.write_bytes(bytes(b))
    with arch.db.session() as s:
        bad = case_integrity(s, arch.store, cid)
    assert bad.status == "damaged" and [(p.code, p.subject) for p in bad.problems] == [("altered_blob", f"blob {sha}")]


def test_retention_expiry_with_legal_hold(arch):
    old = sealed_case(arch, number="BK-OLD", seed=1)
    held = sealed_case(arch, number="BK-HELD", seed=2)
    new = sealed_case(arch, number="BK-NEW", seed=3)
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
    with arch.db.session() as s:
        for seal in s.scalars(select(Seal).where(Seal.case_id.in_([old, held]))):
            seal.sealed_at = long_ago
        s.get(Case, held).legal_hold = True
        old_files = [a.original_sha256 for a in s.get(Case, old).attachments]
    dry = expire(arch.db, arch.store, arch.signer, "kiosk-1", retention_days=365, dry_run=True)
    assert [e.number for e in dry.expired] == ["BK-OLD"] and dry.held == ["BK-HELD"]
    assert all(arch.store.exists(sha) for sha in old_files)
    report = expire(arch.db, arch.store, arch.signer, "kiosk-1", retention_days=365)
    [gone] = report.expired
    assert gone.number == "BK-OLD" and gone.files == 15 and gone.bytes > 0 and gone.tombstone_sequence == 4
    assert report.held == ["BK-HELD"]
    assert not any(arch.store.exists(sha) for sha in old_files)
    with arch.db.session() as s:
        assert s.get(BlobRecord, old_files[0]).deleted_at is not None
        tomb = s.scalars(select(Seal).where(Seal.kind == "tombstone")).one()
        assert tomb.case_id == old
        expired = case_integrity(s, arch.store, old)
        assert expired.ok and expired.status == "expired" and expired.files == 0  # expected, not damage
        assert case_integrity(s, arch.store, held).ok and case_integrity(s, arch.store, new).ok
        report2 = verify_archive(arch.store, s)
    assert report2.ok, [p.line() for p in report2.problems]
    tomb_file = sorted((arch.root / "manifests").glob("00000004-*.json"))[0]
    content = json.loads(tomb_file.read_bytes())
    assert content["kind"] == "tombstone" and len(content["removed"]) == 15 and content["reason"] == "retention"
    # a second run finds nothing more to do
    again = expire(arch.db, arch.store, arch.signer, "kiosk-1", retention_days=365)
    assert again.expired == [] and again.held == ["BK-HELD"]


def test_expiry_interrupted_after_tombstone_is_finished_by_the_next_run(arch, monkeypatch):
    old = sealed_case(arch, number="BK-OLD", seed=1)
    with arch.db.session() as s:
        s.scalars(select(Seal)).one().sealed_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=10)
    real_delete = arch.store.delete
    monkeypatch.setattr(arch.store, "delete", lambda sha: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        expire(arch.db, arch.store, arch.signer, "kiosk-1", retention_days=5)
    monkeypatch.setattr(arch.store, "delete", real_delete)
    with arch.db.session() as s:
        leftover = {p.code for p in verify_archive(arch.store, s).problems}
    assert leftover == {"extra_file"}  # the tombstone is committed, its files still there: named
    report = expire(arch.db, arch.store, arch.signer, "kiosk-1", retention_days=5)
    assert report.leftovers == 15
    with arch.db.session() as s:
        assert verify_archive(arch.store, s).ok
        assert s.get(Case, old).number == "BK-OLD"


def test_expire_cli(arch):
    sealed_case(arch, number="BK-OLD", seed=1)
    with arch.db.session() as s:
        s.scalars(select(Seal)).one().sealed_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=40)
    env = {"KIOSK_VAR_DIR": str(arch.root.parent), "KIOSK_ARCHIVE_DIR": str(arch.root), "KIOSK_DATABASE_URL": arch.db.url,
           "KIOSK_ARCHIVE_KEY": bytes(range(32)).hex(), "KIOSK_SIGNING_KEY_FILE": str(arch.root.parent / "cli_signing_key.pem"),
           "KIOSK_NAME": "kiosk-cli", "KIOSK_SECRET_KEY": "x", "PATH": "/usr/bin:/bin"}
    run = lambda *a: subprocess.run([sys.executable, "-m", "kiosk", "expire", *a], cwd=PROJECT, env=env,  # noqa: E731
                                    capture_output=True, text=True, timeout=60)
    dry = run("--days", "30", "--dry-run")
    assert dry.returncode == 0 and "BK-OLD" in dry.stdout and "would remove 15 files" in dry.stdout
    done = run("--days", "30", "--json")
    report = json.loads(done.stdout)
    assert [e["case"] for e in report["expired"]] == ["BK-OLD"] and report["expired"][0]["files"] == 15
    with arch.db.session() as s:
        assert verify_archive(arch.store, s).ok
