"""Evidence packs: one ZIP per case for the regulator, verifiable offline; and the per-case integrity check.

Layout of a pack:
    pack.json, pack.json.sig   index of every entry with its SHA-256, signed with the kiosk's Ed25519 key
    manifests/<seq>-<sha>.json (+ .sig)   every manifest of the case (seals, corrections, tombstones)
    keys/<fingerprint>.pub     the public keys that signed them
    files/<sha256>.<ext>       every sealed file, decrypted (the evidence snapshot is evidence.json's twin)
    evidence.json              the sealed evidence snapshot (filing information, attempts, checks, timeline)
    report.pdf                 the A4 report
    README.txt
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.archive.evidence import build_snapshot
from kiosk.archive.manifest import (
    GENESIS,
    MANIFEST_DIR,
    canonical_json,
    iso,
    live_files,
    manifest_path,
    parse_name,
    read_manifest,
    signature_path,
)
from kiosk.archive.problems import Problem
from kiosk.archive.record import apply_decisions, record_problems
from kiosk.archive.sealing import SIGNING_KEY_PREFIX
from kiosk.archive.signing import (
    KEYS_DIR,
    Signer,
    fingerprint,
    load_archive_keys,
    load_public_pem,
    public_pem,
    verify_signature,
)
from kiosk.archive.store import BlobIntegrityError, BlobMissingError, BlobStore, sha256_hex
from kiosk.models import Case, Seal, SealKind, Setting, User
from kiosk.text import KioskError, Text

log = logging.getLogger(__name__)

PACK_FORMAT = "beian-kiosk-pack/1"
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf", "application/json": ".json",
              "image/webp": ".webp", "image/tiff": ".tif"}
MAGICS = ((b"\xff\xd8\xff", ".jpg"), (b"\x89PNG", ".png"), (b"%PDF", ".pdf"), (b"{", ".json"), (b"RIFF", ".webp"))
README = """Beian Kiosk evidence pack / 备案核验证据包
Case / 案件: {number}
Exported / 导出: {at} by {by} on {kiosk}

report.pdf      A4 report: filing information, photo, documents, checks, timeline, hashes / 报告
evidence.json   the sealed evidence snapshot / 封存的证据快照
files/          every sealed file, named by its SHA-256 / 全部封存文件（以 SHA-256 命名）
manifests/      the signed manifests of this case / 本案已签名的封存清单
keys/           public keys of the signing kiosks (Ed25519) / 签名公钥
pack.json(.sig) index of this pack with every entry's SHA-256, signed / 证据包索引及签名

Verify offline / 离线校验:  python -m kiosk verify-pack {name} [--key KEY.pub]
"""


def not_sealed() -> KioskError:
    return KioskError("not_sealed", Text("该案件尚未封存，无法导出证据包", "This case is not sealed yet: there is no evidence pack"),
                      status=409)


def _ext(media_type: str, data: bytes) -> str:
    if media_type in EXTENSIONS:
        return EXTENSIONS[media_type]
    return next((ext for magic, ext in MAGICS if data.startswith(magic)), ".bin")


def trusted_keys(session: Session) -> dict[str, bytes]:
    return {s.key[len(SIGNING_KEY_PREFIX):]: bytes(s.value)
            for s in session.scalars(select(Setting).where(Setting.key.startswith(SIGNING_KEY_PREFIX)))}


# ------------------------------------------------------------------ integrity of one case, computed now

@dataclass(slots=True)
class CaseIntegrity:
    status: str  # intact | damaged | unsealed | expired (retention removed the files; the tombstone is intact)
    problems: list[Problem] = field(default_factory=list)
    manifests: int = 0
    files: int = 0
    checked_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def ok(self) -> bool:
        return self.status in ("intact", "expired")


def case_integrity(session: Session, store: BlobStore, case_id: int) -> CaseIntegrity:
    """Re-check one case now: its manifests (name hash, signature, link to the previous manifest, Seal row) and
    every file they list (re-hashed; files removed by a tombstone are expected to be gone)."""
    from kiosk.archive.verify import ArchiveReport, check_manifest

    seals = list(session.scalars(select(Seal).where(Seal.case_id == case_id).order_by(Seal.sequence)))
    if not seals:
        return CaseIntegrity("unsealed")
    report = ArchiveReport()
    keys = load_archive_keys(store.root)
    trusted = trusted_keys(session)
    files: dict[str, dict[str, Any]] = {}
    removed: set[str] = set()
    for seal in seals:
        path = manifest_path(store.root, seal.sequence, seal.manifest_sha256)
        if not path.exists():
            report.add("missing_manifest", f"{MANIFEST_DIR}/{path.name}", "封存清单缺失", "manifest missing from the archive")
            continue
        mf = read_manifest(path)
        if not check_manifest(report, mf, keys, trusted) or mf.content is None:
            continue
        if mf.content.get("prev_manifest_sha256") != seal.prev_manifest_sha256:
            report.add("db_mismatch", f"{MANIFEST_DIR}/{path.name}", "清单与数据库记录的前一环不符",
                       "previous-manifest hash differs from the database")
        prev = seal.prev_manifest_sha256
        position = seal.chain_sequence if seal.chain_sequence is not None else seal.sequence
        if position > 1 or prev != GENESIS:  # the previous link of its kiosk's chain (or of the format 1 chain)
            before = session.scalar(select(Seal.sequence).where(Seal.manifest_sha256 == prev))
            ppath = manifest_path(store.root, before if before is not None else seal.sequence - 1, prev)
            if not ppath.exists() or sha256_hex(ppath.read_bytes()) != prev:
                report.add("broken_link", f"{MANIFEST_DIR}/{path.name}", "链中前一清单缺失或被修改",
                           f"the previous manifest {prev[:16]}… is missing or altered")
        for f in live_files(mf.content):
            files[str(f.get("sha256"))] = f
            removed.discard(str(f.get("sha256")))
        removed.update(str(f.get("sha256")) for f in mf.content.get("removed") or [] if isinstance(f, dict))
    for sha, f in files.items():
        if sha in removed:
            continue
        try:
            data = store.get(sha)
        except BlobMissingError:
            report.add("missing_blob", f"blob {sha}", "证据文件缺失", f"missing ({f.get('source')})")
            continue
        except BlobIntegrityError:
            report.add("altered_blob", f"blob {sha}", "证据文件被修改", f"content does not match its hash ({f.get('source')})")
            continue
        if len(data) != f.get("size"):
            report.add("altered_blob", f"blob {sha}", "证据文件大小不符", f"{len(data)} bytes, sealed as {f.get('size')}")
    live = [sha for sha in files if sha not in removed]
    case = session.get(Case, case_id)
    if case is not None:
        report.problems.extend(record_problems(session, store, case))
    status = "damaged" if not report.ok else ("expired" if seals[-1].kind == SealKind.TOMBSTONE else "intact")
    return CaseIntegrity(status, report.problems, len(seals), len(live))


# ------------------------------------------------------------------ export

@dataclass(frozen=True, slots=True)
class Pack:
    data: bytes
    filename: str
    sha256: str
    entries: int


def build_pack(session: Session, store: BlobStore, signer: Signer, case: Case, actor: User | None, kiosk_name: str,
               *, now: dt.datetime | None = None) -> Pack:
    """The evidence pack of `case` as ZIP bytes. Raises KioskError(not_sealed) for a case never sealed."""
    from kiosk.archive.pdf_report import build_report

    now = now or dt.datetime.now(dt.UTC)
    seals = list(session.scalars(select(Seal).where(Seal.case_id == case.id).order_by(Seal.sequence)))
    if not seals:
        raise not_sealed()
    integrity = case_integrity(session, store, case.id)
    entries: dict[str, bytes] = {}
    manifests: list[dict[str, Any]] = []
    names: list[str] = []
    fps: set[str] = set()
    for seal in seals:
        path = manifest_path(store.root, seal.sequence, seal.manifest_sha256)
        if not path.exists():
            continue
        data = path.read_bytes()
        entries[f"manifests/{path.name}"] = data
        sig = signature_path(path)
        if sig.exists():
            entries[f"manifests/{sig.name}"] = sig.read_bytes()
        try:
            content = json.loads(data)
        except ValueError:
            continue
        manifests.append(content)
        names.append(path.name)
        fps.add(str(content.get("signing_key")))
    keys = load_archive_keys(store.root)
    for fp in sorted(fps):
        if fp in keys:
            entries[f"{KEYS_DIR}/{fp}.pub"] = public_pem(keys[fp])
    removed = {str(f.get("sha256")) for m in manifests for f in m.get("removed") or [] if isinstance(f, dict)}
    cache: dict[str, bytes | None] = {}

    def read(sha: str) -> bytes | None:
        if sha not in cache:
            try:
                cache[sha] = store.get(sha)
            except (BlobMissingError, BlobIntegrityError):
                cache[sha] = None
        return cache[sha]

    file_meta: dict[str, dict[str, Any]] = {}
    for m in manifests:
        for f in live_files(m):
            file_meta[str(f.get("sha256"))] = f
    evidence: dict[str, Any] | None = None
    for i in range(len(manifests) - 1, -1, -1):
        snap = next((f for f in live_files(manifests[i]) if f.get("role") == "evidence_snapshot"), None)
        if snap and (raw := read(str(snap["sha256"]))) is not None:
            evidence = apply_decisions(json.loads(raw), manifests[i + 1:])  # current state, record number, timeline
            entries["evidence.json"] = raw
            break
    if evidence is None:
        log.warning("case %s: sealed snapshot unavailable; the report uses the database", case.number)
        evidence = build_snapshot(case)
    for sha, f in sorted(file_meta.items()):
        if sha in removed:
            continue
        blob = read(sha)
        if blob is not None:
            entries[f"files/{sha}{_ext(str(f.get('media_type') or ''), blob)}"] = blob
    if integrity.ok:
        summary = f"完好 intact ({integrity.manifests} manifests, {integrity.files} files re-hashed)"
    else:
        summary = "异常 DAMAGED: " + "; ".join(f"{p.code} {p.subject}" for p in integrity.problems[:6])
    by = actor.username if actor is not None else "system"
    entries["report.pdf"] = build_report(evidence, manifests, names, read, generated_by=by, generated_at=now,
                                         kiosk_name=kiosk_name, integrity=summary)
    filename = f"evidence-{case.number}-{now.strftime('%Y%m%dT%H%M%SZ')}.zip"
    entries["README.txt"] = README.format(number=case.number, at=iso(now), by=by, kiosk=kiosk_name, name=filename).encode()
    index = {
        "format": PACK_FORMAT,
        "case": {"id": case.id, "number": case.number},
        "generated_at": iso(now),
        "generated_by": by,
        "kiosk_name": kiosk_name,
        "signing_key": signer.fingerprint,
        "integrity": {"status": integrity.status,
                      "problems": [{"code": p.code, "subject": p.subject} for p in integrity.problems]},
        "manifests": names,
        "entries": {name: {"sha256": sha256_hex(data), "size": len(data)} for name, data in sorted(entries.items())},
    }
    entries[f"{KEYS_DIR}/{signer.fingerprint}.pub"] = public_pem(signer.public_key)
    index_bytes = canonical_json(index)
    entries["pack.json"] = index_bytes
    entries["pack.json.sig"] = signer.sign(index_bytes)
    out = io.BytesIO()
    stamp = now.astimezone(dt.UTC).timetuple()[:6]
    with zipfile.ZipFile(out, "w") as zf:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED if name.endswith((".jpg", ".png", ".webp")) else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, entries[name])
    data = out.getvalue()
    return Pack(data, filename, sha256_hex(data), len(entries))


# ------------------------------------------------------------------ offline verification

@dataclass(slots=True)
class PackReport:
    case_number: str = ""
    manifests: int = 0
    files: int = 0
    signing_key: str = ""
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, code: str, subject: str, zh: str, en: str) -> None:
        self.problems.append(Problem(code, subject, Text(zh, en)))


def verify_pack(source: Path | bytes, trusted_key: Path | str | None = None) -> PackReport:
    """Check a pack without the archive or database: pack index signature and every entry's hash, every
    manifest's name hash and signature, every sealed file present and unaltered, no extra entries.

    `trusted_key` pins the signer: a public key file (.pub PEM) or a fingerprint; without it the keys inside the
    pack are used (which proves integrity, not origin).
    """
    report = PackReport()
    try:
        zf = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (zipfile.BadZipFile, OSError) as exc:
        report.add("altered_manifest", str(source)[:80] if not isinstance(source, bytes) else "pack",
                   "不是有效的证据包", f"not a readable ZIP ({exc})")
        return report
    with zf:
        names = set(zf.namelist())
        read = zf.read
        keys: dict[str, Ed25519PublicKey] = {}
        for n in names:
            if n.startswith(f"{KEYS_DIR}/") and n.endswith(".pub"):
                try:
                    k = load_public_pem(read(n))
                except ValueError:
                    report.add("unknown_key", n, "公钥文件无效", "not an Ed25519 public key")
                    continue
                if fingerprint(k) != Path(n).stem:
                    report.add("unknown_key", n, "公钥与文件名不符", "key does not match its file name")
                    continue
                keys[Path(n).stem] = k
        pinned: str | None = None
        if trusted_key is not None:
            tk = str(trusted_key)
            if Path(tk).exists():
                k = load_public_pem(Path(tk).read_bytes())
                pinned = fingerprint(k)
                keys[pinned] = k
            else:
                pinned = tk
        # the index
        if "pack.json" not in names or "pack.json.sig" not in names:
            report.add("missing_signature", "pack.json", "缺少证据包索引或签名", "pack.json or its signature is missing")
            return report
        index_bytes = read("pack.json")
        try:
            index = json.loads(index_bytes)
        except ValueError:
            report.add("altered_manifest", "pack.json", "索引不是有效的 JSON", "not valid JSON")
            return report
        report.case_number = str((index.get("case") or {}).get("number", ""))
        fp = str(index.get("signing_key", ""))
        report.signing_key = fp
        if pinned and fp != pinned:
            report.add("unknown_key", "pack.json", "证据包不是由指定的密钥签名的",
                       f"signed by {fp}, not by the trusted key {pinned}")
        if fp not in keys:
            report.add("unknown_key", "pack.json", "签名密钥不在证据包中", f"signing key {fp} is not in the pack")
        elif not verify_signature(keys[fp], read("pack.json.sig"), index_bytes):
            report.add("bad_signature", "pack.json", "索引签名无效", "the signature of the pack index does not match")
        listed: dict[str, dict[str, Any]] = index.get("entries") or {}
        for name, meta in sorted(listed.items()):
            if name not in names:
                report.add("missing_blob", name, "证据包中缺少文件", "listed in pack.json but missing")
                continue
            data = read(name)
            if sha256_hex(data) != meta.get("sha256") or len(data) != meta.get("size"):
                report.add("altered_blob", name, "文件被修改", "content does not match pack.json")
        own = {"pack.json", "pack.json.sig", f"{KEYS_DIR}/{fp}.pub"}
        for name in sorted(names - set(listed) - own):
            report.add("extra_file", name, "证据包中有多余的文件", "not listed in pack.json")
        # manifests and sealed files
        removed: set[str] = set()
        files: dict[str, dict[str, Any]] = {}
        for name in sorted(n for n in names if n.startswith(f"{MANIFEST_DIR}/") and n.endswith(".json")):
            parsed = parse_name(Path(name).name)
            if parsed is None:
                continue
            report.manifests += 1
            data = read(name)
            if sha256_hex(data) != parsed[1]:
                report.add("altered_manifest", name, "清单被修改", "content does not match the hash in its name")
            sig_name = name + ".sig"
            try:
                content = json.loads(data)
            except ValueError:
                report.add("altered_manifest", name, "清单不是有效的 JSON", "not valid JSON")
                continue
            mfp = str(content.get("signing_key", ""))
            if sig_name not in names:
                report.add("missing_signature", name, "清单缺少签名", "signature missing")
            elif mfp not in keys:
                report.add("unknown_key", name, "清单签名密钥不在证据包中", f"signing key {mfp} is not in the pack")
            elif not verify_signature(keys[mfp], read(sig_name), data):
                report.add("bad_signature", name, "清单签名无效", "the signature does not match")
            elif pinned and mfp != pinned:
                report.add("unknown_key", name, "清单不是由指定的密钥签名的", f"signed by {mfp}, not {pinned}")
            for f in live_files(content):
                files[str(f.get("sha256"))] = f
                removed.discard(str(f.get("sha256")))
            removed.update(str(f.get("sha256")) for f in content.get("removed") or [] if isinstance(f, dict))
        if report.manifests == 0:
            report.add("missing_manifest", "manifests/", "证据包中没有封存清单", "the pack holds no manifest")
        present = {}
        for n in names:
            if n.startswith("files/"):
                present[Path(n).stem] = n
        for sha, f in sorted(files.items()):
            if sha in removed:
                continue
            packed = present.get(sha)
            if packed is None:
                report.add("missing_blob", f"files/{sha}", "封存文件缺失", f"sealed file missing ({f.get('source')})")
                continue
            data = read(packed)
            if sha256_hex(data) != sha or len(data) != f.get("size"):
                report.add("altered_blob", packed, "封存文件被修改", f"does not match its sealed hash ({f.get('source')})")
            report.files += 1
        if "evidence.json" in names:
            snap = [s for s, f in files.items() if f.get("role") == "evidence_snapshot"]
            if sha256_hex(read("evidence.json")) not in snap:
                report.add("altered_blob", "evidence.json", "证据快照与清单不符", "does not match any sealed snapshot")
    return report
