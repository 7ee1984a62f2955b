"""Ed25519 keys and signed checkpoints (tree size, root hash, time, metadata hash).

A checkpoint's signed body is text (UTF-8)::

    riskeval-ledger/2 checkpoint
    size <tree size>
    root <root hash, hex>
    time <UTC timestamp>
    meta <sha256 of the ledger's metadata rows, hex>
    key <public-key fingerprint, or ->

The fingerprint of a public key is the sha256 hex of its 32 raw bytes.

Examples
--------
>>> key = SigningKey.generate()
>>> cp = Checkpoint(size=1, root="ab" * 32, ts="2026-01-01T00:00:00.000000Z", meta="cd" * 32).sign(key)
>>> cp.verify(key.public), cp.signed
(True, True)
>>> Checkpoint.from_dict({**cp.to_dict(), "size": 2}).verify(key.public)
False
>>> cp.verify(SigningKey.generate().public)
False
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .errors import LedgerKeyError
from .records import FORMAT, canonical_json

__all__ = ["Checkpoint", "PublicKey", "SigningKey", "generate_keys", "load_public_key", "load_signing_key", "meta_hash"]


def meta_hash(meta: Mapping[str, str]) -> str:
    """sha256 hex over every metadata row (sorted), as covered by each checkpoint.

    Examples
    --------
    >>> meta_hash({"a": "1", "b": "2"}) == meta_hash({"b": "2", "a": "1"}) != meta_hash({"a": "1"})
    True
    """
    return hashlib.sha256(canonical_json(sorted([str(k), str(v)] for k, v in meta.items())).encode("utf-8")).hexdigest()


class PublicKey:
    """An Ed25519 public key."""

    def __init__(self, key: Ed25519PublicKey) -> None:
        self._key = key
        self.raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    @classmethod
    def from_raw(cls, raw: bytes) -> PublicKey:
        """From the 32 raw bytes (``ValueError`` if not a key)."""
        return cls(Ed25519PublicKey.from_public_bytes(raw))

    @property
    def fingerprint(self) -> str:
        """sha256 hex of the raw key."""
        return hashlib.sha256(self.raw).hexdigest()

    def verify(self, signature: bytes, data: bytes) -> bool:
        """Whether ``signature`` is this key's signature of ``data``."""
        try:
            self._key.verify(signature, data)
        except InvalidSignature:
            return False
        return True

    def pem(self) -> bytes:
        """The key as PEM (SubjectPublicKeyInfo)."""
        return self._key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PublicKey) and other.raw == self.raw

    def __hash__(self) -> int:
        return hash(self.raw)


class SigningKey:
    """An Ed25519 private key (the gate's, kept secret)."""

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key
        self.public = PublicKey(key.public_key())

    @classmethod
    def generate(cls) -> SigningKey:
        """A new random key."""
        return cls(Ed25519PrivateKey.generate())

    def sign(self, data: bytes) -> bytes:
        """The signature of ``data``."""
        return self._key.sign(data)

    def pem(self) -> bytes:
        """The key as unencrypted PKCS#8 PEM."""
        return self._key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )


def _read(path: str | Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise LedgerKeyError("key_unreadable", key=str(path), detail=exc.strerror or str(exc)) from None


def load_signing_key(path: str | Path | SigningKey) -> SigningKey:
    """The signing key in ``path`` (PEM written by :func:`generate_keys`).

    Raises
    ------
    LedgerKeyError
        The file cannot be read or holds no Ed25519 private key.
    """
    if isinstance(path, SigningKey):
        return path
    data = _read(path)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, Ed25519PrivateKey):
        raise LedgerKeyError("key_invalid", key=str(path), kind="private key")
    return SigningKey(key)


def load_public_key(path: str | Path | PublicKey | SigningKey) -> PublicKey:
    """The public key in ``path`` (PEM; a private-key file gives its public half).

    Raises
    ------
    LedgerKeyError
        The file cannot be read or holds no Ed25519 key.
    """
    if isinstance(path, PublicKey):
        return path
    if isinstance(path, SigningKey):
        return path.public
    data = _read(path)
    try:
        key: Any = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError):
            key = None
        if isinstance(key, Ed25519PrivateKey):
            key = key.public_key()
    if not isinstance(key, Ed25519PublicKey):
        raise LedgerKeyError("key_invalid", key=str(path), kind="public key")
    return PublicKey(key)


def generate_keys(out_dir: str | Path, *, overwrite: bool = False) -> tuple[Path, Path]:
    """Write ``signing.key`` (mode 0600) and ``signing.pub`` into ``out_dir`` (created if needed).

    Raises
    ------
    LedgerKeyError
        A key file exists already (unless ``overwrite``) or the directory cannot be written.
    """
    folder = Path(out_dir)
    key_path, pub_path = folder / "signing.key", folder / "signing.pub"
    for p in (key_path, pub_path):
        if p.exists() and not overwrite:
            raise LedgerKeyError("key_exists", key=str(p))
    key = SigningKey.generate()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if overwrite and key_path.exists():
            key_path.unlink()
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(key.pem())
        os.chmod(key_path, 0o600)
        pub_path.write_bytes(key.public.pem())
    except OSError as exc:
        raise LedgerKeyError("key_unreadable", key=str(key_path), detail=exc.strerror or str(exc)) from None
    return key_path, pub_path


@dataclass(frozen=True)
class Checkpoint:
    """A statement "the ledger had ``size`` records with Merkle root ``root``", signed or not."""

    size: int
    root: str
    ts: str
    meta: str
    key_id: str | None = None
    signature: str | None = None

    @property
    def signed(self) -> bool:
        return self.signature is not None

    def body(self) -> bytes:
        """The signed bytes."""
        return (
            f"{FORMAT} checkpoint\nsize {self.size}\nroot {self.root}\ntime {self.ts}\n"
            f"meta {self.meta}\nkey {self.key_id or '-'}\n"
        ).encode()

    def sign(self, key: SigningKey) -> Checkpoint:
        """This checkpoint signed by ``key``."""
        unsigned = replace(self, key_id=key.public.fingerprint, signature=None)
        return replace(unsigned, signature=base64.b64encode(key.sign(unsigned.body())).decode("ascii"))

    def verify(self, key: PublicKey) -> bool:
        """Whether the checkpoint is signed by ``key``."""
        if self.signature is None or self.key_id != key.fingerprint:
            return False
        try:
            signature = base64.b64decode(self.signature, validate=True)
        except (binascii.Error, ValueError):
            return False
        return key.verify(signature, self.body())

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data (``format`` included)."""
        return {"format": f"{FORMAT} checkpoint", **asdict(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Checkpoint:
        """From :meth:`to_dict` output (``ValueError`` when malformed)."""
        try:
            size = data["size"]
            if not isinstance(size, int) or isinstance(size, bool) or size < 0:
                raise ValueError("size")
            fields = {k: data.get(k) for k in ("root", "ts", "meta", "key_id", "signature")}
            for name in ("root", "ts", "meta"):
                if not isinstance(fields[name], str):
                    raise ValueError(name)
            for name in ("key_id", "signature"):
                if fields[name] is not None and not isinstance(fields[name], str):
                    raise ValueError(name)
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not a checkpoint: {exc}") from None
        return cls(size=size, **fields)  # type: ignore[arg-type]
