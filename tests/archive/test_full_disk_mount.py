"""A real full disk: the archive on a small tmpfs mount (needs permission to mount; skipped where there is none,
the injected-ENOSPC tests in test_sealing.py cover every write point everywhere)."""

from __future__ import annotations

import os
import subprocess

import pytest
from sqlalchemy import func, select

from kiosk.archive import sealing
from kiosk.archive.signing import load_or_create_signer
from kiosk.archive.store import BlobStore
from kiosk.archive.verify import verify_archive
from kiosk.models import Case, Seal, User
from kiosk.text import KioskError
from tests.archive.factory import finish, make_case


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here: " + done.stderr.decode(errors="replace").strip())
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def fill(folder, leave: int) -> None:
    """Fill the file system of `folder` until fewer than `leave` bytes are free."""
    with open(folder / "filler", "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 4096)
                f.flush()
        except OSError:
            pass
    size = (folder / "filler").stat().st_size
    os.truncate(folder / "filler", max(0, size - leave))


@pytest.mark.parametrize("leave", [0, 8192])
def test_sealing_on_a_full_disk(arch, small_disk, leave):
    store = BlobStore(small_disk / "archive", key=bytes(range(32)))
    signer = load_or_create_signer(arch.root.parent / "signing_key.pem", small_disk / "archive")
    with arch.db.session() as s:
        cid = make_case(s, store, s.get(User, arch.staff_id), scans=2).id
    fill(small_disk, leave)
    with pytest.raises(KioskError) as err:
        with arch.db.session() as s:
            case = s.get(Case, cid)
            staff = s.get(User, arch.staff_id)
            finish(s, case, staff)
            sealing.seal_case(s, store, signer, case, staff, "kiosk-1")
    assert err.value.code == "disk_full" and err.value.status == 507
    with arch.db.session() as s:
        assert s.get(Case, cid).state == "onsite_verification"
        assert s.scalar(select(func.count()).select_from(Seal)) == 0
    assert not list((store.root / "manifests").glob("*")) if (store.root / "manifests").exists() else True
    assert not list((store.root / "pending").glob("*")) if (store.root / "pending").exists() else True
    assert list(store.tmp_dir.iterdir()) == []
    (small_disk / "filler").unlink()  # space again: the same sealing now works
    with arch.db.session() as s:
        case = s.get(Case, cid)
        staff = s.get(User, arch.staff_id)
        finish(s, case, staff)
        sealing.seal_case(s, store, signer, case, staff, "kiosk-1")
    with arch.db.session() as s:
        report = verify_archive(store, s)
    assert report.ok, [p.line() for p in report.problems]
