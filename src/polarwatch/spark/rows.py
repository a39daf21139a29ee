"""The batch job's stages as plain functions, with no Spark in them: read a file, turn documents into table rows,
and turn rows back into records for ``polarwatch load``.

Spark calls :func:`read_file` per input file and :func:`process` per partition (spark/job.py); the
equivalence test and the benchmark call the same functions in one process. Every row is a flat dict of
strings, numbers and booleans (lists and nested values as JSON text), so each table has one fixed schema
(:data:`TABLES`) that Parquet, Spark and the store all read the same way.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from ..config import Settings
from ..records import Article, Event, Mention, Outlet, Quote, RawDoc, Rejected, Removal, Source

# Rows are written in this many hash buckets per table ("bucket" column, a Parquet partition), so a
# re-run overwrites the same partitions with the same rows.
BUCKETS = 16

_S, _I, _F, _B = "string", "long", "double", "boolean"
TABLES: dict[str, list[tuple[str, str]]] = {
    "articles": [
        ("id", _S), ("content_hash", _S), ("title", _S), ("paragraphs", _S), ("removed", _S), ("raw", _S), ("format", _S),
        ("source_path", _S), ("source_locator", _S), ("url", _S), ("published", _S), ("author", _S), ("outlet", _S),
        ("summary_only", _B), ("analysed_with", _S),
    ],
    "mentions": [("article_id", _S), ("content_hash", _S), ("seq", _I), ("start", _I), ("end", _I), ("text", _S), ("kind", _S), ("actor_id", _S),
                 ("actor_name", _S), ("country", _S), ("how", _S)],
    "quotes": [("article_id", _S), ("content_hash", _S), ("seq", _I), ("start", _I), ("end", _I), ("text", _S), ("kind", _S), ("cue", _S),
               ("cue_start", _I), ("speaker_text", _S), ("speaker_start", _I), ("speaker_end", _I), ("speaker_id", _S),
               ("speaker_name", _S), ("speaker_country", _S), ("about", _S), ("in_title", _B)],
    "events": [("article_id", _S), ("content_hash", _S), ("seq", _I), ("type", _S), ("mode", _S), ("trigger", _S), ("trigger_start", _I),
               ("trigger_end", _I), ("sentence_start", _I), ("sentence_end", _I), ("source_id", _S), ("source_name", _S),
               ("source_country", _S), ("source_text", _S), ("target_id", _S), ("target_name", _S), ("target_country", _S),
               ("target_text", _S), ("symmetric", _B), ("claimed_by_id", _S), ("claimed_by_name", _S),
               ("claimed_by_country", _S), ("evidence_start", _I), ("evidence_end", _I)],
    "themes": [("article_id", _S), ("content_hash", _S), ("theme", _S), ("score", _F), ("share", _F), ("paragraphs", _S), ("evidence", _S)],
    "tone": [("article_id", _S), ("content_hash", _S), ("tone", _F), ("positive", _I), ("negative", _I), ("scored", _I), ("sentences", _S), ("actors", _S)],
    "rejects": [("source_path", _S), ("source_locator", _S), ("stage", _S), ("reason", _S), ("skipped", _B)],
}
# Each table's key: rows are sorted by it inside a bucket, and two runs give the same files.
KEYS = {"articles": ("id", "source_path", "source_locator"), "rejects": ("source_path", "source_locator", "stage"),
        "themes": ("article_id", "theme"), "tone": ("article_id",)}  # fmt: skip


def key_of(table: str) -> tuple[str, ...]:
    return KEYS.get(table, ("article_id", "seq"))


def stable_hash(text: str) -> int:
    """A hash that is the same on every machine and run (Python's ``hash`` of a str is salted per process)."""
    return int(hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest(), 16)


def bucket(text: str) -> int:
    """The output bucket of an article id (or of a reject's source)."""
    return stable_hash(text) % BUCKETS


_CAST = {"string": lambda v: v, "long": int, "double": float, "boolean": bool}


def as_tuple(table: str, row: dict[str, Any]) -> tuple[Any, ...]:
    """The row's values in the table's column order, typed as its schema says, then its bucket."""
    key = row.get("article_id") or row.get("id") or f"{row['source_path']}#{row['source_locator']}"
    return tuple(None if row.get(n) is None else _CAST[t](row[n]) for n, t in TABLES[table]) + (bucket(key),)


def _dumps(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


# -- stage 1: files -> documents ------------------------------------------------------------------------
def read_file(path: str, content: bytes, settings: Settings) -> list[RawDoc | Rejected]:
    """Every document (or rejection) in one input file given as bytes: any format ``polarwatch ingest`` reads
    (JSONL, WARC, HTML, feeds, archives…), and Parquet tables with the JSONL fields (``url``, ``title``,
    ``text`` or ``html``, ``published``…), one article per row."""
    from ..ingest import read_blob
    from ..ingest.base import Blob

    if path.lower().endswith(".parquet"):
        return _read_parquet(path, content, settings)
    blob = Blob(path, lambda: io.BytesIO(content), len(content))
    try:
        return list(read_blob(blob, settings))
    except Exception as exc:  # noqa: BLE001 - a reader bug must not stop the job: the file is rejected with it
        return [Rejected(Source(path), f"reader failed: {type(exc).__name__}: {exc}")]


def _read_parquet(path: str, content: bytes, settings: Settings) -> list[RawDoc | Rejected]:
    import pyarrow.parquet as pq

    from ..ingest.records import record_to_doc

    try:
        table = pq.read_table(io.BytesIO(content))
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several kinds for a damaged file
        return [Rejected(Source(path), f"not a readable Parquet file: {exc}")]
    return [record_to_doc({k: v for k, v in rec.items() if isinstance(v, str)}, Source(path, f"row {i + 1}"), "parquet", settings)
            for i, rec in enumerate(table.to_pylist())]  # fmt: skip


# -- stage 2: documents -> rows ---------------------------------------------------------------------------
def reject_row(r: Rejected, stage: str) -> dict[str, Any]:
    return {"source_path": r.source.path, "source_locator": r.source.locator, "stage": stage, "reason": r.reason, "skipped": r.skipped}


def article_row(a: Article, analysed_with: str | None) -> dict[str, Any]:
    src = a.sources[0]
    return {
        "id": a.id, "content_hash": a.content_hash, "title": a.title, "paragraphs": _dumps(a.paragraphs),
        "removed": _dumps([[r.text, r.rule] for r in a.removed]), "raw": a.raw, "format": a.format,
        "source_path": src.path, "source_locator": src.locator, "url": a.url, "published": a.published, "author": a.author,
        "outlet": _dumps(a.outlet.as_dict()) if a.outlet else None, "summary_only": a.summary_only, "analysed_with": analysed_with,
    }  # fmt: skip


def analysis_rows(aid: str, chash: str, an: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """The rows of one article's analysis; *chash* (its content hash) tells two texts under one id apart."""
    for table, row in _analysis_rows(aid, an):
        yield table, {**row, "content_hash": chash}


def _analysis_rows(aid: str, an: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    for i, m in enumerate(an.mentions):
        yield "mentions", {"article_id": aid, "seq": i, **m.as_dict()}
    for i, q in enumerate(an.quotes):
        yield "quotes", {"article_id": aid, "seq": i, **q.as_dict(), "about": _dumps(q.about)}
    for i, e in enumerate(an.events):
        yield "events", {"article_id": aid, "seq": i, **{k: getattr(e, k) for k in Event.__dataclass_fields__}}
    for t in an.themes:
        d = t.as_dict()
        yield "themes", {"article_id": aid, "theme": d["theme"], "score": d["score"], "share": d["share"],
                         "paragraphs": _dumps(d["paragraphs"]), "evidence": _dumps(d["evidence"])}  # fmt: skip
    if an.tone is not None:
        d = an.tone.as_dict()
        yield "tone", {"article_id": aid, "tone": d["tone"], "positive": d["positive"], "negative": d["negative"],
                       "scored": d["scored"], "sentences": _dumps(d["sentences"]), "actors": _dumps(d["actors"])}  # fmt: skip


def process(items: Iterable[RawDoc | Rejected], nlp: bool = True, batch: int = 64) -> Iterator[tuple[str, dict[str, Any]]]:
    """(table, row) for every item: rejections, and per document its article and analysis rows.

    Documents are cleaned one by one and analysed *batch* at a time with the same functions as ``polarwatch
    ingest`` (models load once per process: once per Spark Python worker). A document whose cleaning or
    analysis raises is a reject with the error as its reason; the others go on."""
    from ..pipeline import to_article

    todo: list[Article] = []

    def flush() -> Iterator[tuple[str, dict[str, Any]]]:
        yield from _analysed(todo, nlp)
        todo.clear()

    for item in items:
        if isinstance(item, Rejected):
            yield "rejects", reject_row(item, "read")
            continue
        try:
            art = to_article(item)
        except Exception as exc:  # noqa: BLE001
            art = Rejected(item.source, f"cleaning failed: {type(exc).__name__}: {exc}")
        if isinstance(art, Rejected):
            yield "rejects", reject_row(art, "clean")
            continue
        todo.append(art)
        if len(todo) >= batch:
            yield from flush()
    yield from flush()


def _analysed(arts: list[Article], nlp: bool) -> Iterator[tuple[str, dict[str, Any]]]:
    if not arts:
        return
    if not nlp:
        for a in arts:
            yield "articles", article_row(a, None)
        return
    from .. import nlp as extract

    try:
        analyses = extract.analyse_batch([a.paragraphs for a in arts], titles=[a.title for a in arts])
    except Exception:  # noqa: BLE001 - find the article that breaks it; the rest of the batch is kept
        if len(arts) == 1:
            raise
        analyses = None
    if analyses is None:
        for a in arts:
            try:
                yield from _analysed([a], nlp)
            except Exception as exc:  # noqa: BLE001
                yield "rejects", reject_row(Rejected(a.sources[0], f"extraction failed: {type(exc).__name__}: {exc}"), "extract")
        return
    for a, an in zip(arts, analyses):
        yield "articles", article_row(a, extract.VERSION)
        yield from analysis_rows(a.id, a.content_hash, an)


# -- rows -> records (polarwatch load) --------------------------------------------------------------------
class _Stored:
    """A theme or tone as read back: ``as_dict`` gives what the store writes."""

    __slots__ = ("_d",)

    def __init__(self, d: dict[str, Any]) -> None:
        self._d = d

    def as_dict(self) -> dict[str, Any]:
        return self._d


def to_article(r: dict[str, Any]) -> Article:
    o = json.loads(r["outlet"]) if r.get("outlet") else None
    return Article(
        id=r["id"], content_hash=r["content_hash"], title=r["title"], paragraphs=json.loads(r["paragraphs"]),
        removed=[Removal(t, rule) for t, rule in json.loads(r["removed"])], raw=r["raw"] or "", format=r["format"],
        sources=[Source(r["source_path"], r["source_locator"] or "")], url=r["url"], published=r["published"],
        author=r["author"], outlet=Outlet(**o) if o else None, summary_only=bool(r["summary_only"]),
    )  # fmt: skip


def to_analysis(aid: str, rows: dict[str, list[dict[str, Any]]], body: str) -> Any:
    """The ``Analysis`` of article *aid* from its rows of each table (mentions, quotes, events, themes, tone)."""
    from ..nlp.quotes import Analysis

    def strip(r: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
        return {k: r[k] for k in fields}

    an = Analysis(text=body)
    an.mentions = [Mention(**strip(r, Mention.__dataclass_fields__)) for r in rows.get("mentions", [])]
    an.quotes = [Quote(**{**strip(r, Quote.__dataclass_fields__), "about": json.loads(r["about"]), "in_title": bool(r["in_title"])})
                 for r in rows.get("quotes", [])]  # fmt: skip
    an.events = [Event(**{**strip(r, Event.__dataclass_fields__), "symmetric": bool(r["symmetric"])}) for r in rows.get("events", [])]
    an.themes = [_Stored({"theme": r["theme"], "score": r["score"], "share": r["share"], "paragraphs": json.loads(r["paragraphs"]),
                          "evidence": json.loads(r["evidence"])}) for r in rows.get("themes", [])]  # fmt: skip
    tone = rows.get("tone")
    if tone:
        t = tone[0]
        an.tone = _Stored({"tone": t["tone"], "positive": t["positive"], "negative": t["negative"], "scored": t["scored"],
                           "sentences": json.loads(t["sentences"]), "actors": json.loads(t["actors"])})  # fmt: skip
    return an
