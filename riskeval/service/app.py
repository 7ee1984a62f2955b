"""The FastAPI application of ``riskeval serve``: :func:`create_app` (tests) and :func:`app_from_env` (uvicorn).

The application is a thin shell: request bodies become library calls on the process's library
thread, library errors become ``application/problem+json`` (:mod:`riskeval.service.problems`),
and the interactive docs page is served from assets shipped in the wheel (no CDN).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..errors import RiskevalError
from ..gate import GateError, LedgerError
from ..i18n import normalize_lang
from .api import router as api_router
from .api_ledger import router as ledger_router
from .errors import BadBody, BodyTooLarge, RequestInvalid, ServiceError
from .jobs import JobStore
from .problems import PROBLEM_JSON, Problem, problem_body, problem_code, status_for, unexpected
from .settings import Settings
from .state import ServiceState

__all__ = ["app_from_env", "create_app"]

log = logging.getLogger("riskeval.service")

STATIC_DIR = Path(__file__).parent / "static"
BATCH_PATH = "/api/v1/batch"
UPLOAD_PATHS = frozenset({BATCH_PATH, "/batch", "/rules/impact", "/experts/assign"})
"""Paths that take uploaded lists (limit ``--max-upload-mb``; other bodies: the JSON limit)."""

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def request_lang(request: Request) -> str:
    """``en`` when the request prefers English (``Accept-Language`` or ``?lang=en``), else ``zh``."""
    wanted = request.query_params.get("lang") or request.headers.get("accept-language", "")
    return normalize_lang("en" if wanted.strip().lower().startswith("en") else "zh")


class SafeJSONResponse(JSONResponse):
    """JSON that never fails on text that is not valid Unicode (lone surrogates are escaped)."""

    def render(self, content: Any) -> bytes:
        try:
            return super().render(content)
        except UnicodeEncodeError:
            return json.dumps(content, ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode("ascii")


def problem_response(body: dict[str, Any]) -> JSONResponse:
    """``body`` as an ``application/problem+json`` response (401 names the Bearer scheme)."""
    status = int(body["status"])
    headers = {"WWW-Authenticate": 'Bearer realm="riskeval"'} if status == 401 else None
    return SafeJSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


class _FieldProblem:
    """One request-validation problem as a riskeval problem (``location.field``)."""

    def __init__(self, field: str, kind: str, text: str) -> None:
        self.field, self.kind, self.text = field, kind, text

    def message(self, lang: str = "zh") -> str:
        return self.text

    def render(self, lang: str = "zh") -> str:
        return f"{self.field}: {self.text}"

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {"code": self.kind, "message": self.text, "location": {"field": self.field}}


def _validation_error(exc: RequestValidationError) -> RiskevalError:
    errors = list(exc.errors())
    if any(e.get("type") in ("json_invalid", "json_type") for e in errors):
        detail = next((str(e.get("msg")) for e in errors if e.get("type") in ("json_invalid", "json_type")), "")
        return BadBody(detail=detail or "invalid JSON")
    for e in errors:
        if tuple(e.get("loc", ())) == ("body",) and isinstance(e.get("input"), bytes | str):
            return BadBody(detail="the body is not a JSON object (send Content-Type: application/json)")
    problems = [
        _FieldProblem(".".join(str(p) for p in e.get("loc", ())), str(e.get("type")), str(e.get("msg"))) for e in errors
    ]
    first = problems[0] if problems else _FieldProblem("", "invalid", "invalid request")
    return RequestInvalid(problems=problems, field=first.field, detail=first.text)


def _cause(exc: BaseException) -> RiskevalError | None:
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 10:
        if isinstance(current, RiskevalError):
            return current
        current = current.__cause__ or current.__context__
        seen += 1
    return None


def _install_handlers(app: FastAPI) -> None:
    def refusal(request: Request, exc: RiskevalError) -> None:
        if isinstance(exc, GateError) and not isinstance(exc, LedgerError):
            state: ServiceState = request.app.state.riskeval
            state.metrics.count_refusal(problem_code(exc))

    async def on_riskeval(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RiskevalError)
        refusal(request, exc)
        return problem_response(problem_body(exc, request_lang(request), status_for(exc)))

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        err = _validation_error(exc)
        return problem_response(problem_body(err, request_lang(request), status_for(err)))

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        inner = _cause(exc)
        if inner is not None:
            return problem_response(problem_body(inner, request_lang(request), status_for(inner)))
        if exc.status_code == 404:
            err: ServiceError = ServiceError("service.not_found", path=request.url.path)
        elif exc.status_code == 405:
            err = ServiceError("service.method", path=request.url.path, method=request.method)
        elif exc.status_code == 400:
            err = BadBody(detail=str(exc.detail))
        else:
            err = ServiceError("service.bad_body", detail=str(exc.detail))
        return problem_response(problem_body(err, request_lang(request), exc.status_code))

    async def on_other(request: Request, exc: Exception) -> JSONResponse:
        inner = _cause(exc)
        if inner is not None:
            return problem_response(problem_body(inner, request_lang(request), status_for(inner)))
        status, body = unexpected(exc)
        return problem_response(body)

    app.add_exception_handler(RiskevalError, on_riskeval)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_other)


class LimitsAndMetrics:
    """ASGI middleware: request-body limits (413) and per-route request counts and latencies."""

    def __init__(self, app: ASGIApp, state: ServiceState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = self.state.settings
        path = str(scope.get("path", ""))
        limit = settings.max_upload_bytes if path in UPLOAD_PATHS else settings.max_json_bytes
        started = time.perf_counter()
        status_holder = [500]

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder[0] = int(message["status"])
            await send(message)

        length = dict(scope.get("headers") or []).get(b"content-length")
        try:
            declared = int(length) if length is not None else None
        except ValueError:
            declared = None
        if declared is not None and declared > limit:
            body = problem_body(BodyTooLarge(limit=limit), "zh")
            await _drain_none(JSONResponse(body, status_code=413, media_type=PROBLEM_JSON), scope, receive, send_wrapper)
        else:
            received = [0]

            async def counting_receive() -> Message:
                message = await receive()
                if message["type"] == "http.request":
                    received[0] += len(message.get("body", b""))
                    if received[0] > limit:
                        raise BodyTooLarge(limit=limit)
                return message

            await self.app(scope, counting_receive, send_wrapper)
        route = scope.get("route")
        template = getattr(route, "path", None) or ("static" if path.startswith("/docs/static") else "unmatched")
        self.state.metrics.observe_request(
            str(scope.get("method", "")), str(template), status_holder[0], time.perf_counter() - started
        )


async def _drain_none(response: JSONResponse, scope: Scope, receive: Receive, send: Send) -> None:
    """Send ``response`` without reading the (too large) body."""
    response.headers["connection"] = "close"
    await response(scope, receive, send)


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document; every error response is ``application/problem+json`` with the Problem schema."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for defs_name, defs in components["Problem"].pop("$defs", {}).items():
        components.setdefault(defs_name, defs)
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            for code, response in operation.get("responses", {}).items():
                if str(code)[:1] in ("4", "5"):
                    response["content"] = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    app.openapi_schema = schema
    return schema


def create_app(settings: Settings) -> FastAPI:
    """The service over ``settings`` (rule sets loaded and the ledger opened or created now).

    Raises
    ------
    RuleSetError, TokensFileError, LedgerError
        A rule set, the tokens file or the ledger cannot be used.
    """
    state = ServiceState(settings)
    jobs = JobStore(settings.jobs_dir, state.metrics, workers=settings.batch_workers)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await state.call(state.ledger)
        try:
            yield
        finally:
            jobs.close()
            state.close()

    app = FastAPI(
        title="riskeval",
        version=__version__,
        description="社会稳定风险评估（稳评）前置门槛服务 / the social-stability risk assessment gate as a service. "
        "Errors are application/problem+json (RFC 9457).",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        default_response_class=SafeJSONResponse,
    )
    app.state.riskeval = state
    app.state.jobs = jobs
    _install_handlers(app)
    app.include_router(api_router)
    app.include_router(ledger_router)
    # the browser workbench at / (imported here: riskeval.web imports the service)
    from ..web import mount_web

    mount_web(app)
    app.mount("/docs/static", StaticFiles(directory=STATIC_DIR), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="riskeval API",
            swagger_js_url="/docs/static/swagger-ui-bundle.js",
            swagger_css_url="/docs/static/swagger-ui.css",
            swagger_favicon_url="/docs/static/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> PlainTextResponse:
        return PlainTextResponse(state.metrics.render(), media_type="text/plain; version=0.0.4")

    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    app.add_middleware(LimitsAndMetrics, state=state)
    return app


def app_from_env() -> FastAPI:
    """The app of a uvicorn worker process, from the settings ``riskeval serve`` put in the environment."""
    return create_app(Settings.from_env())
