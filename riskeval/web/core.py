"""What every workbench page uses: the page registry entry, the viewer, role and CSRF checks, rendering.

A page handler asks for a :class:`Viewer` with ``Depends(viewer(*roles))`` (GET pages) or
``Depends(form_viewer(*roles))`` (state-changing POSTs: the CSRF token is checked too), and answers
with :func:`render`. Roles are the service's (:mod:`riskeval.service.deps`): ``ANY``, ``ASSESSORS``,
``DECIDERS``, ``AUDITORS``; ``admin`` may do everything.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from .. import __version__
from ..i18n import normalize_lang, t
from ..service.deps import ANY, ASSESSORS, AUDITORS, DECIDERS
from ..service.problems import PROBLEM_JSON, problem_body
from ..service.state import ServiceState
from ..service.tokens import Role
from .errors import CsrfRefused, LoginRequired, PageForbidden, WebError
from .session import CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE, SessionCodec, WebSession

__all__ = [
    "LANG_COOKIE",
    "STATIC_DIR",
    "TEMPLATES_DIR",
    "Page",
    "Viewer",
    "WebState",
    "current_session",
    "form_viewer",
    "install_error_pages",
    "is_htmx",
    "page_lang",
    "permits",
    "render",
    "security_headers",
    "service_state",
    "viewer",
    "web_state",
]

WEB_DIR = Path(__file__).parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"
LANG_COOKIE = "riskeval_lang"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


@dataclass(frozen=True)
class Page:
    """A page of the workbench as the navigation shows it.

    ``label`` is a catalogue key; ``roles`` the roles that see it in the navigation (and may open it);
    ``order`` its place (规则集 10, 评估 20, 批量 30, 台账 40, 专家 50).
    """

    name: str
    path: str
    label: str
    roles: tuple[Role, ...]
    order: int


@dataclass
class WebState:
    """The workbench of one server process: the session codec and the registered pages."""

    codec: SessionCodec
    pages: list[Page] = field(default_factory=list)


def permits(role: str | Role, roles: Sequence[Role]) -> bool:
    """Whether ``role`` may do what ``roles`` may (``admin`` may do everything), as the service decides.

    >>> from riskeval.service.deps import AUDITORS
    >>> permits("auditor", AUDITORS), permits("assessor", AUDITORS), permits("admin", AUDITORS)
    (True, False, True)
    """
    try:
        value = Role(role)
    except ValueError:
        return False
    return value is Role.admin or value in roles


def web_state(request: Request) -> WebState:
    """The process's :class:`WebState`."""
    state: WebState = request.app.state.web
    return state


def service_state(request: Request) -> ServiceState:
    """The process's :class:`~riskeval.service.state.ServiceState` (rule sets, ledger, library thread)."""
    state: ServiceState = request.app.state.riskeval
    return state


def page_lang(request: Request) -> str:
    """``?lang=`` first, then the language cookie; Chinese by default."""
    return normalize_lang(request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "zh")


def is_htmx(request: Request) -> bool:
    """Whether the request comes from htmx (it wants a fragment)."""
    return request.headers.get("hx-request") == "true"


def current_session(request: Request) -> WebSession | None:
    """The valid session of the request: signed, not expired, and its token still in the tokens file."""
    web = web_state(request)
    session = web.codec.decode(request.cookies.get(SESSION_COOKIE))
    if session is None:
        return None
    for entry in service_state(request).tokens.entries():
        if web.codec.token_key(entry.token_sha256) == session.token_key:
            if entry.name == session.name and entry.role.value == session.role:
                return session
            return None
    return None


@dataclass(frozen=True)
class Viewer:
    """Who looks at the page: the session, the language and the session's CSRF token."""

    session: WebSession
    lang: str
    csrf: str

    @property
    def name(self) -> str:
        return self.session.name

    @property
    def role(self) -> str:
        return self.session.role

    def can(self, roles: Sequence[Role]) -> bool:
        """Whether the viewer's role may do what ``roles`` may."""
        return permits(self.role, roles)


def _viewer(request: Request, roles: Sequence[Role]) -> Viewer:
    session = current_session(request)
    if session is None:
        raise LoginRequired()
    if not permits(session.role, roles):
        raise PageForbidden(role=session.role)
    return Viewer(session=session, lang=page_lang(request), csrf=web_state(request).codec.csrf_token(session))


def viewer(*roles: Role) -> Callable[[Request], Awaitable[Viewer]]:
    """A dependency: the :class:`Viewer` of a page that ``roles`` may open (login page / 403 otherwise)."""

    async def dependency(request: Request) -> Viewer:
        return _viewer(request, roles)

    return dependency


def form_viewer(*roles: Role) -> Callable[[Request], Awaitable[Viewer]]:
    """Like :func:`viewer`, for a state-changing request: the CSRF token must come in the
    ``X-CSRF-Token`` header (htmx) or the ``csrf_token`` form field."""

    async def dependency(request: Request) -> Viewer:
        seen = _viewer(request, roles)
        token = request.headers.get(CSRF_HEADER)
        if not token and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            token = value if isinstance(value, str) else None
        if not web_state(request).codec.csrf_ok(seen.session, token):
            raise CsrfRefused()
        return seen

    return dependency


@functools.cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["version"] = __version__
    return env


def security_headers(response: Response) -> Response:
    """The headers of every workbench response (no framing, no foreign scripts, no caching of pages)."""
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _translator(lang: str) -> Callable[..., str]:
    def translate(key: str, **params: Any) -> str:
        return t(key, lang, **params)

    return translate


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    who: Viewer | None = None,
    lang: str | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render ``template`` with ``context`` plus ``t`` (in the page's language), ``lang``, ``viewer``,
    ``csrf``, ``nav`` (the pages the viewer's role may open), ``path`` and ``htmx``."""
    code = normalize_lang(lang or (who.lang if who else page_lang(request)))
    pages = web_state(request).pages
    nav = [p for p in pages if who is not None and who.can(p.roles)]
    values: dict[str, Any] = {
        "t": _translator(code),
        "lang": code,
        "viewer": who,
        "csrf": who.csrf if who else "",
        "csrf_field": CSRF_FIELD,
        "nav": nav,
        "path": request.url.path,
        "htmx": is_htmx(request),
        "ANY": ANY,
        "ASSESSORS": ASSESSORS,
        "DECIDERS": DECIDERS,
        "AUDITORS": AUDITORS,
    }
    values.update(context or {})
    html = _environment().get_template(template).render(values)
    return security_headers(HTMLResponse(html, status_code=status, headers=headers))  # type: ignore[return-value]


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return is_htmx(request) or "text/html" in accept


def install_error_pages(app: FastAPI) -> None:
    """Refusals of the workbench as HTML for browsers (a login redirect when there is no session),
    ``application/problem+json`` for other clients; never a 500."""

    async def on_web_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, WebError)
        lang = page_lang(request)
        if isinstance(exc, LoginRequired) and _wants_html(request):
            target = "/login?next=" + quote(request.url.path, safe="/")
            if is_htmx(request):
                here = urlsplit(request.headers.get("hx-current-url", ""))
                if here.path.startswith("/") and not here.path.startswith("//"):
                    target = "/login?next=" + quote(here.path, safe="/")  # back to the page, not to the fragment
                return security_headers(Response(status_code=204, headers={"HX-Redirect": target}))
            if request.method in ("GET", "HEAD"):
                return security_headers(RedirectResponse(target, status_code=303))
        if _wants_html(request):
            session = current_session(request)
            who = None
            if session is not None:
                who = Viewer(session=session, lang=lang, csrf=web_state(request).codec.csrf_token(session))
            return render(
                request, "error.html", {"message": exc.message(lang), "status": exc.status}, who=who, status=exc.status
            )
        return JSONResponse(problem_body(exc, lang, exc.status), status_code=exc.status, media_type=PROBLEM_JSON)

    app.add_exception_handler(WebError, on_web_error)
