"""Write endpoints: ingest articles and delete one. They exist only with a token, and require it."""

from __future__ import annotations

import hmac
import json
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Header, HTTPException, Path as PathParam, Request
from fastapi.responses import Response

from ..analysis import queries as q
from . import models

router = APIRouter(prefix="/api", responses={401: {"model": models.Error}, 403: {"model": models.Error}})


def _authorise(request: Request, authorization: str | None) -> None:
    token = request.app.state.token
    if not token:
        raise HTTPException(403, "this server is read-only (no API token configured)")
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise HTTPException(401, "a valid bearer token is required", headers={"www-authenticate": "Bearer"})


Auth = Annotated[str | None, Header(max_length=1000)]


@router.post("/articles", response_model=models.IngestOut, status_code=201, summary="Ingest articles (token required)")
def ingest(request: Request, body: models.IngestIn, authorization: Auth = None) -> Any:
    _authorise(request, authorization)
    from .. import lib
    from ..nlp.model import collector_left_alone

    lock, store = request.app.state.stores.write()
    with tempfile.TemporaryDirectory(prefix="polarwatch-api-") as tmp:
        path = Path(tmp) / "articles.jsonl"
        path.write_text("".join(json.dumps(r.model_dump(exclude_none=True), ensure_ascii=False) + "\n" for r in body.articles), "utf-8")
        with lock, collector_left_alone():  # the collector is the whole server's: no freeze, no pause
            rep = lib.ingest([path], store=store, nlp=body.analyse)
    return {"read": rep.read, "new": rep.new, "duplicate": rep.duplicate, "updated": rep.updated, "failed": len(rep.failed),
            "ids": rep.new_ids, "failures": [{"source": r.source.locator, "reason": r.reason} for r in rep.failed]}  # fmt: skip


@router.delete("/articles/{article_id}", status_code=204, summary="Delete an article and all derived from it (token required)")
def delete(request: Request, article_id: Annotated[str, PathParam(max_length=64)], authorization: Auth = None) -> Response:
    _authorise(request, authorization)
    lock, store = request.app.state.stores.write()
    with lock:
        found = q.delete_article(store, article_id)
    if not found:
        raise HTTPException(404, "no such article")
    return Response(status_code=204)


def install(app: FastAPI) -> None:
    app.include_router(router)
