"""The FastAPI application: thin routes over the Service facade, one error shape, security headers."""
from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.messages import error_body, validation_message
from api.routes import router
from api.service import Service
from api.settings import Settings, get_settings
from graph.errors import PeelgraphError

_R = TypeVar("_R", bound=Response)

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("peelgraph.api")

_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
          413: "too_large", 415: "unsupported_format", 422: "invalid_parameter"}

# The page loads nothing from another origin; blob: lets it save an export it has just received.
PAGE_CSP = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
            "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# FastAPI's /docs and /redoc pages are inline HTML that pull Swagger UI / ReDoc from a CDN.
DOCS_CSP = ("default-src 'self'; img-src 'self' data: https://fastapi.tiangolo.com; "
            "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; worker-src blob:; frame-ancestors 'none'")
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
                    "X-Frame-Options": "DENY"}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    service = Service(settings, helper=True)  # uploads parsed, communities computed, in a helper process

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if getattr(app.state, "warm_on_start", False):  # `serve`: ready when it first answers
            await run_in_threadpool(service.warm, getattr(app.state, "queries_apart", False))
        yield
        for process in (service.helper, service.queries):  # the server stops: so do its helper processes
            if process is not None:
                process.close()

    app = FastAPI(title="peelgraph", version="0.1.0", lifespan=lifespan,
                  description="Knowledge graph and semantic search over police inspection reports.")
    app.state.service = service
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["*"],
                           allow_headers=["*"])
    _errors(app)
    _middleware(app, settings)
    app.include_router(router)
    _page(app)
    return app


def served_app() -> FastAPI:
    """The app each worker of ``serve --workers N`` builds: warmed up before it takes requests, as one
    worker's is (else the first requests on a worker wait while it loads the model and its views)."""
    app = create_app()
    app.state.warm_on_start = True
    return app


def _errors(app: FastAPI) -> None:
    """Every error, ours or the framework's, as {"error": {"code", "message", "detail"}}."""

    @app.exception_handler(PeelgraphError)
    async def _peelgraph_error(_: Request, exc: PeelgraphError) -> JSONResponse:
        return JSONResponse(exc.to_dict(), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", [])), "msg": e.get("msg", ""), "type": e.get("type")}
                  for e in exc.errors()]
        return JSONResponse(error_body("invalid_parameter", validation_message(exc.errors()), errors),
                            status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(error_body(_CODES.get(exc.status_code, "error"), str(exc.detail)),
                            status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
        # this handler runs outside the http middleware: it adds the security headers itself
        return _secure(JSONResponse(error_body("internal_error", "Something went wrong on the server (internal error).",
                                               type(exc).__name__), status_code=500), request.url.path)


# requests one keep-alive connection may carry before the server closes it (nginx's keepalive_requests)
KEEPALIVE_REQUESTS = 100


class _ConnectionTurns:
    """Requests served so far per open connection, so that every ``limit``-th one closes it.

    Several workers share one listening socket, and a burst of new connections is taken by whichever
    worker wakes first (it accepts them all in one go); kept alive, they stay with it while the other
    workers idle. Closed now and then, a connection comes back to whichever worker accepts first, mostly
    the least busy one, so the load evens out between them. Counted by client address and port (one
    worker's connections never share both); an entry left by a connection the client closed is dropped
    with the rest when the table grows large, and at worst closes a later connection early.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._served: dict[tuple[str, int], int] = {}

    def last(self, host: str, port: int) -> bool:
        """Whether this response is the connection's last."""
        key = (host, port)
        n = self._served.pop(key, 0) + 1
        if n >= self.limit:
            return True
        if len(self._served) >= 10_000:
            self._served.clear()
        self._served[key] = n
        return False


def _middleware(app: FastAPI, settings: Settings) -> None:
    turns = _ConnectionTurns(KEEPALIVE_REQUESTS)

    @app.middleware("http")
    async def _limit_and_headers(request: Request, call_next: Any) -> Response:
        # refuse an oversized upload before reading it (the multipart overhead gets 1 MB of slack)
        length = request.headers.get("content-length")
        limit = settings.max_upload_bytes + 1024 * 1024
        if length and length.isdigit() and int(length) > limit:
            mb = settings.max_upload_bytes // (1024 * 1024)
            response: Response = JSONResponse(
                error_body("too_large", f"The file is too large (at most {mb} MB)."), status_code=413)
        else:
            response = await call_next(request)
        response.headers["X-Peelgraph-Worker"] = str(os.getpid())  # which process answered (serve --workers N)
        if request.client is not None and turns.last(request.client.host, request.client.port):
            response.headers["Connection"] = "close"
        return _secure(response, request.url.path)


def _secure(response: _R, path: str) -> _R:
    """The security headers every response carries (the API docs pages get the CSP their CDN scripts need)."""
    response.headers["Content-Security-Policy"] = DOCS_CSP if path in ("/docs", "/redoc") else PAGE_CSP
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    return response


def _page(app: FastAPI) -> None:
    """The web page: plain files and ES modules, no build step."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})
