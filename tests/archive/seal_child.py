"""Run one sealing in a child process and die (os._exit, like a kill -9) at the step named on the command line.

python -m tests.archive.seal_child DB_URL ARCHIVE_DIR SIGNING_KEY CASE_ID STEP
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from kiosk.archive import sealing
from kiosk.archive.signing import load_or_create_signer
from kiosk.archive.store import BlobStore
from kiosk.db import Database
from kiosk.models import Case, User
from tests.archive.factory import finish


def main() -> None:
    url, root, keyfile, case_id, step = sys.argv[1:6]

    def die(name: str) -> None:
        if name == step:
            os._exit(9)

    sealing.FAULT_HOOK = die
    db = Database(url)
    store = BlobStore(Path(root), key=bytes(range(32)))
    signer = load_or_create_signer(Path(keyfile), Path(root))
    with db.session() as s:
        case = s.get(Case, int(case_id))
        staff = s.get(User, case.created_by_id)
        finish(s, case, staff)
        sealing.seal_case(s, store, signer, case, staff, "kiosk-1")
    os._exit(0)


if __name__ == "__main__":
    main()
