"""Browser sessions of the workbench: a signed cookie, never the raw token.

A login with a service token (:mod:`riskeval.service.tokens`) gives a cookie holding the token's
name and role, a random session id, an expiry and a *keyed* fingerprint of the token's hash
(HMAC with the server secret, so the cookie reveals nothing of the token); the value is signed
with HMAC-SHA256. Each request checks the signature, the expiry, and that the token is still in the
tokens file with the same role (revoking a token ends its sessions at once).

The secret comes from :data:`SECRET_ENV` (``riskeval serve`` sets one random secret for all its
worker processes, so a session works whichever worker answers); without it each process draws its
own. Logging out deletes the cookie and revokes the session id in the process that served the
logout (with several workers another worker accepts the old value until it expires).

The CSRF token of a session is derived from its id (:meth:`SessionCodec.csrf_token`).

Examples
--------
>>> codec = SessionCodec(b"k" * 32)
>>> s = codec.new_session("审计组", "auditor", "ab" * 32, now=1000)
>>> cookie = codec.encode(s)
>>> codec.decode(cookie, now=1001) == s
True
>>> codec.decode(cookie, now=s.expires + 1) is None
True
>>> codec.decode(cookie[:-2] + "xx", now=1001) is None
True
>>> "ab" * 32 in cookie
False
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from dataclasses import asdict, dataclass

__all__ = [
    "CSRF_COOKIE",
    "CSRF_FIELD",
    "CSRF_HEADER",
    "SECRET_ENV",
    "SESSION_COOKIE",
    "SESSION_SECONDS",
    "SessionCodec",
    "WebSession",
    "server_secret",
]

SECRET_ENV = "RISKEVAL_WEB_SECRET"
"""Environment variable with the hex secret that signs session cookies (shared by the worker processes)."""

SESSION_COOKIE = "riskeval_session"
CSRF_COOKIE = "riskeval_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SESSION_SECONDS = 8 * 3600
"""A session lasts one working day."""


def server_secret() -> bytes:
    """The secret of :data:`SECRET_ENV` (hex, at least 32 bytes), else a fresh random one."""
    text = os.environ.get(SECRET_ENV, "").strip()
    if text:
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            raw = b""
        if len(raw) >= 32:
            return raw
    return secrets.token_bytes(32)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class WebSession:
    """A logged-in browser: the token's name and role, the session id, its times and token fingerprint."""

    sid: str
    name: str
    role: str
    token_key: str
    issued: int
    expires: int


class SessionCodec:
    """Signs and checks session cookies and derives CSRF tokens, with one secret."""

    def __init__(self, secret: bytes, lifetime: int = SESSION_SECONDS) -> None:
        self._secret = secret
        self.lifetime = lifetime
        self._revoked: dict[str, int] = {}
        self._lock = threading.Lock()

    def _mac(self, purpose: str, data: bytes) -> bytes:
        return hmac.new(self._secret, purpose.encode("ascii") + b"\0" + data, hashlib.sha256).digest()

    def token_key(self, token_sha256: str) -> str:
        """The keyed fingerprint of a token's sha256 (what the cookie carries instead of the token)."""
        return self._mac("token", token_sha256.encode("ascii")).hex()[:32]

    def new_session(self, name: str, role: str, token_sha256: str, now: float | None = None) -> WebSession:
        """A fresh session for the token with hash ``token_sha256``."""
        issued = int(time.time() if now is None else now)
        return WebSession(
            sid=secrets.token_urlsafe(16),
            name=name,
            role=role,
            token_key=self.token_key(token_sha256),
            issued=issued,
            expires=issued + self.lifetime,
        )

    def encode(self, session: WebSession) -> str:
        """The cookie value: ``base64(json).base64(hmac)``."""
        body = json.dumps(asdict(session), ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
        return f"{_b64(body)}.{_b64(self._mac('session', body))}"

    def decode(self, value: str | None, now: float | None = None) -> WebSession | None:
        """The session of a cookie value, or ``None`` when it is missing, forged, expired or revoked."""
        if not value or value.count(".") != 1 or len(value) > 4096:
            return None
        body_text, mac_text = value.split(".")
        try:
            body, mac = _unb64(body_text), _unb64(mac_text)
        except ValueError:
            return None
        if not hmac.compare_digest(mac, self._mac("session", body)):
            return None
        try:
            data = json.loads(body)
            session = WebSession(**data)
        except (ValueError, TypeError):
            return None
        moment = time.time() if now is None else now
        if not session.issued <= moment + 60 or moment >= session.expires:
            return None
        with self._lock:
            if session.sid in self._revoked:
                return None
        return session

    def revoke(self, session: WebSession) -> None:
        """Refuse ``session`` from now on (in this process); expired entries are forgotten."""
        now = int(time.time())
        with self._lock:
            self._revoked = {sid: exp for sid, exp in self._revoked.items() if exp > now}
            self._revoked[session.sid] = session.expires

    def csrf_token(self, session: WebSession) -> str:
        """The CSRF token of ``session`` (in every form and in htmx's ``X-CSRF-Token`` header)."""
        return self._mac("csrf", session.sid.encode("ascii")).hex()[:40]

    def csrf_ok(self, session: WebSession, token: str | None) -> bool:
        """Whether ``token`` is the CSRF token of ``session``."""
        return bool(token) and hmac.compare_digest(str(token), self.csrf_token(session))
