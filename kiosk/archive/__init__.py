"""Evidence archive: content-addressed blob store (ID scans encrypted at rest), signed hash-chained manifests.

Layout of the archive folder (settings.archive_dir; may be shared by several kiosks on one PostgreSQL database):

    blobs/ab/cd/<sha256>[.enc]        files by the SHA-256 of their plaintext; .enc = AES-256-GCM (store.py)
    manifests/<seq>-<sha256>.json     one per sealing, canonical JSON, chained by prev_manifest_sha256 (manifest.py)
    manifests/<...>.json.sig          detached Ed25519 signature (signing.py)
    keys/<fingerprint>.pub            public keys that signed manifests, for offline verification
    pending/<manifest>.<host~pid>.json  journal of a sealing not yet committed (sealing.py, recovery.py)
    quarantine/                       manifests without a database row, moved aside by recovery (never deleted)
    tmp/                              temporary files of atomic writes

Service: `open_archive(settings) -> Archive` (service.py), the one way to open the archive.
Modules: store (blobs), keys (AES key), signing (Ed25519 key), manifest (format), evidence (what a sealing
captures), sealing (seal_case, the chain), chainhead (locking the chain heads), recovery (start-up repair),
verify (verify-archive), access_log (hash-chained access log), pack + pdf_report (evidence packs, verify-pack),
retention (expiry with legal hold and tombstones), search (auditor search), overlay (the judge's drawing data).
Commands: `python -m kiosk verify-archive | verify-pack PACK.zip | expire` (cli_*.py).
"""

from kiosk.archive.service import Archive, open_archive  # noqa: E402 - the package's one entry point

__all__ = ["Archive", "open_archive"]
