"""The access log's head is anchored in every new manifest and in a signed checkpoint: rewriting an entry (even
re-chained), deleting entries, truncating the tail below an anchored id and wiping the log are each named by
verify-archive, done directly on the database."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import delete, select

from kiosk.archive import sealing
from kiosk.archive.access_anchor import ANCHOR_FIELD, checkpoint_path
from kiosk.archive.access_log import ACCESS_HEAD_KEY, entry_hash, record_access
from kiosk.archive.manifest import MANIFEST_DIR, read_manifest
from kiosk.archive.verify import verify_archive
from kiosk.models import AccessLogEntry, Setting, User
from tests.archive.factory import finish, make_case
from tests.archive.test_verify import run_cli


def _seal(arch, number: str, seed: int) -> None:
    with arch.db.session() as s:
        staff = s.get(User, arch.staff_id)
        case = make_case(s, arch.store, staff, number=number, seed=seed)
        finish(s, case, staff)
        sealing.seal_case(s, arch.store, arch.signer, case, staff, "kiosk-1")


def _log(arch, first: int, last: int) -> None:
    with arch.db.session() as s:
        auditor = s.get(User, arch.auditor_id)
        for i in range(first, last):
            record_access(s, auditor, "view", f"case:BK-{i}", {"i": i}, "127.0.0.1")


@pytest.fixture
def anchored(arch):
    """Five log entries, a sealing anchoring them, two more entries, a second sealing anchoring all seven."""
    _log(arch, 0, 5)
    _seal(arch, "BK-2026-1", 1)
    _log(arch, 5, 7)
    _seal(arch, "BK-2026-2", 2)
    return arch


def codes(arch) -> list[tuple[str, str]]:
    with arch.db.session() as s:
        return [(p.code, p.subject) for p in verify_archive(arch.store, s).problems]


def rechain(arch) -> None:
    """What a careful attacker does after editing the table: recompute every hash and the head row."""
    with arch.db.session() as s:
        prev = "0" * 64
        for entry in s.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id)):
            entry.prev_hash = prev
            entry.entry_hash = entry_hash(entry)
            prev = entry.entry_hash
        head = s.get(Setting, ACCESS_HEAD_KEY)
        if head is not None:
            head.value = prev.encode()


def test_manifests_and_checkpoint_record_the_head(anchored):
    manifests = sorted((anchored.root / MANIFEST_DIR).glob("*.json"))
    heads = [read_manifest(p).content[ANCHOR_FIELD] for p in manifests]
    with anchored.db.session() as s:
        entries = list(s.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id)))
    assert heads == [{"entry_id": entries[4].id, "entry_hash": entries[4].entry_hash},
                     {"entry_id": entries[6].id, "entry_hash": entries[6].entry_hash}]
    checkpoint = json.loads(checkpoint_path(anchored.root).read_bytes())
    assert (checkpoint["entry_id"], checkpoint["entry_hash"]) == (entries[6].id, entries[6].entry_hash)
    assert checkpoint["signing_key"] == anchored.signer.fingerprint
    assert codes(anchored) == []


def test_rewritten_entry_is_named_even_when_rechained(anchored):
    with anchored.db.session() as s:
        entry = s.scalars(select(AccessLogEntry).where(AccessLogEntry.target == "case:BK-2")).one()
        entry.target = "case:BK-9"
    assert ("access_log_altered", f"access log entry {entry.id}") in codes(anchored)
    rechain(anchored)
    found = codes(anchored)
    assert [c for c, _ in found] == ["access_log_anchor_mismatch"] * 3  # two manifests and the checkpoint
    assert "access_log/checkpoint.json" in [subject for _, subject in found]


def test_deleted_entries_are_named_even_when_rechained(anchored):
    with anchored.db.session() as s:
        s.execute(delete(AccessLogEntry).where(AccessLogEntry.target.in_(["case:BK-1", "case:BK-2"])))
    assert "access_log_broken" in [c for c, _ in codes(anchored)]
    rechain(anchored)
    assert {c for c, _ in codes(anchored)} == {"access_log_anchor_mismatch"}


def test_truncated_tail_below_an_anchored_id_is_named(anchored):
    with anchored.db.session() as s:
        s.execute(delete(AccessLogEntry).where(AccessLogEntry.target.in_(["case:BK-5", "case:BK-6"])))
    rechain(anchored)  # the head row now agrees with the shortened log
    found = codes(anchored)
    assert {c for c, _ in found} == {"access_log_truncated"}
    assert len(found) == 2  # the second manifest and the checkpoint; the first one's entry is still there


def test_wiped_log_is_named(anchored):
    with anchored.db.session() as s:
        s.execute(delete(AccessLogEntry))
        s.execute(delete(Setting).where(Setting.key == ACCESS_HEAD_KEY))
    assert codes(anchored) == [("access_log_wiped", "access log")]


def test_checkpoint_forged_or_removed_is_named(anchored):
    path = checkpoint_path(anchored.root)
    content = json.loads(path.read_bytes())
    content["entry_id"] = 3
    path.write_text(json.dumps(content))
    assert ("access_log_bad_checkpoint", "access_log/checkpoint.json") in codes(anchored)
    path.unlink()
    assert ("access_log_bad_checkpoint", "access_log/checkpoint.json") in codes(anchored)


def test_verify_archive_cli_exits_1_on_a_wiped_log(anchored):
    with anchored.db.session() as s:
        s.execute(delete(AccessLogEntry))
    done = run_cli(anchored, "--json")
    assert done.returncode == 1, done.stderr
    assert "access_log_wiped" in [p["code"] for p in json.loads(done.stdout)["problems"]]
