"""The kiosk's Ed25519 signing key: signs every archive manifest (and evidence-pack index).

The private key lives at `settings.signing_key_file` (PEM, PKCS#8, mode 0600), created on first use with a loud
warning. Its public half is written to `<archive>/keys/<fingerprint>.pub` (PEM) so that manifests and evidence
packs can be verified offline. The fingerprint is the first 16 hex digits of the SHA-256 of the raw public key.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.files import atomic_write

log = logging.getLogger(__name__)

KEYS_DIR = "keys"

NEW_KEY_WARNING = (
    "\n" + "!" * 78 + "\n"
    "  A NEW MANIFEST SIGNING KEY was created at {path} (fingerprint {fp}).\n"
    "  BACK IT UP. Manifests signed with it stay verifiable through {pub}.\n"
    "  新建了清单签名密钥 {path}（指纹 {fp}），请备份。\n" + "!" * 78
)


def public_raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(key: Ed25519PublicKey) -> str:
    """First 16 hex digits of the SHA-256 of the raw 32-byte public key."""
    return hashlib.sha256(public_raw(key)).hexdigest()[:16]


def public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def load_public_pem(data: bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(data)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def encode_signature(sig: bytes) -> bytes:
    """Detached signature file content: base64 of the 64-byte signature, one line."""
    return base64.b64encode(sig) + b"\n"


def decode_signature(data: bytes) -> bytes:
    return base64.b64decode(data.strip(), validate=True)


def verify_signature(key: Ed25519PublicKey, signature_file: bytes, data: bytes) -> bool:
    """True when `signature_file` (as written by encode_signature) is a valid signature of `data` by `key`."""
    try:
        key.verify(decode_signature(signature_file), data)
    except (InvalidSignature, ValueError):
        return False
    return True


class Signer:
    """Signs bytes with the kiosk's Ed25519 key."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key
        self.public_key = private_key.public_key()
        self.fingerprint = fingerprint(self.public_key)

    def sign(self, data: bytes) -> bytes:
        """The detached signature file content for `data`."""
        return encode_signature(self._key.sign(data))

    def publish(self, archive_dir: Path) -> Path:
        """Write the public key to `<archive_dir>/keys/<fingerprint>.pub` (once) and return its path."""
        path = Path(archive_dir) / KEYS_DIR / f"{self.fingerprint}.pub"
        if not path.exists():
            atomic_write(path, public_pem(self.public_key), Path(archive_dir) / "tmp")
            log.info("published manifest signing key %s at %s", self.fingerprint, path)
        return path

    @classmethod
    def generate(cls) -> Signer:
        return cls(Ed25519PrivateKey.generate())


def load_or_create_signer(path: Path, archive_dir: Path | None = None) -> Signer:
    """The signer whose private key is at `path` (created once, 0600); publishes the public key if asked."""
    path = Path(path)
    created = False
    if not path.exists():
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        try:
            atomic_write(path, pem, secret=True)
            created = True
        except FileExistsError:  # another process created it first: use theirs
            pass
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    signer = Signer(key)
    pub = signer.publish(archive_dir) if archive_dir is not None else None
    if created:
        log.warning(NEW_KEY_WARNING.format(path=path, fp=signer.fingerprint, pub=pub or "(not published)"))
    return signer


def load_archive_keys(archive_dir: Path) -> dict[str, Ed25519PublicKey]:
    """Every public key published in `<archive_dir>/keys`, by fingerprint (files whose name lies are skipped)."""
    keys: dict[str, Ed25519PublicKey] = {}
    folder = Path(archive_dir) / KEYS_DIR
    if not folder.is_dir():
        return keys
    for path in sorted(folder.glob("*.pub")):
        try:
            key = load_public_pem(path.read_bytes())
        except ValueError:
            log.warning("not an Ed25519 public key: %s", path)
            continue
        if fingerprint(key) == path.stem:
            keys[path.stem] = key
        else:
            log.warning("public key %s does not match its file name", path)
    return keys
