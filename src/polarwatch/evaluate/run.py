"""``polarwatch eval``: run the whole pipeline over a gold folder in a throw-away store and score it.

The user's store is never touched: every run builds a temporary SQLite store
from the gold articles (read, cleaned, extracted exactly as ``ingest`` does).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from ..config import Settings
from ..ingest import read_paths
from ..pipeline import extract, to_article
from ..records import Article, RawDoc, Source
from ..store import SQLiteStore
from .gold import GoldArticle, article_text, load_gold
from .score import PredQuote, entities_from_mentions, score_entities_many, score_quotes_many


def _plain_title(raw: str) -> tuple[str | None, str]:
    """(headline, body) of a plain gold text whose first line is its headline, as in every PolNeAR text.

    The headline goes to the article's title, where the extractor reads it as ingested news is read
    (``headline_quotes``); the body is the rest, so body offsets are offsets into the text after the
    headline line. A text of one line, or one whose first line is long prose, keeps everything as body."""
    lines = raw.lstrip("\n").split("\n", 1)
    head = lines[0].strip()
    if len(lines) < 2 or not head or len(head.split()) > 30:
        return None, raw
    return head, lines[1]


def _csv_docs(path: str) -> dict[str, RawDoc]:
    """The documents of a CSV file as ``ingest`` reads them, by url (read again only when the file changes)."""
    key = (path, Path(path).stat().st_mtime_ns)
    if key not in _CSV_DOCS:
        if len(_CSV_DOCS) >= 8:
            _CSV_DOCS.clear()
        docs: dict[str, RawDoc] = {}
        for item in read_paths([path], Settings()):
            if isinstance(item, RawDoc) and item.url:
                docs.setdefault(item.url.strip(), item)
        _CSV_DOCS[key] = docs
    return _CSV_DOCS[key]


_CSV_DOCS: dict[tuple[str, int], dict[str, RawDoc]] = {}


def _article(g: GoldArticle) -> Article | None:
    if g.text_source == "csv-row":  # offsets gold: the row of a shared CSV, read by the CSV reader like any ingest
        doc = _csv_docs(g.path).get(g.key)
        art = to_article(doc) if doc is not None else None
        return art if isinstance(art, Article) else None
    if g.text_source == "plain":
        from ..ingest.text import split_paragraphs

        raw, path = article_text(g)
        title, body = _plain_title(raw)
        doc = RawDoc(Source(path), "text", raw, title=title, paragraphs=split_paragraphs(body))
        art = to_article(doc)
        return art if isinstance(art, Article) else None
    for item in read_paths([g.path], Settings()):
        if isinstance(item, RawDoc):
            art = to_article(item)
            return art if isinstance(art, Article) else None
    return None


def _norm(s: str) -> str:
    return " ".join(re.sub(r"\W+", " ", s.casefold()).split())


def _annotates_titles(arts: list[tuple[GoldArticle, Article]]) -> bool:
    """Whether the gold set annotates headline quotes: some gold quote stands in a title and not in its body.

    A set that never does (the seeds) leaves headlines out of scope, so predicted headline quotes are not
    scored against it; a set that does (ours, convention 8) scores them like any other quote."""
    for g, art in arts:
        title, body = _norm(art.title or ""), _norm(art.body)
        if title and any((k := _norm(q.text)) and k in title and k not in body for q in g.quotes):
            return True
    return False


def _pred_quotes(store: SQLiteStore, art: Article, mention_is_alias: bool, titles: bool = True) -> list[PredQuote]:
    from ..nlp.actors import registry

    reg = registry()
    return [pred_quote(reg, q.text, q.kind, q.speaker_id, q.speaker_name, q.speaker_text, mention_is_alias)
            for q in store.get_quotes(art.id) if titles or not q.in_title]  # fmt: skip


def pred_quote(reg: Any, text: str, kind: str, speaker_id: str | None, speaker_name: str | None, speaker_text: str | None,
               mention_is_alias: bool) -> PredQuote:  # fmt: skip
    """A predicted quote as scored: the speaker's canonical name, its registry (or outlet) aliases and type, and
    for a plain gold the mention as written (also how ``benchmarks/train_speakers.py`` labels candidate speakers)."""
    actor = reg.actors.get(speaker_id or "")
    aliases = list(actor.aliases) if actor else list(_outlet_aliases().get(speaker_id or "", ()))
    typ = "person" if (actor and actor.is_person) or (speaker_id or "").startswith("article:") else ("organization" if actor else None)
    if mention_is_alias and speaker_text:
        aliases.append(speaker_text)
    return PredQuote(text, kind, speaker_name or speaker_text, aliases, typ)


def _outlet_aliases() -> dict[str, tuple[str, ...]]:
    """The aliases of the outlets of ``data/outlets.csv`` by the speaker id the extractor gives them
    (``outlet:<slug>``): "Agence France-Presse" is a name of the outlet "AFP" as a registry alias is of its actor."""
    from ..nlp.entities import _slug
    from ..outlets import registry as outlet_registry

    return {"outlet:" + _slug(o.name): o.aliases for o in outlet_registry()}


def run_eval(what: str, gold_dir: str | Path) -> dict[str, Any]:
    """Scores of *what* ("quotes" or "entities") against the gold folder; see docs/eval.md."""
    golds = load_gold(Path(gold_dir))
    quote_pairs: list[tuple[Any, Any]] = []
    entity_pairs: list[tuple[Any, Any]] = []
    missing = []
    with tempfile.TemporaryDirectory(prefix="polarwatch-eval-") as tmp:
        store = SQLiteStore(Path(tmp) / "eval.db")
        try:
            arts: list[tuple[GoldArticle, Article]] = []
            for g in golds:
                art = _article(g)
                if art is None:
                    missing.append(g.key)
                    continue
                # Same text in two gold files would collide on the content hash: keep them apart.
                art.content_hash = f"{art.content_hash}:{g.key}"
                art.id = f"{art.id[:8]}{abs(hash(g.key)) % 10**8:08d}"
                arts.append((g, art))
            for i in range(0, len(arts), 50):
                chunk = [a for _, a in arts[i : i + 50]]
                store.put_articles(chunk)
                extract(store, chunk)
            titles = _annotates_titles(arts)
            for g, art in arts:
                plain = g.text_source == "plain"
                pred = _pred_quotes(store, art, mention_is_alias=plain, titles=titles)
                quote_pairs.append((g.quotes, pred))
                entity_pairs.append((g.entities, entities_from_mentions(store.get_mentions(art.id))))
        finally:
            store.close()
    if what == "quotes":
        result = score_quotes_many(quote_pairs)
    elif what == "entities":
        result = {"entities": score_entities_many(entity_pairs)}
    else:
        raise ValueError(f"unknown evaluation {what!r} (quotes, entities)")
    result["articles"] = len(quote_pairs)
    if missing:
        result["unreadable"] = missing
    return result


__all__ = ["run_eval"]
