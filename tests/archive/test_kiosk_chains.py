"""Per-kiosk chains beside an archive sealed before them: format 1 manifests (one archive-wide chain, no
chain_sequence) keep verifying, new sealings start the kiosk's own chain, and each chain's problems name it."""

from __future__ import annotations

from sqlalchemy import delete, select

from kiosk.archive import sealing
from kiosk.archive.manifest import (
    ARCHIVE_CHAIN_FORMAT,
    GENESIS,
    canonical_json,
    manifest_path,
    read_manifest,
    signature_path,
)
from kiosk.archive.store import sha256_hex
from kiosk.archive.verify import verify_archive
from kiosk.models import Case, KioskKey, Seal, Setting, User
from tests.archive.factory import finish, make_case


def seal_new(arch, number: str, seed: int, kiosk: str = "kiosk-1") -> Seal:
    with arch.db.session() as s:
        staff = s.get(User, arch.staff_id)
        case = make_case(s, arch.store, staff, number=number, seed=seed)
        finish(s, case, staff)
        return sealing.seal_case(s, arch.store, arch.signer, case, staff, kiosk)


def make_format_1(arch) -> None:
    """Rewrite every manifest as the archive-wide chain of format 1 wrote it: no chain_sequence, each linked to
    the previous sequence, the head in `archive_chain_head`, no kiosk registry row."""
    prev = GENESIS
    with arch.db.session() as s:
        for seal in s.scalars(select(Seal).order_by(Seal.sequence)):
            old = manifest_path(arch.store.root, seal.sequence, seal.manifest_sha256)
            content = read_manifest(old).content
            content.pop("chain_sequence")
            content.update(format=ARCHIVE_CHAIN_FORMAT, prev_manifest_sha256=prev)
            data = canonical_json(content)
            sha = sha256_hex(data)
            new = manifest_path(arch.store.root, seal.sequence, sha)
            old.unlink()
            signature_path(old).unlink()
            new.write_bytes(data)
            signature_path(new).write_bytes(arch.signer.sign(data))
            seal.manifest_sha256, seal.prev_manifest_sha256, seal.chain_sequence = sha, prev, None
            prev = sha
            last = seal
        s.execute(delete(Setting).where(Setting.key.startswith(sealing.KIOSK_CHAIN_HEAD_PREFIX)))
        s.execute(delete(KioskKey))
        s.add(Setting(key=sealing.CHAIN_HEAD_KEY, value=f"{last.sequence}:{last.manifest_sha256}".encode()))


def problems(arch) -> list[tuple[str, str]]:
    with arch.db.session() as s:
        return [(p.code, p.subject) for p in verify_archive(arch.store, s).problems]


def test_format_1_archive_verifies_and_new_sealings_start_the_kiosks_chain(arch):
    for i in range(3):
        seal_new(arch, f"BK-OLD-{i}", i + 1)
    make_format_1(arch)
    assert problems(arch) == []
    newer = seal_new(arch, "BK-NEW-0", 10)
    newest = seal_new(arch, "BK-NEW-1", 11)
    assert (newer.sequence, newer.chain_sequence, newer.prev_manifest_sha256) == (4, 1, GENESIS)
    assert (newest.sequence, newest.chain_sequence, newest.prev_manifest_sha256) == (5, 2, newer.manifest_sha256)
    assert problems(arch) == []
    with arch.db.session() as s:
        assert [k.kiosk_name for k in s.scalars(select(KioskKey))] == ["kiosk-1"]


def test_problems_name_the_format_1_chain_by_sequence_and_a_kiosk_chain_by_kiosk(arch):
    for i in range(3):
        seal_new(arch, f"BK-OLD-{i}", i + 1)
    make_format_1(arch)
    for i in range(3):
        seal_new(arch, f"BK-NEW-{i}", 10 + i)
    with arch.db.session() as s:
        old, new = (s.scalars(select(Seal).where(Seal.sequence == n)).one() for n in (2, 5))
    for seal in (old, new):
        path = manifest_path(arch.store.root, seal.sequence, seal.manifest_sha256)
        path.unlink()
        signature_path(path).unlink()
    with arch.db.session() as s:
        s.execute(delete(Seal).where(Seal.id.in_((old.id, new.id))))
        for seal in (old, new):
            s.get(Case, seal.case_id).sealed_at = None
    found = problems(arch)
    assert ("missing_manifest", "sequence 2") in found
    assert ("missing_manifest", "kiosk kiosk-1, link 2") in found
    assert sum(code == "broken_link" for code, _ in found) == 2


def test_two_kiosks_on_sqlite_keep_two_chains(arch, tmp_path):
    from kiosk.archive.signing import load_or_create_signer

    other = load_or_create_signer(tmp_path / "other.pem", arch.root)
    first = seal_new(arch, "BK-A-0", 1)
    with arch.db.session() as s:
        staff = s.get(User, arch.staff_id)
        case = make_case(s, arch.store, staff, number="BK-B-0", seed=2)
        finish(s, case, staff)
        second = sealing.seal_case(s, arch.store, other, case, staff, "kiosk-2")
    third = seal_new(arch, "BK-A-1", 3)
    assert (second.chain_sequence, second.prev_manifest_sha256) == (1, GENESIS)
    assert (third.chain_sequence, third.prev_manifest_sha256) == (2, first.manifest_sha256)
    assert problems(arch) == []


def test_a_kiosk_cannot_seal_with_another_kiosks_key(arch):
    import pytest

    from kiosk.text import KioskError

    seal_new(arch, "BK-A-0", 1)
    with arch.db.session() as s:
        cid = make_case(s, arch.store, s.get(User, arch.staff_id), number="BK-B-0", seed=2).id
    with pytest.raises(KioskError) as err, arch.db.session() as s:
        case, staff = s.get(Case, cid), s.get(User, arch.staff_id)
        finish(s, case, staff)
        sealing.seal_case(s, arch.store, arch.signer, case, staff, "kiosk-2")  # the same key under another name
    assert err.value.code == "signing_key_of_another_kiosk" and "kiosk-1" in err.value.text.en
    assert problems(arch) == []
