"""``polarwatch eval stories``: cluster a gold file's articles and score them against its clusters.

The gold file is JSONL, one article a line: ``id`` (or ``doc``), ``cluster``,
``text`` (or ``sentences``, a list), optional ``title``, ``date`` (ISO) and
``outlet``. Any other field (ECB+'s ``topic``/``subtopic``) is ignored: it is
never shown to the clusterer. Each article goes through the pipeline —
cleaning, extraction, features, the online clusterer — in memory, in
arrival order (by date when every article has one, else the file's order);
no store is opened.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..evaluate.gold import GoldError
from ..records import Article, RawDoc, Rejected, Source
from .cluster import Clusterer
from .features import ArticleFeatures, build
from .metrics import adjusted_rand, bcubed


@dataclass(slots=True)
class GoldStory:
    """One article of a gold clustering file."""

    id: str
    cluster: str
    text: str
    title: str | None = None
    date: str | None = None
    outlet: str | None = None


def load_gold(path: str | Path) -> list[GoldStory]:
    """Read a JSONL gold clustering file; a malformed line raises ``GoldError`` naming it."""
    out: list[GoldStory] = []
    seen: set[str] = set()
    try:
        lines = Path(path).read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldError(f"{path}: {exc}") from exc
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}, line {n}"
        try:
            d = json.loads(line)
        except json.JSONDecodeError as exc:
            raise GoldError(f"{where}: not JSON ({exc.msg})") from exc
        if not isinstance(d, dict):
            raise GoldError(f"{where}: not a JSON object")
        aid, cluster = d.get("id", d.get("doc")), d.get("cluster")
        if aid is None or cluster is None:
            raise GoldError(f"{where}: needs 'id' (or 'doc') and 'cluster'")
        text = d.get("text")
        if text is None and isinstance(d.get("sentences"), list):
            text = "\n".join(str(s) for s in d["sentences"])
        if not isinstance(text, str) or not text.strip():
            raise GoldError(f"{where}: needs a non-empty 'text' (or 'sentences', a list)")
        if str(aid) in seen:
            raise GoldError(f"{where}: id {aid!r} appears twice")
        seen.add(str(aid))
        out.append(GoldStory(str(aid), str(cluster), text, d.get("title"), d.get("date"), d.get("outlet")))
    if not out:
        raise GoldError(f"{path}: no articles")
    return out


def _article(g: GoldStory, path: str) -> Article | None:
    from ..pipeline import to_article

    doc = RawDoc(Source(path, g.id), "gold", g.text, title=g.title, text=g.text, published=g.date, outlet_hint=g.outlet)
    art = to_article(doc)
    return None if isinstance(art, Rejected) else art


def gold_features(gold: list[GoldStory], path: str = "gold") -> list[ArticleFeatures]:
    """Clean and extract every gold article and build its features (an article cleaning empties keeps its raw text)."""
    from .. import nlp

    arts = [_article(g, path) for g in gold]
    paras = [a.paragraphs if a else [g.text] for g, a in zip(gold, arts)]
    analyses = nlp.analyse_batch(paras, titles=[a.title if a else g.title for g, a in zip(gold, arts)])
    return [
        build(g.id, a.title if a else g.title, "\n\n".join(p), an.mentions, an.events, g.date, g.outlet)
        for g, a, p, an in zip(gold, arts, paras, analyses)
    ]


def arrival_order(gold: list[GoldStory], shuffle: int | None = None) -> list[int]:
    """By date when every article has one, else the file's order; with *shuffle*, the file's lines in the
    order ``random.Random(shuffle).shuffle`` gives them (how order-dependent the online clusterer is)."""
    if shuffle is not None:
        order = list(range(len(gold)))
        random.Random(shuffle).shuffle(order)
        return order
    if all(g.date for g in gold):
        return sorted(range(len(gold)), key=lambda i: (str(gold[i].date), i))
    return list(range(len(gold)))


def score_clusters(gold: list[GoldStory], pred: list[int]) -> dict[str, Any]:
    labels = [g.cluster for g in gold]
    b = bcubed(labels, pred)
    return {
        "bcubed": {k: round(v, 4) for k, v in b.items()},
        "ari": round(adjusted_rand(labels, pred), 4),
        "clusters": len(set(pred)),
        "gold_clusters": len(set(labels)),
        "articles": len(gold),
    }


def per_cluster(gold: list[GoldStory], pred: list[int]) -> list[dict[str, Any]]:
    """Per gold cluster: its size, how many predicted stories it is split into and how many foreign articles
    share its largest one; only clusters that are not predicted exactly."""
    out = []
    for c in sorted({g.cluster for g in gold}):
        members = [p for g, p in zip(gold, pred) if g.cluster == c]
        main = max(set(members), key=members.count)
        foreign = sum(1 for g, p in zip(gold, pred) if p == main and g.cluster != c)
        if len(set(members)) > 1 or foreign:
            out.append({"cluster": c, "articles": len(members), "stories": len(set(members)), "merged_with": foreign})
    return out


def cluster_in_order(feats: list[ArticleFeatures], order: list[int]) -> list[int]:
    """Each article's story once the articles have arrived in *order* (indices into *feats*), from an empty
    clusterer (a small story placed again later counts where it went)."""
    clusterer = Clusterer()
    for i in order:
        clusterer.add(feats[i])
    return [clusterer.story_of[feats[i].id] for i in range(len(feats))]


def run_stories_eval(path: str | Path, shuffles: tuple[int, ...] = (), details: bool = True) -> dict[str, Any]:
    """Cluster the gold file's articles online and score them: ``{bcubed, ari, clusters, gold_clusters, articles,
    errors}`` (and ``threads`` when the lines carry a thread); with *shuffles*, also ``orders``: the scores of
    each ``arrival_order(gold, seed)``, by seed. Without *details*, no ``errors`` or ``threads``."""
    gold = load_gold(path)
    feats = gold_features(gold, str(path))
    pred = cluster_in_order(feats, arrival_order(gold))
    result = score_clusters(gold, pred)
    if not details:
        return _shuffled(result, gold, feats, shuffles)
    result["errors"] = per_cluster(gold, pred)
    from .threads import score_threads  # when the gold lines carry `thread`: the stories linked into threads, scored

    if (threads := score_threads(path, gold, feats, arrival_order(gold), pred)) is not None:
        result["threads"] = threads
    return _shuffled(result, gold, feats, shuffles)


def _shuffled(result: dict[str, Any], gold: list[GoldStory], feats: list[ArticleFeatures], shuffles: tuple[int, ...]) -> dict[str, Any]:
    """*result* with ``orders``: the scores of each shuffled arrival order of *shuffles*, by seed."""
    if shuffles:
        result["orders"] = {
            str(seed): score_clusters(gold, cluster_in_order(feats, arrival_order(gold, seed))) for seed in shuffles
        }
    return result
