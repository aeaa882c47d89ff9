"""Verify the whole archive: every blob re-hashed, every manifest's name, signature and chain link checked, the
database's Seal rows compared with the manifests, every sealed case's record compared with its database rows
(kiosk.archive.record), the access log's chain checked. Names every problem."""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.archive.access_anchor import (
    ANCHOR_FIELD,
    CHECKPOINT_DIR,
    CHECKPOINT_NAME,
    anchor_problems,
    checkpoint_problems,
)
from kiosk.archive.access_log import verify_access_log
from kiosk.archive.manifest import (
    GENESIS,
    MANIFEST_DIR,
    ManifestFile,
    kiosk_chain_of,
    live_files,
    manifest_name,
    parse_name,
    read_manifest,
)
from kiosk.archive.pack import trusted_keys
from kiosk.archive.problems import Problem
from kiosk.archive.record import record_problems
from kiosk.archive.recovery import QUARANTINE_DIR
from kiosk.archive.sealing import (
    CHAIN_HEAD_KEY,
    KIOSK_CHAIN_HEAD_PREFIX,
    PENDING_DIR,
    kiosk_chain_key,
)
from kiosk.archive.signing import KEYS_DIR, load_archive_keys, public_raw, verify_signature
from kiosk.archive.store import BlobIntegrityError, BlobMissingError, BlobStore
from kiosk.models import Attachment, BlobRecord, Case, KioskKey, PhotoAttempt, Seal, Setting
from kiosk.text import Text

log = logging.getLogger(__name__)
BLOB_NAME = re.compile(r"^([0-9a-f]{64})(\.enc)?$")


@dataclass(slots=True)
class ArchiveReport:
    problems: list[Problem] = field(default_factory=list)
    manifests: int = 0
    blobs: int = 0
    bytes: int = 0
    access_log_entries: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, code: str, subject: str, zh: str, en: str) -> None:
        self.problems.append(Problem(code, subject, Text(zh, en)))


@dataclass(slots=True)
class _Ref:
    size: int | None
    where: list[str]


def check_manifest(
    report: ArchiveReport, mf: ManifestFile, keys: dict[str, Ed25519PublicKey], trusted: dict[str, bytes] | None
) -> bool:
    """Name hash, parse, sequence and signature of one manifest; returns True when its content can be trusted."""
    subject = f"{MANIFEST_DIR}/{mf.path.name}"
    good = True
    if mf.actual_sha256 != mf.sha256:
        report.add("altered_manifest", subject, "清单内容被修改（哈希与文件名不符）",
                   f"content altered: it hashes to {mf.actual_sha256[:16]}…, its name says {mf.sha256[:16]}…")
        good = False
    if mf.content is None:
        report.add("altered_manifest", subject, "清单不是有效的 JSON", "not valid JSON")
        return False
    if mf.content.get("sequence") != mf.sequence:
        report.add("altered_manifest", subject, "清单序号与文件名不符",
                   f"says sequence {mf.content.get('sequence')!r}, its name says {mf.sequence}")
        good = False
    sig_path = mf.path.with_name(mf.path.name + ".sig")
    fp = str(mf.content.get("signing_key", ""))
    key = keys.get(fp)
    if trusted is not None and fp in trusted and (key is None or public_raw(key) != trusted[fp]):
        if key is not None:
            report.add("unknown_key", f"{KEYS_DIR}/{fp}.pub", "存档中的公钥与数据库登记的不符",
                       "public key file differs from the one registered in the database")
        key = Ed25519PublicKey.from_public_bytes(trusted[fp])
    if not sig_path.exists():
        report.add("missing_signature", subject, "清单缺少签名文件", f"signature file {sig_path.name} is missing")
        return False
    if key is None:
        report.add("unknown_key", subject, "签名密钥未知", f"signed with unknown key {fp!r}")
        return False
    if trusted is not None and trusted and fp not in trusted:
        report.add("unknown_key", subject, "签名密钥未在数据库登记", f"signing key {fp} is not registered in the database")
        good = False
    if not verify_signature(key, sig_path.read_bytes(), mf.data):
        report.add("bad_signature", subject, "签名无效", f"the signature does not match (key {fp})")
        return False
    return good


def verify_archive(store: BlobStore, session: Session | None = None) -> ArchiveReport:
    """Check everything under `store.root` (and, with `session`, the database's view of it)."""
    report = ArchiveReport()
    root = store.root
    keys = load_archive_keys(root)
    trusted = trusted_keys(session) if session is not None else None

    # -- manifests: names, signatures
    by_seq: dict[int, list[ManifestFile]] = defaultdict(list)
    mdir = root / MANIFEST_DIR
    files = sorted(mdir.iterdir()) if mdir.is_dir() else []
    names = {p.name for p in files}
    listed_content: dict[str, dict[str, Any]] = {}
    for path in files:
        if parse_name(path.name):
            mf = read_manifest(path)
            by_seq[mf.sequence].append(mf)
            report.manifests += 1
            check_manifest(report, mf, keys, trusted)
            if mf.content is not None:  # an altered manifest is reported above; its list still names the files
                listed_content[mf.sha256] = mf.content
        elif path.name.endswith(".json.sig") and path.name[: -len(".sig")] in names:
            continue
        else:
            report.add("extra_file", f"{MANIFEST_DIR}/{path.name}", "清单目录中有多余的文件",
                       "not a manifest or signature of one")

    # -- the chains: one per kiosk, and the archive-wide chain of format 1 manifests (before per-kiosk chains)
    db_seals: list[Seal] = list(session.scalars(select(Seal).order_by(Seal.sequence))) if session is not None else []
    kiosk_of_key = kiosk_keys(session) if session is not None else None
    for chain in chains_of(by_seq, db_seals):
        check_chain(report, chain, with_db=session is not None)
        if kiosk_of_key is not None and chain.kiosk is not None:
            check_chain_keys(report, chain, kiosk_of_key)
    if session is not None:
        check_chain_heads(report, session, db_seals)

    # -- which blobs should exist
    expected_blobs: dict[str, _Ref] = {}
    removed: dict[str, int] = {}
    for seq in sorted(by_seq):
        for mf in by_seq[seq]:
            content = listed_content.get(mf.sha256)
            if content is None:
                continue
            number = (content.get("case") or {}).get("number", "?")
            for f in live_files(content):
                ref = expected_blobs.setdefault(str(f.get("sha256")), _Ref(f.get("size"), []))
                ref.where.append(f"case {number}, {f.get('source')} (manifest {seq})")
                removed.pop(str(f.get("sha256")), None)
            for f in content.get("removed") or []:
                if isinstance(f, dict):
                    removed[str(f.get("sha256"))] = seq
    for sha in removed:
        expected_blobs.pop(sha, None)
    db_refs: dict[str, str] = {}
    if session is not None:
        for sha in session.scalars(select(BlobRecord.sha256).where(BlobRecord.deleted_at.is_(None))):
            db_refs[sha] = "recorded blob"
        numbers = {cid: num for cid, num in session.execute(select(Case.id, Case.number))}
        for aid, cid, kind, orig, norm in session.execute(
            select(Attachment.id, Attachment.case_id, Attachment.kind, Attachment.original_sha256,
                   Attachment.normalised_sha256)
        ):
            db_refs[orig] = f"case {numbers.get(cid, cid)}, attachment:{aid}:{kind}"
            if norm:
                db_refs[norm] = f"case {numbers.get(cid, cid)}, attachment:{aid}:{kind}:normalised"
        for pid, cid, sha in session.execute(select(PhotoAttempt.id, PhotoAttempt.case_id, PhotoAttempt.image_sha256)):
            db_refs[sha] = f"case {numbers.get(cid, cid)}, photo_attempt:{pid}"

    # -- every blob file on disk
    seen: set[str] = set()
    for path in store.iter_blob_files():
        rel = path.relative_to(root).as_posix()
        named = BLOB_NAME.match(path.name)
        if not named or path.parent != store.path_for(named.group(1), bool(named.group(2))).parent:
            report.add("extra_file", rel, "不是证据文件", "not a blob (wrong name or folder)")
            continue
        sha = named.group(1)
        report.blobs += 1
        try:
            data = store.get(sha) if path == store.find(sha) else None
        except BlobIntegrityError:
            where = "; ".join(expected_blobs[sha].where) if sha in expected_blobs else db_refs.get(sha, "unreferenced")
            report.add("altered_blob", rel, "证据文件被修改或损坏", f"content does not match its hash ({where})")
            seen.add(sha)
            continue
        except BlobMissingError:  # removed while we looked
            continue
        except RuntimeError:
            report.add("unknown_key", rel, "缺少档案加密密钥，无法校验", "encrypted, and the archive key is not available")
            seen.add(sha)
            continue
        if data is None:
            report.add("extra_file", rel, "同一证据有加密和明文两份", "a second copy (encrypted and plain) of one blob")
            continue
        seen.add(sha)
        report.bytes += len(data)
        listed = expected_blobs.get(sha)
        if listed is not None and listed.size is not None and listed.size != len(data):
            report.add("altered_blob", rel, "证据文件大小与清单不符", f"{len(data)} bytes, the manifest says {listed.size}")
        if sha in removed:
            report.add("extra_file", rel, "已按保留期删除的证据仍然存在",
                       f"removed by tombstone {removed[sha]} but still present (run expire again)")
        elif listed is None and sha not in db_refs:
            report.add("extra_file", rel, "证据文件未被任何清单或案件引用", "not referenced by any manifest or case")
    for sha, ref in expected_blobs.items():
        if sha not in seen:
            report.add("missing_blob", f"blob {sha}", "证据文件缺失", f"missing ({'; '.join(ref.where)})")
    for sha in sorted(set(db_refs) - seen - set(expected_blobs) - set(removed)):
        report.add("missing_blob", f"blob {sha}", "证据文件缺失", f"missing ({db_refs[sha]}, not sealed)")

    # -- leftovers
    for folder, code, zh, en in (
        (PENDING_DIR, "pending_work", "有未完成的封存（重启以恢复）", "unfinished sealing journal (restart to recover)"),
        (QUARANTINE_DIR, "extra_file", "隔离区中有清单", "quarantined manifest (no database row)"),
    ):
        d = root / folder
        if d.is_dir():
            for p in sorted(d.iterdir()):
                report.add(code, f"{folder}/{p.name}", zh, en)

    if session is not None:
        for case_id in sorted({cid for cid in session.scalars(select(Seal.case_id)) if cid is not None}):
            case = session.get(Case, case_id)
            if case is not None:
                report.problems.extend(record_problems(session, store, case))
        report.problems.extend(verify_access_log(session))
        report.problems.extend(_anchor_problems(session, root, by_seq, listed_content, keys, trusted))
    return report


def _anchor_problems(
    session: Session,
    root: Path,
    by_seq: dict[int, list[ManifestFile]],
    listed_content: dict[str, dict[str, Any]],
    keys: dict[str, Ed25519PublicKey],
    trusted: dict[str, bytes] | None,
) -> list[Problem]:
    """The access log against the head anchored in every manifest and in the signed checkpoint."""
    anchors: list[tuple[str, Any]] = []
    for seq in sorted(by_seq):
        for mf in by_seq[seq]:
            content = listed_content.get(mf.sha256)
            if content is not None and content.get(ANCHOR_FIELD) is not None:
                anchors.append((f"{MANIFEST_DIR}/{mf.path.name}", content[ANCHOR_FIELD]))
    checkpoint_keys = {**keys, **{fp: Ed25519PublicKey.from_public_bytes(raw) for fp, raw in (trusted or {}).items()}}
    problems, checkpoint = checkpoint_problems(root, checkpoint_keys, anchored=bool(anchors))
    if checkpoint is not None:
        anchors.append((f"{CHECKPOINT_DIR}/{CHECKPOINT_NAME}", checkpoint))
    return problems + anchor_problems(session, anchors)


@dataclass(slots=True)
class Chain:
    """One hash chain of the archive: a kiosk's (`kiosk` its name) or the archive-wide one of format 1 manifests
    (`kiosk` None), its manifest files and Seal rows by position (chain_sequence, or sequence for format 1)."""

    kiosk: str | None
    files: dict[int, list[ManifestFile]] = field(default_factory=lambda: defaultdict(list))
    seals: dict[int, Seal] = field(default_factory=dict)

    def who(self) -> tuple[str, str]:
        """How problems name this chain: (Chinese, English) prefixes."""
        return ("", "") if self.kiosk is None else (f"终端 {self.kiosk}：", f"kiosk {self.kiosk}: ")

    def link_subject(self, position: int) -> str:
        return f"sequence {position}" if self.kiosk is None else f"kiosk {self.kiosk}, link {position}"


def chains_of(by_seq: dict[int, list[ManifestFile]], db_seals: list[Seal]) -> list[Chain]:
    """Manifest files and Seal rows sorted into their chains. A manifest goes where the Seal row of its sequence
    says (an edited manifest cannot move itself into another chain), else where its content says."""
    chains: dict[str | None, Chain] = {}
    row_of_sequence = {seal.sequence: seal for seal in db_seals}
    for seal in db_seals:
        chain = chains.setdefault(seal.kiosk_name if seal.chain_sequence is not None else None,
                                  Chain(seal.kiosk_name if seal.chain_sequence is not None else None))
        chain.seals[seal.chain_sequence if seal.chain_sequence is not None else seal.sequence] = seal
    for seq, found in by_seq.items():
        for mf in found:
            row = row_of_sequence.get(seq)
            if row is not None:
                kiosk = row.kiosk_name if row.chain_sequence is not None else None
                position = row.chain_sequence if row.chain_sequence is not None else seq
            else:
                kiosk = kiosk_chain_of(mf.content)
                position = _int((mf.content or {}).get("chain_sequence"), seq) if kiosk is not None else seq
            chains.setdefault(kiosk, Chain(kiosk)).files[position].append(mf)
    return sorted(chains.values(), key=lambda c: (c.kiosk is not None, c.kiosk or ""))


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def check_chain(report: ArchiveReport, chain: Chain, *, with_db: bool) -> None:
    """Every link of one chain present once, each naming the previous one, and agreeing with its Seal row."""
    zh_who, en_who = chain.who()
    top = max([*chain.files, *chain.seals, 0])
    prev_sha: str | None = GENESIS
    for position in range(1, top + 1):
        found = chain.files.get(position, [])
        seal = chain.seals.get(position)
        if seal is not None:
            match = [m for m in found if m.sha256 == seal.manifest_sha256]
            if not match:
                report.add("missing_manifest", f"{MANIFEST_DIR}/{manifest_name(seal.sequence, seal.manifest_sha256)}",
                           f"{zh_who}数据库中的封存记录对应的清单文件缺失",
                           f"{en_who}chain link {position} (case id {seal.case_id}, {seal.kind}) is in the database "
                           "but missing from the archive")
            for m in found:
                if m.sha256 != seal.manifest_sha256:
                    report.add("extra_file", f"{MANIFEST_DIR}/{m.path.name}", f"{zh_who}清单不在数据库中",
                               f"{en_who}link {position} in the database is {seal.manifest_sha256[:16]}…, "
                               "not this manifest")
            found = match
        elif not found:
            report.add("missing_manifest", chain.link_subject(position), f"{zh_who}哈希链缺少一环",
                       f"{en_who}chain link {position} is missing (neither a manifest file nor a database row)")
        elif with_db:
            for m in found:
                report.add("extra_file", f"{MANIFEST_DIR}/{m.path.name}", f"{zh_who}清单没有对应的数据库记录",
                           f"{en_who}manifest has no Seal row in the database (run recovery, or restore the database)")
        if len(found) > 1:
            report.add("duplicate_sequence", chain.link_subject(position), f"{zh_who}同一序号有多个清单",
                       f"{en_who}{len(found)} manifests claim link {position}")
        if not found:
            prev_sha = None
            continue
        mf = found[0]
        claimed = mf.content.get("prev_manifest_sha256") if mf.content else None
        if prev_sha is None:
            report.add("broken_link", f"{MANIFEST_DIR}/{mf.path.name}", f"{zh_who}前一环缺失，链接无法验证",
                       f"{en_who}refers to previous manifest {str(claimed)[:16]}…, which is missing")
        elif claimed != prev_sha:
            report.add("broken_link", f"{MANIFEST_DIR}/{mf.path.name}", f"{zh_who}与前一清单的链接断裂",
                       f"{en_who}refers to previous manifest {str(claimed)[:16]}…, but link {position - 1} is "
                       f"{prev_sha[:16]}…")
        if seal is not None and seal.prev_manifest_sha256 != claimed:
            report.add("db_mismatch", chain.link_subject(position), f"{zh_who}数据库记录的前一清单哈希与清单不符",
                       f"{en_who}the database's prev_manifest_sha256 differs from the manifest's")
        prev_sha = mf.sha256


def kiosk_keys(session: Session) -> dict[str, str]:
    """Registered signing key fingerprint -> the kiosk it belongs to."""
    return {fp: name for fp, name in session.execute(select(KioskKey.fingerprint, KioskKey.kiosk_name))}


def check_chain_keys(report: ArchiveReport, chain: Chain, kiosk_of_key: dict[str, str]) -> None:
    """Every manifest of a kiosk's chain is signed with a key registered to that kiosk."""
    for found in chain.files.values():
        for mf in found:
            if mf.content is None or mf.actual_sha256 != mf.sha256:  # altered: reported, its claims not trusted
                continue
            fp = str(mf.content.get("signing_key", ""))
            owner = kiosk_of_key.get(fp)
            if owner is None:
                report.add("unknown_key", f"{MANIFEST_DIR}/{mf.path.name}", f"终端 {chain.kiosk}：签名密钥未登记",
                           f"kiosk {chain.kiosk}: signing key {fp} is not in the kiosk registry")
            elif owner != chain.kiosk:
                report.add("wrong_kiosk_key", f"{MANIFEST_DIR}/{mf.path.name}",
                           f"终端 {chain.kiosk} 的清单用终端 {owner} 的密钥签名",
                           f"kiosk {chain.kiosk}: signed with key {fp}, which is registered to kiosk {owner}")


def check_chain_heads(report: ArchiveReport, session: Session, db_seals: list[Seal], only: str | None = None) -> None:
    """Each chain head recorded in the database (`only` that kiosk's) against its chain's last Seal row (a removed
    last link)."""
    if only is not None:
        heads: list[tuple[str, str, Seal | None, Setting | None]] = []
        last = [s for s in db_seals if s.kiosk_name == only and s.chain_sequence is not None]
        last.sort(key=lambda s: s.chain_sequence or 0)
        heads.append((only, f"kiosk {only}, chain head", last[-1] if last else None,
                      session.get(Setting, kiosk_chain_key(only))))
        _compare_heads(report, heads)
        return
    legacy = [s for s in db_seals if s.chain_sequence is None]
    heads = [("", "chain head", legacy[-1] if legacy else None, session.get(Setting, CHAIN_HEAD_KEY))]
    last_of: dict[str, Seal] = {}
    for seal in db_seals:
        if seal.chain_sequence is not None and (
                seal.kiosk_name not in last_of or (last_of[seal.kiosk_name].chain_sequence or 0) < seal.chain_sequence):
            last_of[seal.kiosk_name] = seal
    rows = session.scalars(select(Setting).where(Setting.key.startswith(KIOSK_CHAIN_HEAD_PREFIX))).all()
    by_key = {row.key: row for row in rows}
    names = set(last_of) | {row.key[len(KIOSK_CHAIN_HEAD_PREFIX):] for row in rows if "#" not in row.key}
    for name in sorted(names):
        heads.append((name, f"kiosk {name}, chain head", last_of.get(name), by_key.pop(kiosk_chain_key(name), None)))
    for row in by_key.values():  # a long kiosk name's head whose kiosk has no Seal row left
        heads.append((row.key, f"{row.key}", None, row))
    _compare_heads(report, heads)


def _compare_heads(report: ArchiveReport, heads: list[tuple[str, str, Seal | None, Setting | None]]) -> None:
    for name, subject, last, head in heads:
        if head is None:
            continue
        position = (last.chain_sequence if name else last.sequence) if last else 0
        expected = f"{position}:{last.manifest_sha256}" if last else None
        if bytes(head.value).decode() != expected and not (last is None and bytes(head.value).decode() == f"0:{GENESIS}"):
            zh_who, en_who = (f"终端 {name}：", f"kiosk {name}: ") if name else ("", "")
            report.add("missing_manifest", subject, f"{zh_who}链尾的清单被删除",
                       f"{en_who}the database's chain head is {bytes(head.value).decode()[:24]}…, the last Seal row "
                       f"is {expected}")


def kiosk_chain_problems(session: Session, store: BlobStore, kiosk_name: str) -> list[Problem]:
    """One kiosk's chain checked now: each manifest's hash, signature and key (registered to this kiosk), every
    link present and naming the previous one, the chain head. The rest of the archive is not read."""
    report = ArchiveReport()
    seals = list(session.scalars(select(Seal).where(Seal.kiosk_name == kiosk_name, Seal.chain_sequence.is_not(None))
                                 .order_by(Seal.sequence)))
    keys, trusted = load_archive_keys(store.root), trusted_keys(session)
    by_seq: dict[int, list[ManifestFile]] = defaultdict(list)
    for seal in seals:
        path = store.root / MANIFEST_DIR / manifest_name(seal.sequence, seal.manifest_sha256)
        if path.exists():
            mf = read_manifest(path)
            by_seq[seal.sequence].append(mf)
            check_manifest(report, mf, keys, trusted)
    for chain in chains_of(by_seq, seals):
        check_chain(report, chain, with_db=True)
        check_chain_keys(report, chain, kiosk_keys(session))
    check_chain_heads(report, session, seals, only=kiosk_name)
    return report.problems


def archive_summary(report: ArchiveReport) -> str:
    return (
        f"{report.manifests} manifests, {report.blobs} blobs ({report.bytes} bytes), "
        f"{len(report.problems)} problem(s)"
    )


def manifests_of_case(session: Session, case_id: int) -> list[Seal]:
    return list(session.scalars(select(Seal).where(Seal.case_id == case_id).order_by(Seal.sequence)))


def relpath(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()
