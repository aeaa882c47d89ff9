"""The content-addressed blob store: atomic, deduplicated, encrypted on request, tamper-evident."""

import errno
import os

import pytest

from kiosk.archive.store import BlobIntegrityError, BlobMissingError, BlobStore, sha256_hex
from kiosk.text import KioskError


@pytest.fixture
def store(tmp_path):
    return BlobStore(tmp_path / "archive", key=bytes(range(32)))


def test_plain_roundtrip_and_dedup(store):
    ref = store.put(b"photo bytes", encrypt=False, media_type="image/jpeg")
    assert ref.sha256 == sha256_hex(b"photo bytes") and ref.size == 11 and not ref.encrypted
    assert store.put(b"photo bytes", encrypt=False).sha256 == ref.sha256
    assert store.get(ref.sha256) == b"photo bytes"
    assert store.path_for(ref.sha256, False).read_bytes() == b"photo bytes"


def test_encrypted_at_rest(store):
    secret = b"ID card scan 11010519491231002X"
    ref = store.put(secret, encrypt=True)
    raw = store.path_for(ref.sha256, True).read_bytes()
    assert secret not in raw and b"11010519491231002X" not in raw
    assert store.get(ref.sha256) == secret


def test_wrong_key_and_flipped_byte_are_detected(store, tmp_path):
    ref = store.put(b"scan", encrypt=True)
    other = BlobStore(tmp_path / "archive", key=bytes(32))
    with pytest.raises(BlobIntegrityError):
        other.get(ref.sha256)
    path = store.path_for(ref.sha256, True)
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(BlobIntegrityError):
        store.get(ref.sha256)
    plain = store.put(b"plain", encrypt=False)
    store.path_for(plain.sha256, False).write_bytes(b"plaiN")
    with pytest.raises(BlobIntegrityError):
        store.get(plain.sha256)


def test_missing_blob(store):
    with pytest.raises(BlobMissingError):
        store.get("0" * 64)


def test_full_disk_leaves_nothing(store, monkeypatch):
    def no_space(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(KioskError) as err:
        store.put(b"x" * 1000, encrypt=False)
    assert err.value.code == "disk_full"
    monkeypatch.undo()
    assert not store.exists(sha256_hex(b"x" * 1000))
    assert list(store.tmp_dir.iterdir()) == []
