"""The browser workbench of ``riskeval serve`` (served at ``/``; the API stays under ``/api/v1``).

Server-rendered Jinja2 pages with a little htmx (vendored in ``static/vendor/``, no CDN, no build
step), Chinese by default with an English switch (``?lang=en`` or the ``/lang/en`` link, kept in a
cookie); every text comes from the catalogue (keys ``web.*``).

Login takes a service token (:mod:`riskeval.service.tokens`, same tokens and roles as the API) and
gives a signed session cookie (:mod:`riskeval.web.session`): HttpOnly, SameSite=Strict, Secure
over https, expiring after a working day, never holding the token. Every state-changing request
carries the session's CSRF token (the ``csrf_token`` form field, or the ``X-CSRF-Token`` header
that the base layout makes htmx send). What a role may not do is not rendered, and the handler
refuses it anyway (the service's role tuples, :func:`riskeval.web.core.permits`).

Adding a page
-------------
1. Write ``riskeval/web/pages/<name>.py`` with two public names:

   - ``PAGE = Page(name="<name>", path="/<name>", label="web.nav.<name>", roles=ANY, order=N)``:
     the navigation entry (``label`` is a catalogue key, ``roles`` who sees and may open it,
     ``order``: 规则集 10, 评估 20, 批量 30, 台账 40, 专家 50);
   - ``router = APIRouter(include_in_schema=False)`` with the page's routes.

2. Put its templates in ``riskeval/web/templates/<name>/``; each page template starts with
   ``{% extends "base.html" %}`` and fills ``{% block title %}`` and ``{% block content %}``
   (``{% block print_title %}`` too for a printable page; ``class="no-print"`` hides controls on
   paper). Static files of the page go in ``riskeval/web/static/`` (served at ``/static/``).

3. Add ``"<name>"`` to :data:`riskeval.web.pages.PAGE_MODULES`. Nothing else changes.

In a handler::

    from riskeval.web.core import Viewer, form_viewer, render, service_state, viewer
    from riskeval.service.deps import ANY, ASSESSORS

    @router.get("/<name>")
    async def show(request: Request, who: Annotated[Viewer, Depends(viewer(*ANY))]) -> Response:
        state = service_state(request)                      # rule sets, ledger, library thread
        data = await state.call(library_function, ...)      # library calls run on the library thread
        return render(request, "<name>/page.html", {"data": data}, who=who)

    @router.post("/<name>/run")                             # CSRF token checked, role checked
    async def run(request: Request, who: Annotated[Viewer, Depends(form_viewer(*ASSESSORS))]) -> Response: ...

Templates get ``t(key, **params)`` (the page's language), ``lang``, ``viewer`` (``viewer.can(ROLES)``
to decide what to offer; the tuples are in the context as ``ASSESSORS``, ``DECIDERS``, ``AUDITORS``),
``csrf`` (put ``<input type="hidden" name="{{ csrf_field }}" value="{{ csrf }}">`` in each POST form;
htmx requests send it as a header by themselves), ``nav``, ``path`` and ``htmx`` (true for htmx
requests, which want a fragment). Refusals are :mod:`riskeval.web.errors` (HTML for browsers,
problem+json for other clients). A page that fails a library call renders the error in place
(``RiskevalError.render(lang)``) rather than answering 4xx to htmx (a failed request is a console
error in the browser).

Tests start a real ``riskeval serve`` and drive Debian's Chromium with Playwright
(``tests/riskeval/web/conftest.py``: fixtures ``web_server``, ``page``, ``login``, ``shot``).
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from .core import STATIC_DIR, Page, WebState, install_error_pages
from .pages import load_pages
from .session import SessionCodec, server_secret

__all__ = ["Page", "mount_web"]


def mount_web(app: FastAPI) -> None:
    """Add the workbench to the service's ``app``: login, the registered pages and ``/static``."""
    from . import auth

    modules = load_pages()
    app.state.web = WebState(codec=SessionCodec(server_secret()), pages=sorted((m.PAGE for m in modules), key=lambda p: p.order))
    install_error_pages(app)
    app.include_router(auth.router)
    for module in modules:
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="web-static")
