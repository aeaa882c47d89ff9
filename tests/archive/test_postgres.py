"""PostgreSQL: two kiosks (own signing keys, own connection pools) seal into one database and one shared archive
folder at the same time; each kiosk's manifests stay one unbroken chain of its own, verify-archive is clean,
tampering is named with its kiosk; the access log stays one chain under concurrent appends."""

from __future__ import annotations

import hashlib
import json
import threading

import pytest
from sqlalchemy import func, select, update

from kiosk.archive import sealing
from kiosk.archive.access_log import record_access, verify_access_log
from kiosk.archive.manifest import GENESIS, canonical_json, manifest_name, manifest_path, read_manifest
from kiosk.archive.signing import load_or_create_signer
from kiosk.archive.store import BlobStore
from kiosk.archive.verify import verify_archive
from kiosk.db import init_db
from kiosk.kiosks import registered_kiosks
from kiosk.models import AccessLogEntry, Case, Seal, Setting, User
from tests.archive.factory import finish, make_case, make_user
from tests.pgserver import fresh_database

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg(postgres_url, tmp_path):
    """A fresh database of its own on the throwaway server, two kiosks on it, one shared archive folder."""
    with fresh_database(postgres_url, "archive") as url:
        yield from _two_kiosks(url, tmp_path)


def _two_kiosks(url: str, tmp_path):
    class Kiosk:
        def __init__(self, label: str) -> None:
            self.db = init_db(url)
            self.store = BlobStore(tmp_path / "shared-archive", key=bytes(range(32)))
            self.signer = load_or_create_signer(tmp_path / f"{label}.pem", tmp_path / "shared-archive")
            self.name = label

    a, b = Kiosk("kiosk-a"), Kiosk("kiosk-b")
    with a.db.session() as s:
        staff_id = make_user(s, "wang", "staff").id
        auditor_id = make_user(s, "zhao", "auditor").id
    yield a, b, staff_id, auditor_id
    a.db.dispose()
    b.db.dispose()


def test_two_kiosks_seal_concurrently_each_into_its_own_chain(pg):
    """Ten sealings at once from two kiosks: each kiosk's manifests form their own unbroken chain (positions 1..n,
    each naming the kiosk's previous manifest, signed with the kiosk's registered key); verify-archive is clean,
    and tampering is named with the kiosk whose chain it breaks."""
    a, b, staff_id, _ = pg
    ids = []
    with a.db.session() as s:
        staff = s.get(User, staff_id)
        for i in range(10):
            ids.append(make_case(s, a.store, staff, number=f"BK-PG-{i}", seed=i + 1).id)
    errors: list[BaseException] = []
    barrier = threading.Barrier(10)

    def worker(kiosk, cid: int) -> None:
        try:
            barrier.wait()
            with kiosk.db.session() as s:
                case = s.get(Case, cid)
                staff = s.get(User, staff_id)
                finish(s, case, staff)
                sealing.seal_case(s, kiosk.store, kiosk.signer, case, staff, kiosk.name)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(a if i % 2 else b, cid)) for i, cid in enumerate(ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    with a.db.session() as s:
        seals = s.scalars(select(Seal).order_by(Seal.sequence)).all()
        assert sorted(x.sequence for x in seals) == list(range(1, 11))
        assert sorted(x.case_id for x in seals) == sorted(ids)
        for kiosk in (a, b):
            chain = sorted((x for x in seals if x.kiosk_name == kiosk.name), key=lambda x: x.chain_sequence)
            assert [x.chain_sequence for x in chain] == [1, 2, 3, 4, 5]
            assert [x.prev_manifest_sha256 for x in chain] == [GENESIS] + [x.manifest_sha256 for x in chain[:-1]]
            for x in chain:
                content = read_manifest(manifest_path(a.store.root, x.sequence, x.manifest_sha256)).content
                assert content["kiosk_name"] == kiosk.name and content["signing_key"] == kiosk.signer.fingerprint
        assert {k.kiosk_name: k.fingerprint for k in registered_kiosks(s)} == {
            a.name: a.signer.fingerprint, b.name: b.signer.fingerprint}
        report = verify_archive(a.store, s)
    assert report.ok, [p.line() for p in report.problems]

    # a middle link of kiosk-b's chain removed: named with kiosk-b, kiosk-a's chain untouched
    b_chain = sorted((x for x in seals if x.kiosk_name == b.name), key=lambda x: x.chain_sequence)
    removed = manifest_path(b.store.root, b_chain[2].sequence, b_chain[2].manifest_sha256)
    removed.unlink()
    with b.db.session() as s:
        found = verify_archive(b.store, s).problems
    named = {(p.code, p.subject) for p in found}
    assert ("missing_manifest", f"manifests/{removed.name}") in named
    after = manifest_path(b.store.root, b_chain[3].sequence, b_chain[3].manifest_sha256)
    assert ("broken_link", f"manifests/{after.name}") in named
    assert all(p.message.en.startswith(f"kiosk {b.name}: ") and b.name in p.message.zh
               for p in found if p.code in ("missing_manifest", "broken_link"))
    assert not any(a.name in p.message.en for p in found)


def test_manifest_signed_with_another_kiosks_key_is_named(pg):
    """kiosk-a's manifest re-signed with kiosk-b's (registered) key: the signature is valid, the key is not
    kiosk-a's: wrong_kiosk_key, naming both kiosks."""
    a, b, staff_id, _ = pg
    with a.db.session() as s:
        staff = s.get(User, staff_id)
        cid = make_case(s, a.store, staff, number="BK-PG-K", seed=1).id
    for kiosk in (a, b):  # both kiosks registered
        with kiosk.db.session() as s:
            sealing.register_kiosk_key(s, kiosk.name, kiosk.signer)
    with a.db.session() as s:
        case, staff = s.get(Case, cid), s.get(User, staff_id)
        finish(s, case, staff)
        seal = sealing.seal_case(s, a.store, a.signer, case, staff, a.name)
    path = manifest_path(a.store.root, seal.sequence, seal.manifest_sha256)
    content = json.loads(path.read_bytes())
    content["signing_key"] = b.signer.fingerprint
    data = canonical_json(content)
    forged = path.with_name(manifest_name(seal.sequence, hashlib.sha256(data).hexdigest()))
    path.unlink()
    path.with_name(path.name + ".sig").unlink()
    forged.write_bytes(data)
    forged.with_name(forged.name + ".sig").write_bytes(b.signer.sign(data))
    with a.db.session() as s:
        s.get(Seal, seal.id).manifest_sha256 = hashlib.sha256(data).hexdigest()  # even with the row rewritten
        s.execute(update(Setting).where(Setting.key == sealing.kiosk_chain_key(a.name))
                  .values(value=f"1:{hashlib.sha256(data).hexdigest()}".encode()))
    with a.db.session() as s:
        found = [p for p in verify_archive(a.store, s).problems if p.code == "wrong_kiosk_key"]
    assert [p.subject for p in found] == [f"manifests/{forged.name}"]
    assert a.name in found[0].message.en and b.name in found[0].message.en


def test_access_log_chain_under_concurrency(pg):
    a, b, _, auditor_id = pg

    def worker(kiosk, i: int) -> None:
        for j in range(8):
            with kiosk.db.session() as s:
                record_access(s, s.get(User, auditor_id), "view", f"case:K{i}", {"j": j}, "10.0.0.2")

    threads = [threading.Thread(target=worker, args=(a if i % 2 else b, i)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    with a.db.session() as s:
        assert s.scalar(select(func.count()).select_from(AccessLogEntry)) == 48
        assert verify_access_log(s) == []
