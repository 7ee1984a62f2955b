"""Request dependencies: the caller (from the bearer token) and the roles an endpoint admits.

| endpoint | roles |
|---|---|
| health, /openapi.json, /docs, /metrics | no token |
| rulesets, assess, gate/require | any valid token |
| gate/assess, batch | assessor, admin |
| gate/decide | decider, admin |
| ledger | auditor, admin |
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .errors import Forbidden, Unauthorized
from .state import ServiceState
from .tokens import Principal, Role

__all__ = ["ANY", "ASSESSORS", "AUDITORS", "DECIDERS", "ERROR_RESPONSES", "caller", "service_state"]

_bearer = HTTPBearer(auto_error=False, description="riskeval token (riskeval token add)")

ANY: tuple[Role, ...] = tuple(Role)
ASSESSORS = (Role.assessor, Role.admin)
DECIDERS = (Role.decider, Role.admin)
AUDITORS = (Role.auditor, Role.admin)

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "unreadable body"},
    401: {"description": "no or bad token"},
    403: {"description": "the token's role may not call this endpoint"},
    404: {"description": "unknown rule set, record or job"},
    409: {"description": "gate refusal or ledger conflict"},
    413: {"description": "body over the limit"},
    422: {"description": "a project, rule text or field that fails validation"},
    503: {"description": "the ledger is busy or unusable"},
}


def service_state(request: Request) -> ServiceState:
    """The process's :class:`ServiceState`."""
    state: ServiceState = request.app.state.riskeval
    return state


def caller(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency giving the token's :class:`Principal`; 401 without a valid token, 403 for other roles."""
    allowed = frozenset(roles)

    async def dependency(
        request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
    ) -> Principal:
        token = credentials.credentials.strip() if credentials is not None else ""
        if not token:
            raise Unauthorized()
        entry = service_state(request).tokens.lookup(token)
        if entry is None:
            raise Unauthorized()
        if entry.role not in allowed and entry.role is not Role.admin:
            raise Forbidden(name=entry.name, role=entry.role.value)
        return Principal(name=entry.name, role=entry.role)

    return dependency
