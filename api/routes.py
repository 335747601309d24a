"""Read routes of the API: each one a thin call into the Service facade.

Lists take ``limit`` and ``offset`` (``limit`` capped by settings.max_page)
and return the same JSON as the CLI's ``--json``.
"""
from __future__ import annotations

import hmac
from typing import Any, Literal

from fastapi import APIRouter, Body, Depends, File, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.service import Service
from graph.errors import Forbidden, TooLarge

router = APIRouter(prefix="/api")

Mode = Literal["hybrid", "keyword", "dense"]


def service(request: Request) -> Service:
    return request.app.state.service


def page(items: list[Any], limit: int, offset: int, svc: Service) -> list[Any]:
    limit = min(limit, svc.settings.max_page)
    return items[offset: offset + limit]


Limit = Query(50, ge=1, le=500, description="page size (at most 500)")
Offset = Query(0, ge=0, le=1_000_000)
ItemKind = Literal["recommendation", "area_for_improvement", "cause_of_concern"]


def writer(request: Request) -> None:
    """Writes need the API key; with no key set, only a service bound to loopback accepts them."""
    svc: Service = request.app.state.service
    key = svc.settings.api_key
    if key:
        given = request.headers.get("x-api-key") or request.headers.get("authorization", "").removeprefix("Bearer ")
        if not hmac.compare_digest(given.encode(), key.encode()):
            raise Forbidden("this operation needs a valid API key (header X-API-Key)")
    elif not svc.writes()["writable"]:
        raise Forbidden("writes are disabled: set PEELGRAPH_API_KEY to allow them on a non-loopback address")


@router.get("/health")
def health(svc: Service = Depends(service)) -> dict[str, Any]:
    """Liveness, counts, and whether uploads and deletes are allowed ("writable", "needs_key")."""
    return svc.health()


@router.get("/stats")
def stats(svc: Service = Depends(service)) -> dict[str, Any]:
    return svc.stats()


@router.get("/legend")
def legend(svc: Service = Depends(service)) -> dict[str, Any]:
    """Node fills, relation strokes and polarity colours: the page and every export draw with these."""
    return svc.legend()


@router.get("/reports")
def reports(svc: Service = Depends(service)) -> list[dict[str, Any]]:
    return svc.reports()


@router.get("/reports/{report_id}")
def report(report_id: str, svc: Service = Depends(service)) -> dict[str, Any]:
    """One report with its judgments, causes of concern, recommendations and areas for improvement."""
    return svc.report(report_id)


@router.post("/reports", status_code=201)
async def upload(file: UploadFile = File(...), svc: Service = Depends(service),
                 _: None = Depends(writer)) -> dict[str, Any]:
    limit = svc.settings.max_upload_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"{file.filename or 'upload'}: larger than the limit of {limit} bytes")
    # ingest (parsing, encoding, graph extraction) runs off the event loop so other requests go on
    return await run_in_threadpool(svc.ingest_bytes, data, file.filename or "upload")


@router.delete("/reports/{report_id}")
def delete(report_id: str, svc: Service = Depends(service), _: None = Depends(writer)) -> dict[str, Any]:
    return svc.delete(report_id)


@router.get("/search")
def search(q: str = Query(..., max_length=1000, description="the query"), k: int = Query(10, ge=1, le=100),
           mode: Mode = "hybrid", report: str | None = None, force: str | None = None, year: str | None = None,
           theme: str | None = None, kind: str | None = None, entity: str | None = None,
           svc: Service = Depends(service)) -> dict[str, Any]:
    return svc.search(q, k=k, mode=mode, report=report, force=force, year=year, theme=theme, kind=kind, entity=entity)


class AskBody(BaseModel):
    question: str = Field(..., max_length=1000)
    k: int = Field(8, ge=1, le=50)
    force: str | None = Field(None, max_length=200, description="only this force's reports")
    year: str | None = Field(None, max_length=20, description="only reports of this year or period, e.g. 2018/19")
    report: str | None = Field(None, max_length=200, description="only this report")


@router.post("/ask")
def ask(body: AskBody, svc: Service = Depends(service)) -> dict[str, Any]:
    return svc.ask(body.question, k=body.k, force=body.force, year=body.year, report=body.report)


@router.get("/entities")
def entities(type: str | None = None, q: str | None = Query(None, max_length=200), limit: int = Limit,
             offset: int = Offset, svc: Service = Depends(service)) -> list[dict[str, Any]]:
    return page(svc.entities(type=type, q=q), limit, offset, svc)


@router.get("/entities/{entity_id:path}")
def entity(entity_id: str, svc: Service = Depends(service)) -> dict[str, Any]:
    return svc.entity(entity_id)


@router.get("/relations")
def relations(type: str | None = None, entity: str | None = None, limit: int = Limit, offset: int = Offset,
              svc: Service = Depends(service)) -> list[dict[str, Any]]:
    return page(svc.relations(type=type, entity=entity), limit, offset, svc)


@router.get("/themes")
def themes(limit: int = Limit, offset: int = Offset, svc: Service = Depends(service)) -> list[dict[str, Any]]:
    return page(svc.themes(), limit, offset, svc)


@router.get("/findings")
def findings(theme: str | None = None, polarity: str | None = None, report: str | None = None,
             limit: int = Limit, offset: int = Offset, svc: Service = Depends(service)) -> list[dict[str, Any]]:
    return page(svc.findings(theme=theme, polarity=polarity, report_id=report), limit, offset, svc)


@router.get("/recommendations")
def recommendations(report: str | None = None, kind: ItemKind | None = None,
                    limit: int = Limit, offset: int = Offset, svc: Service = Depends(service)) -> list[dict[str, Any]]:
    kinds = [kind] if kind else ["cause_of_concern", "recommendation", "area_for_improvement"]
    return page([it for k in kinds for it in svc.items(report, k)], limit, offset, svc)


@router.get("/passages")
def passages(report: str | None = None, kind: str | None = None, limit: int = Limit, offset: int = Offset,
             svc: Service = Depends(service)) -> list[dict[str, Any]]:
    return svc.passages(report, kind, min(limit, svc.settings.max_page), offset)


@router.get("/passages/{passage_id}")
def passage(passage_id: str, svc: Service = Depends(service)) -> dict[str, Any]:
    """One passage with its citation (year, section, paragraph, page when the source has pages)."""
    return svc.passage(passage_id)


@router.get("/items")
def items(report: str | None = None,
          kind: Literal["recommendation", "area_for_improvement", "cause_of_concern", "judgment"] | None = None,
          limit: int = Limit, offset: int = Offset, svc: Service = Depends(service)) -> list[dict[str, Any]]:
    return page(svc.items(report, kind), limit, offset, svc)


@router.get("/crosscutting")
def crosscutting(limit: int = Limit, offset: int = Offset, svc: Service = Depends(service)) -> list[dict[str, Any]]:
    return page(svc.crosscutting(), limit, offset, svc)


@router.get("/trace")
def trace(from_: str = Query(..., alias="from", max_length=200), to: str | None = Query(None, max_length=200),
          depth: int = Query(4, ge=1, le=6), via: str | None = Query(None, pattern="^(meaning|themes)$"),
          svc: Service = Depends(service)) -> dict[str, Any]:
    return svc.trace(from_, to, depth=depth, via=via)


@router.get("/compare")
def compare(topic: str = Query(..., max_length=200, description="a theme or an entity"),
            svc: Service = Depends(service)) -> dict[str, Any]:
    return svc.compare(topic)


class ExportBody(BaseModel):
    format: str = Field(..., max_length=20)
    node_ids: list[str] | None = Field(None, max_length=2000)
    theme: str | None = Field(None, max_length=200)
    query: str | None = Field(None, max_length=1000)
    question: str | None = Field(None, max_length=1000)
    trace: dict[str, str] | None = None
    entity: str | None = Field(None, max_length=200)
    depth: int = Field(1, ge=1, le=3)
    title: str | None = Field(None, max_length=200)


@router.post("/export")
def export(body: ExportBody, svc: Service = Depends(service)) -> Response:
    data, media_type, filename = svc.export(body.format, **body.model_dump(exclude={"format"}))
    return Response(data, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


class SparqlBody(BaseModel):
    query: str = Field(..., max_length=20000)


@router.get("/sparql")
def sparql_get(query: str = Query(..., max_length=20000), svc: Service = Depends(service)) -> dict[str, Any]:
    return svc.sparql(query)


@router.post("/sparql")
def sparql_post(body: SparqlBody = Body(...), svc: Service = Depends(service)) -> dict[str, Any]:
    return svc.sparql(body.query)


@router.get("/tracker")
def tracker(kind: ItemKind | None = None,
            status: Literal["carried_over", "found_again", "new"] | None = None,
            q: str | None = Query(None, max_length=200, description="words the item must contain"),
            svc: Service = Depends(service)) -> dict[str, Any]:
    """Every recommendation, AFI and cause of concern: origin year, carried over, found again, evidence."""
    return svc.tracker(kind=kind, status=status, q=q)


@router.get("/involved")
def involved(limit: int = Limit, offset: int = Offset, svc: Service = Depends(service)) -> list[dict[str, Any]]:
    """Roles, units and partners ranked by the spread of their mentions (the cross-cutting view's "who")."""
    return page(svc.involved(), limit, offset, svc)
