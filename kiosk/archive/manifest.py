"""Manifests: canonical JSON files, one per sealing, named `manifests/<sequence>-<sha256>.json`.

A manifest lists every file of one sealing (hash, size, what it is), who sealed it on which kiosk and when, and the
SHA-256 of the previous manifest in that kiosk's own chain (GENESIS for the first), signed with that kiosk's key:
several kiosks sealing into one database and archive each extend their own chain (`chain_sequence` 1, 2, ...), so
they neither wait for nor link to one another. `sequence` numbers the manifests of the whole archive (the file
name; unique, with gaps where a sealing rolled back). Format 1 manifests (before per-kiosk chains) form one
archive-wide chain by `sequence` and stay verifiable as such. Its detached Ed25519
signature sits beside it as `<name>.sig`. Kinds: "seal" (first sealing of a case), "correction" (a new sealing
that supersedes an older one; the old one stays), "tombstone" (retention expiry removed these blobs).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.models import SealKind

FORMAT = "beian-kiosk-manifest/2"
ARCHIVE_CHAIN_FORMAT = "beian-kiosk-manifest/1"  # one archive-wide chain, before per-kiosk chains
EVIDENCE_FORMAT = "beian-kiosk-evidence/1"
GENESIS = "0" * 64
MANIFEST_DIR = "manifests"
KINDS = tuple(SealKind)
NAME_RE = re.compile(r"^(\d{8})-([0-9a-f]{64})\.json$")


def canonical_json(obj: Any) -> bytes:
    """Canonical JSON: sorted keys, no spaces, UTF-8 (not \\u escapes)."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def iso(value: dt.datetime | None) -> str | None:
    """UTC ISO-8601 with microseconds and a Z, or None."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def manifest_name(sequence: int, sha256: str) -> str:
    return f"{sequence:08d}-{sha256}.json"


def manifest_path(archive_dir: Path, sequence: int, sha256: str) -> Path:
    return Path(archive_dir) / MANIFEST_DIR / manifest_name(sequence, sha256)


def signature_path(manifest: Path) -> Path:
    return manifest.with_name(manifest.name + ".sig")


def parse_name(name: str) -> tuple[int, str] | None:
    """(sequence, sha256) from a manifest file name, or None when it is not one."""
    m = NAME_RE.match(name)
    return (int(m.group(1)), m.group(2)) if m else None


@dataclass(frozen=True, slots=True)
class ManifestFile:
    """A manifest as found on disk: its name, bytes and parsed content (None when not valid JSON)."""

    path: Path
    sequence: int
    sha256: str  # from the name
    data: bytes
    content: dict[str, Any] | None

    @property
    def actual_sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def read_manifest(path: Path) -> ManifestFile:
    parsed = parse_name(path.name)
    if parsed is None:
        raise ValueError(f"not a manifest name: {path.name}")
    data = path.read_bytes()
    try:
        content = json.loads(data)
        if not isinstance(content, dict):
            content = None
    except ValueError:
        content = None
    return ManifestFile(path, parsed[0], parsed[1], data, content)


def kiosk_chain_of(content: dict[str, Any] | None) -> str | None:
    """The kiosk whose chain a manifest belongs to, None for one of the archive-wide chain (format 1)."""
    if content is None or content.get("chain_sequence") is None:
        return None
    return str(content.get("kiosk_name", ""))


def live_files(content: dict[str, Any]) -> list[dict[str, Any]]:
    """The `files` entries of a manifest (empty for a tombstone)."""
    files = content.get("files") or []
    return [f for f in files if isinstance(f, dict)]
