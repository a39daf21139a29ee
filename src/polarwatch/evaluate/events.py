"""``polarwatch eval events``: score event coding against gold events (docs/eval.md, "Events").

Two gold formats:

* a seeds-style folder: article files and a ``gold.json`` whose articles
  carry ``events`` (``source``, ``type``, ``target``, ``evidence``);
* a PLOVER gold-standard file (a JSON list of records, one sentence each,
  ``DOCUMENT`` records skipped), or a folder of such ``.json`` files (our
  own gold in ``tests/gold/events/``). A record whose ``event`` is ``NONE``
  is a sentence that must yield no event (negation, hypotheticals).

Loading and scoring are pure; ``run_events_eval`` reads the articles, runs
the extraction and the event coder in memory (no store) and scores them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..events import TYPES, country_code
from ..records import Event
from .gold import GOLD_FILE, GoldError, load_seeds_gold
from .score import prf

# Codes of actors that are not states; kept as they are so that such sources and targets can still match.
NON_STATE = frozenset({"IGO", "NGO", "IMG", "MNC", "ISM"})
# Older PLOVER names and the seeds' descriptive labels -> our types (docs/events.md).
GOLD_TYPES = {
    "DEMAND": "REQUEST", "DISAPPROVE": "ACCUSE", "CRITICIZE": "ACCUSE", "CRITICISE": "ACCUSE", "INVESTIGATE": "ACCUSE",
    "FIGHT": "ASSAULT", "YIELD": "CONCEDE", "EXPRESS CONCERN": "ACCUSE", "CONCERN": "ACCUSE", "MILITARY POSTURE": "MOBILIZE",
}  # fmt: skip


@dataclass(slots=True)
class GoldEvent:
    type: str
    sources: list[str]
    targets: list[str]
    symmetric: bool
    start: int  # span of the evidence in the article body (-1 until located)
    end: int
    evidence: str | None = None  # seeds: the words to locate


@dataclass(slots=True)
class GoldDoc:
    key: str
    paragraphs: list[str] | None  # None: read the article file at ``path``
    path: str | None
    events: list[GoldEvent] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)  # actor codes no table knows


def gold_type(label: str, where: str) -> str:
    """Our type for a gold label: "DEMAND" -> REQUEST, "cooperate (seek)" -> COOPERATE, "express concern" -> ACCUSE."""
    name = re.sub(r"\(.*?\)", "", label).strip().upper()
    name = GOLD_TYPES.get(name, name)
    if name not in TYPES:
        name = GOLD_TYPES.get(name.split()[0], name.split()[0]) if name else name
    if name not in TYPES:
        raise GoldError(f"{where}: unknown event type {label!r}")
    return name


def actor_code(code: str | None, unmapped: list[str]) -> str | None:
    """ISO-2 for a country code (ISO-3, CAMEO, with or without a sector suffix); IGO/NGO… as they are."""
    if not code:
        return None
    code = code.strip().upper()
    iso = country_code(code)
    if iso:
        return iso
    if code[:3] in NON_STATE:
        return code[:3]
    unmapped.append(code)
    return None


def _actors(value: Any, unmapped: list[str]) -> list[str]:
    if not isinstance(value, list):
        return []
    out = []
    for a in value:
        c = actor_code(a.get("code") if isinstance(a, dict) else None, unmapped)
        if c and c not in out:
            out.append(c)
    return out


def load_plover(path: Path) -> list[GoldDoc]:
    """One GoldDoc per sentence record of a PLOVER JSON file."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GoldError(f"{path}: cannot read: {exc}") from exc
    if not isinstance(data, list):
        raise GoldError(f"{path}: expected a JSON list of PLOVER records")
    out = []
    for i, r in enumerate(data):
        where = f"{path} record {i}"
        if not isinstance(r, dict) or not isinstance(r.get("event"), str):
            raise GoldError(f"{where}: expected an object with an 'event'")
        if r["event"] == "DOCUMENT":
            continue
        text = r.get("text")
        if not isinstance(text, str) or not text.strip():
            raise GoldError(f"{where}: 'text' must be a non-empty string")
        text = " ".join(text.split())
        doc = GoldDoc(str(r.get("id") or f"{path.name}#{i}"), [text], None)
        if r["event"] != "NONE":
            sources = _actors(r.get("source"), doc.unmapped)
            targets = _actors(r.get("target"), doc.unmapped)
            sym = len(sources) >= 2 and not targets
            doc.events.append(GoldEvent(gold_type(r["event"], where), sources, targets, sym, 0, len(text)))
        out.append(doc)
    return out


def load_seeds_events(folder: Path) -> list[GoldDoc]:
    """One GoldDoc per article of a seeds folder; evidence spans are found once the article is read."""
    arts = {g.key: g for g in load_seeds_gold(folder)}
    data = json.loads((folder / GOLD_FILE).read_text("utf-8"))
    out = []
    for key, a in sorted(data["articles"].items()):
        doc = GoldDoc(key, None, arts[key].path)
        for i, ev in enumerate(a.get("events") or []):
            where = f"{folder / GOLD_FILE} articles[{key!r}] events[{i}]"
            if not isinstance(ev, dict) or not isinstance(ev.get("type"), str) or not isinstance(ev.get("evidence"), str):
                raise GoldError(f"{where}: needs 'type' and 'evidence' strings")
            sources = [c for c in (actor_code(x, doc.unmapped) for x in (ev.get("source") or "").split("+")) if c]
            targets = [c for c in (actor_code(x, doc.unmapped) for x in (ev.get("target") or "").split("+")) if c]
            doc.events.append(GoldEvent(gold_type(ev["type"], where), sources, targets, False, -1, -1, ev["evidence"]))
        out.append(doc)
    return out


def load_event_gold(path: str | Path) -> list[GoldDoc]:
    """A PLOVER file, a folder of PLOVER files, or a seeds folder (``gold.json``)."""
    p = Path(path)
    if p.is_file():
        return load_plover(p)
    if (p / GOLD_FILE).is_file():
        return load_seeds_events(p)
    files = sorted(p.glob("*.json"))
    if not files:
        raise GoldError(f"{p}: neither a PLOVER file, a folder of PLOVER .json files, nor a folder with {GOLD_FILE}")
    return [d for f in files for d in load_plover(f)]


def locate(body: str, evidence: str) -> tuple[int, int]:
    """Span of *evidence* in *body*, whitespace-insensitive; (0, len(body)) when it cannot be found."""
    rx = r"\s+".join(re.escape(w) for w in evidence.split())
    m = re.search(rx, body)
    return (m.start(), m.end()) if m else (0, len(body))


# --- scoring -----------------------------------------------------------------------------


def pred_code(country: str | None, actor_id: str | None) -> str | None:
    """The code a predicted side is compared with: its country, else IGO for an international body."""
    if country:
        return country
    if actor_id:
        from ..nlp.actors import registry

        a = registry().actors.get(actor_id)
        if a is not None and a.type == "international":
            return "IGO"
    return None


def _gold_triples(g: GoldEvent) -> set[tuple[str | None, str | None]]:
    if g.symmetric:
        return {(a, b) for i, a in enumerate(g.sources) for b in g.sources[i + 1 :]}
    return {(s, t) for s in (g.sources or [None]) for t in (g.targets or [None])}


def score_article(gold: list[GoldEvent], pred: list[Event], base: int = 0) -> dict[str, Any]:
    """Counts for one article: events (source+type+target at the gold sentence), type hits, actor sets, per type.

    *pred* offsets are into the same body as the gold spans (minus *base*).
    """
    ptrip: dict[tuple[Any, ...], Event] = {}
    for ev in pred:
        key = (ev.type, pred_code(ev.source_country, ev.source_id), pred_code(ev.target_country, ev.target_id), ev.sentence_start, ev.symmetric)
        ptrip.setdefault(key, ev)
    used: set[tuple[Any, ...]] = set()
    per_type: dict[str, dict[str, int]] = {}
    tp = fn = 0
    type_hits = 0
    for g in gold:
        pt = per_type.setdefault(g.type, {"tp": 0, "fp": 0, "fn": 0, "gold": 0, "type_hits": 0})
        pt["gold"] += 1
        near = [k for k, ev in ptrip.items() if ev.sentence_start - base < g.end and g.start < ev.sentence_end - base]
        if any(k[0] == g.type for k in near):
            type_hits += 1
            pt["type_hits"] += 1
        for s, t in _gold_triples(g):
            hit = next((k for k in near if k not in used and k[0] == g.type and ((k[1], k[2]) == (s, t) or ((g.symmetric or k[4]) and (k[2], k[1]) == (s, t)))), None)
            if hit is not None:
                used.add(hit)
                tp += 1
                pt["tp"] += 1
            else:
                fn += 1
                pt["fn"] += 1
    fp = 0
    for k in ptrip:
        if k not in used:
            fp += 1
            per_type.setdefault(k[0], {"tp": 0, "fp": 0, "fn": 0, "gold": 0, "type_hits": 0})["fp"] += 1
    gold_c = {c for g in gold for c in g.sources + g.targets if len(c) == 2}
    pred_c = {c for ev in pred for c in (ev.source_country, ev.target_country) if c}
    return {
        "events": {"tp": tp, "fp": fp, "fn": fn},
        "type": {"hits": type_hits, "gold": len(gold)},
        "actors": {"tp": len(gold_c & pred_c), "fp": len(pred_c - gold_c), "fn": len(gold_c - pred_c)},
        "per_type": per_type,
    }


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Micro-averaged result over articles, in the shape ``eval events --json`` prints."""
    ev = {k: sum(r["events"][k] for r in results) for k in ("tp", "fp", "fn")}
    ac = {k: sum(r["actors"][k] for r in results) for k in ("tp", "fp", "fn")}
    hits = sum(r["type"]["hits"] for r in results)
    gold = sum(r["type"]["gold"] for r in results)
    per: dict[str, dict[str, int]] = {}
    for r in results:
        for t, c in r["per_type"].items():
            acc = per.setdefault(t, {"tp": 0, "fp": 0, "fn": 0, "gold": 0, "type_hits": 0})
            for k in acc:
                acc[k] += c[k]
    actors = prf(ac["tp"], ac["fp"], ac["fn"])
    per_type = {}
    for t in sorted(per):
        c = per[t]
        per_type[t] = {**prf(c["tp"], c["fp"], c["fn"]), "gold": c["gold"], "type_accuracy": round(c["type_hits"] / c["gold"], 4) if c["gold"] else 0.0}
    return {
        "events": prf(ev["tp"], ev["fp"], ev["fn"]),
        "type_accuracy": round(hits / gold, 4) if gold else 0.0,
        "actors": {k: actors[k] for k in ("precision", "recall", "f1")},
        "per_type": per_type,
    }


# --- running the pipeline ----------------------------------------------------------------


def _paragraphs(doc: GoldDoc) -> list[str] | None:
    if doc.paragraphs is not None:
        return doc.paragraphs
    from .gold import GoldArticle
    from .run import _article

    art = _article(GoldArticle(key=doc.key, path=str(doc.path), text_source="reader", quotes=[], entities=[]))
    return art.paragraphs if art is not None else None


def predict(paragraph_lists: list[list[str]]) -> list[list[Event]]:
    """Extraction (mentions, quotes) and event coding for each article, in memory."""
    from ..events import code_events
    from ..nlp import analyse
    from ..nlp.parse import annotate

    flat = [p for ps in paragraph_lists for p in ps]
    docs = annotate(flat)
    out, i = [], 0
    for ps in paragraph_lists:
        d = docs[i : i + len(ps)]
        out.append(code_events(ps, d, analyse(ps, d)))
        i += len(ps)
    return out


def run_events_eval(path: str | Path) -> dict[str, Any]:
    """Scores of the event coder against *path* (see ``load_event_gold``)."""
    golds = load_event_gold(path)
    paras: list[list[str]] = []
    kept: list[GoldDoc] = []
    unreadable = []
    for g in golds:
        ps = _paragraphs(g)
        if ps is None:
            unreadable.append(g.key)
            continue
        body = "\n\n".join(ps)
        for ev in g.events:
            if ev.evidence is not None:
                ev.start, ev.end = locate(body, ev.evidence)
        paras.append(ps)
        kept.append(g)
    preds = predict(paras)
    result = summarise([score_article(g.events, p) for g, p in zip(kept, preds)])
    result["articles"] = len(kept)
    result["gold_events"] = sum(len(g.events) for g in kept)
    result["predicted_events"] = sum(len(p) for p in preds)
    unmapped = sorted({c for g in kept for c in g.unmapped})
    if unmapped:
        result["unmapped_codes"] = unmapped
    if unreadable:
        result["unreadable"] = unreadable
    return result


def format_events(result: dict[str, Any]) -> str:
    """A fixed-width table: overall, actors, then one row per type."""
    e = result["events"]
    lines = [f"{'':<12} {'precision':>9} {'recall':>7} {'f1':>7} {'tp':>6} {'fp':>6} {'fn':>6} {'type acc':>9}"]
    lines.append(f"{'events':<12} {e['precision']:>9.3f} {e['recall']:>7.3f} {e['f1']:>7.3f} {e['tp']:>6} {e['fp']:>6} {e['fn']:>6} {result['type_accuracy']:>9.3f}")
    a = result["actors"]
    lines.append(f"{'actors':<12} {a['precision']:>9.3f} {a['recall']:>7.3f} {a['f1']:>7.3f}")
    for t, c in result["per_type"].items():
        lines.append(f"{t:<12} {c['precision']:>9.3f} {c['recall']:>7.3f} {c['f1']:>7.3f} {c['tp']:>6} {c['fp']:>6} {c['fn']:>6} {c['type_accuracy']:>9.3f}")
    return "\n".join(lines)


__all__ = ["GoldDoc", "GoldEvent", "load_event_gold", "locate", "score_article", "summarise", "run_events_eval", "format_events", "gold_type", "actor_code"]
