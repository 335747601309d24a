"""The FastAPI application: thin routes over the Service facade, one error shape."""
from __future__ import annotations

import hmac
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, File, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.routes import router
from api.service import Service
from api.settings import Settings, get_settings
from graph.errors import Forbidden, PeelgraphError, TooLarge

STATIC = Path(__file__).parent / "static"

LOOPBACK = {"127.0.0.1", "::1", "localhost"}

_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
          413: "too_large", 415: "unsupported_format", 422: "invalid_parameter"}


def error_body(code: str, message: str, detail: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "detail": detail}}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(title="peelgraph", version="0.1.0",
                  description="Knowledge graph and semantic search over police inspection reports.")
    app.state.service = Service(settings)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["*"],
                           allow_headers=["*"])

    @app.exception_handler(PeelgraphError)
    async def _peelgraph_error(_: Request, exc: PeelgraphError) -> JSONResponse:
        return JSONResponse(exc.to_dict(), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", [])), "msg": e.get("msg", "")} for e in exc.errors()]
        msg = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors) or "invalid request"
        return JSONResponse(error_body("invalid_parameter", msg, errors), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(error_body(_CODES.get(exc.status_code, "error"), str(exc.detail)),
                            status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(error_body("internal_error", "internal error", type(exc).__name__), status_code=500)

    @app.middleware("http")
    async def _limit_body(request: Request, call_next: Any) -> Any:
        # refuse an oversized upload before reading it (the multipart overhead gets 1 MB of slack)
        length = request.headers.get("content-length")
        limit = settings.max_upload_bytes + 1024 * 1024
        if length and length.isdigit() and int(length) > limit:
            return JSONResponse(error_body("too_large", f"request body larger than {limit} bytes"), status_code=413)
        return await call_next(request)

    def service(request: Request) -> Service:
        return request.app.state.service

    def writer(request: Request) -> None:
        """Writes need the API key; with no key set, only a service bound to loopback accepts them."""
        key = settings.api_key
        if key:
            given = request.headers.get("x-api-key") or request.headers.get("authorization", "").removeprefix("Bearer ")
            if not hmac.compare_digest(given.encode(), key.encode()):
                raise Forbidden("this operation needs a valid API key (header X-API-Key)")
        elif settings.host not in LOOPBACK:
            raise Forbidden("writes are disabled: set PEELGRAPH_API_KEY to allow them on a non-loopback address")

    @app.get("/api/health")
    def health(svc: Service = Depends(service)) -> dict[str, Any]:
        return {"status": "ok", "reports": svc.store.count("reports"), "passages": svc.store.count("passages")}

    @app.get("/api/stats")
    def stats(svc: Service = Depends(service)) -> dict[str, Any]:
        return svc.stats()

    @app.get("/api/reports")
    def reports(svc: Service = Depends(service)) -> list[dict[str, Any]]:
        return svc.reports()

    @app.post("/api/reports", status_code=201)
    async def upload(file: UploadFile = File(...), svc: Service = Depends(service),
                     _: None = Depends(writer)) -> dict[str, Any]:
        limit = svc.settings.max_upload_bytes
        data = await file.read(limit + 1)
        if len(data) > limit:
            raise TooLarge(f"{file.filename or 'upload'}: larger than the limit of {limit} bytes")
        # ingest (parsing, encoding, graph extraction) runs off the event loop so other requests go on
        return await run_in_threadpool(svc.ingest_bytes, data, file.filename or "upload")

    @app.delete("/api/reports/{report_id}")
    def delete(report_id: str, svc: Service = Depends(service), _: None = Depends(writer)) -> dict[str, Any]:
        return svc.delete(report_id)

    app.include_router(router)

    # the web page: plain files, no build step
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    return app
