"""Refusals of the workbench pages (each a :class:`~riskeval.service.errors.ServiceError` with its status).

A browser gets them as an HTML page, any other client as ``application/problem+json``
(:func:`riskeval.web.core.install_error_pages`).

Examples
--------
>>> CsrfRefused().status, CsrfRefused().message("en")
(403, 'the form is outdated or was not sent by this workbench (CSRF check failed): reload the page and try again')
>>> PageForbidden(role="auditor").message()
'当前角色（auditor）不能使用此功能'
"""

from __future__ import annotations

from typing import ClassVar

from ..i18n import register_messages
from ..service.errors import ServiceError

__all__ = ["CsrfRefused", "LoginRequired", "PageForbidden", "WebError"]

register_messages(
    {
        "web.error.csrf": {
            "zh": "表单已过期或并非由本工作台提交（CSRF 校验失败）：请刷新页面后重试",
            "en": "the form is outdated or was not sent by this workbench (CSRF check failed): reload the page and try again",
        },
        "web.error.login": {"zh": "请先登录", "en": "please log in first"},
        "web.error.forbidden": {"zh": "当前角色（{role}）不能使用此功能", "en": "your role ({role}) may not use this"},
    }
)


class WebError(ServiceError):
    """A refusal of a workbench page."""


class CsrfRefused(WebError):
    """A state-changing request without this session's CSRF token."""

    code = "web.error.csrf"
    status: ClassVar[int] = 403


class LoginRequired(WebError):
    """No valid session (pages redirect to the login page instead; forms and htmx calls get this)."""

    code = "web.error.login"
    status: ClassVar[int] = 401


class PageForbidden(WebError):
    """The session's role may not use the page or action."""

    code = "web.error.forbidden"
    status: ClassVar[int] = 403
