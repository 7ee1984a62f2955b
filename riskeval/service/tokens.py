"""Access tokens of the service: a YAML file of ``{name, role, token_sha256}``; only hashes are stored.

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "tokens.yaml"
>>> token = add_token(path, "市住建局评估组", Role.assessor)
>>> store = TokenStore(path)
>>> store.lookup(token).name, store.lookup(token).role
('市住建局评估组', <Role.assessor: 'assessor'>)
>>> store.lookup("wrong") is None
True
>>> "token_sha256" in path.read_text(encoding="utf-8") and token not in path.read_text(encoding="utf-8")
True
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import tempfile
import threading
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import TokensFileError

__all__ = ["Principal", "Role", "TokenEntry", "TokenStore", "add_token", "hash_token", "load_tokens"]

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class Role(StrEnum):
    """What a token may do (``admin``: everything)."""

    assessor = "assessor"
    decider = "decider"
    auditor = "auditor"
    admin = "admin"


class TokenEntry(BaseModel):
    """One entry of the tokens file."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    role: Role
    token_sha256: str

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = value.strip()
        if not value or any(ch in value for ch in "|\r\n"):
            raise ValueError("name must be non-empty, one line, without '|'")
        return value

    @field_validator("token_sha256")
    @classmethod
    def _hash(cls, value: str) -> str:
        value = value.strip().lower()
        if not _HEX64.match(value):
            raise ValueError("token_sha256 must be 64 hex digits")
        return value


class Principal(BaseModel):
    """The caller of a request: the token's name and role."""

    name: str
    role: Role


def hash_token(token: str) -> str:
    """The hex sha256 of ``token`` (what the tokens file stores).

    >>> hash_token("abc")[:16]
    'ba7816bf8f01cfea'
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def load_tokens(path: str | Path) -> list[TokenEntry]:
    """The entries of the tokens file; a missing file is an empty list.

    Raises
    ------
    TokensFileError
        The file is not YAML, not a list, an entry is invalid, or two entries share a name or hash.
    """
    path = Path(path)
    if not path.exists():
        return []
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise TokensFileError(path=str(path), detail=str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    if data is None:
        return []
    if not isinstance(data, list):
        raise TokensFileError(path=str(path), detail="top level must be a list")
    entries: list[TokenEntry] = []
    for i, item in enumerate(data, 1):
        try:
            entries.append(TokenEntry.model_validate(item))
        except ValidationError as exc:
            first = exc.errors()[0]
            raise TokensFileError(path=str(path), detail=f"entry {i}: {first['msg']}") from None
    for attr in ("name", "token_sha256"):
        values = [getattr(e, attr) for e in entries]
        if len(set(values)) != len(values):
            raise TokensFileError(path=str(path), detail=f"duplicate {attr}")
    return entries


def add_token(path: str | Path, name: str, role: Role | str) -> str:
    """Create a random token for ``name`` with ``role``, store its hash in ``path``; return the token.

    Raises
    ------
    TokensFileError
        The file is invalid, or ``name`` is already there.
    """
    path = Path(path)
    entries = load_tokens(path)
    token = secrets.token_urlsafe(32)
    try:
        entry = TokenEntry(name=name, role=Role(role), token_sha256=hash_token(token))
    except ValidationError as exc:
        raise TokensFileError(path=str(path), detail=str(exc.errors()[0]["msg"])) from None
    except ValueError as exc:  # an unknown role
        raise TokensFileError(path=str(path), detail=f"{exc} (use {', '.join(r.value for r in Role)})") from None
    if any(e.name == entry.name for e in entries):
        raise TokensFileError(path=str(path), detail=f"name {entry.name!r} already exists")
    entries.append(entry)
    text = yaml.safe_dump([e.model_dump(mode="json") for e in entries], allow_unicode=True, sort_keys=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return token


class TokenStore:
    """The tokens of ``path``, reloaded when the file changes (so ``riskeval token add`` needs no restart)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._by_hash: dict[str, TokenEntry] = {}
        self.reload()

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size)

    def reload(self) -> None:
        """Read the file again (raises :class:`TokensFileError` when it is invalid)."""
        with self._lock:
            stamp = self._file_stamp()
            entries = load_tokens(self.path)
            self._by_hash = {e.token_sha256: e for e in entries}
            self._stamp = stamp

    def __len__(self) -> int:
        return len(self._by_hash)

    def _refresh(self) -> None:
        if self._file_stamp() != self._stamp:
            try:
                self.reload()
            except TokensFileError:
                self._stamp = self._file_stamp()

    def entries(self) -> list[TokenEntry]:
        """The current entries (the file read again when it changed; an invalid edit keeps the last good ones)."""
        self._refresh()
        return list(self._by_hash.values())

    def lookup(self, token: str) -> TokenEntry | None:
        """The entry of ``token``, or ``None``; an invalid file edited later keeps the last good entries."""
        self._refresh()
        digest = hash_token(token)
        for known, entry in list(self._by_hash.items()):
            if hmac.compare_digest(known, digest):
                return entry
        return None
