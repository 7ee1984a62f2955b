"""Login with a service token, logout, the language switch and the home page."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from ..i18n import normalize_lang, register_messages
from ..service.tokens import Role, hash_token
from .core import (
    LANG_COOKIE,
    Viewer,
    current_session,
    form_viewer,
    permits,
    render,
    security_headers,
    service_state,
    web_state,
)
from .session import CSRF_COOKIE, SESSION_COOKIE

__all__ = ["router", "safe_next"]

register_messages(
    {
        "web.app": {"zh": "社会稳定风险评估工作台", "en": "Social-stability risk assessment workbench"},
        "web.app_short": {"zh": "稳评工作台", "en": "riskeval workbench"},
        "web.login.title": {"zh": "登录", "en": "Log in"},
        "web.login.token": {"zh": "访问令牌", "en": "Access token"},
        "web.login.help": {
            "zh": "请输入管理员为您创建的访问令牌（riskeval token add）。令牌不会保存在浏览器中。",
            "en": "Enter the access token your administrator created for you (riskeval token add). "
            "The token is not stored in the browser.",
        },
        "web.login.submit": {"zh": "登录", "en": "Log in"},
        "web.login.bad": {"zh": "令牌无效，请检查后重试", "en": "invalid token, please check it and try again"},
        "web.login.expired": {"zh": "登录表单已过期，请重试", "en": "the login form expired, please try again"},
        "web.logout": {"zh": "退出", "en": "Log out"},
        "web.user": {"zh": "{name}（{role}）", "en": "{name} ({role})"},
        "web.lang.other": {"zh": "English", "en": "中文"},
        "web.lang.other_code": {"zh": "en", "en": "zh"},
        "web.home.none": {"zh": "您的角色没有可用的页面", "en": "there is no page for your role"},
        "web.role.assessor": {"zh": "评估人员", "en": "assessor"},
        "web.role.decider": {"zh": "决策人员", "en": "decider"},
        "web.role.auditor": {"zh": "审计人员", "en": "auditor"},
        "web.role.admin": {"zh": "管理员", "en": "administrator"},
        "web.error.title": {"zh": "无法完成请求", "en": "The request cannot be completed"},
        "web.error.back": {"zh": "返回首页", "en": "back to the start page"},
        "web.print": {"zh": "打印", "en": "Print"},
    }
)

router = APIRouter(include_in_schema=False)

_LOGIN_CSRF_SECONDS = 3600


def safe_next(target: str | None) -> str:
    """A local path to go to after login (anything else becomes ``/``).

    >>> safe_next("/ledger?page=2"), safe_next("//evil.example/"), safe_next("https://x"), safe_next(None)
    ('/ledger?page=2', '/', '/', '/')
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


@router.get("/")
async def home(request: Request) -> Response:
    """The first page the role may open (the login page without a session)."""
    session = current_session(request)
    if session is None:
        return security_headers(RedirectResponse("/login", status_code=303))
    for page in web_state(request).pages:
        if permits(session.role, page.roles):
            return security_headers(RedirectResponse(page.path, status_code=303))
    return render(request, "error.html", {"message": None, "status": 200, "note": "web.home.none"})


def _login_page(request: Request, next_path: str, error: str | None, status: int = 200) -> Response:
    nonce = secrets.token_urlsafe(24)
    response = render(
        request, "login.html", {"next": safe_next(next_path), "error": error, "login_csrf": nonce}, status=status
    )
    response.set_cookie(
        CSRF_COOKIE, nonce, max_age=_LOGIN_CSRF_SECONDS, httponly=True, samesite="strict", secure=_secure(request), path="/login"
    )
    return response


@router.get("/login")
async def login_form(request: Request, next: str = "/") -> Response:
    """The login form (a fresh double-submit CSRF nonce in a cookie and in the form)."""
    return _login_page(request, next, None)


@router.post("/login")
async def login(
    request: Request,
    token: Annotated[str, Form(max_length=500)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the token; on success set the session cookie and go to ``next``."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not csrf_token or not hmac.compare_digest(cookie, csrf_token):
        return _login_page(request, next, "web.login.expired", status=403)
    entry = service_state(request).tokens.lookup(token.strip()) if token.strip() else None
    if entry is None:
        return _login_page(request, next, "web.login.bad", status=401)
    web = web_state(request)
    session = web.codec.new_session(entry.name, entry.role.value, hash_token(token.strip()))
    response = security_headers(RedirectResponse(safe_next(next), status_code=303))
    response.set_cookie(
        SESSION_COOKIE,
        web.codec.encode(session),
        max_age=web.codec.lifetime,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/",
    )
    response.delete_cookie(CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(request: Request, who: Annotated[Viewer, Depends(form_viewer(*Role))]) -> Response:
    """End the session (CSRF-protected) and go to the login page."""
    web_state(request).codec.revoke(who.session)
    response = security_headers(RedirectResponse("/login", status_code=303))
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=_secure(request))
    return response


@router.get("/lang/{code}")
async def switch_language(request: Request, code: str, next: str = "/") -> Response:
    """Remember the interface language (``zh`` or ``en``) in a cookie and go back to ``next``."""
    response = security_headers(RedirectResponse(safe_next(next), status_code=303))
    response.set_cookie(
        LANG_COOKIE, normalize_lang(code), max_age=365 * 86400, samesite="strict", secure=_secure(request), path="/"
    )
    return response

