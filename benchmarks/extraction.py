"""Main-text extraction quality: polarwatch's HTML reader against trafilatura alone.

Scores with the shingle F1 of the ScrapingHub article-extraction benchmark
(word 4-gram shingles of the extracted body against the gold body, as sets).

    python benchmarks/extraction.py                      # held-out pages (benchmarks/data/extraction-heldout)
    python benchmarks/extraction.py --set fixtures       # the cleaning test fixtures (tuned on: not a fair test)
    python benchmarks/extraction.py --scrapinghub DIR    # DIR/ground-truth.json + DIR/html/<id>.html.gz

The ScrapingHub set is not shipped here (no network); point --scrapinghub at
a checkout of it to reproduce its figures.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
from pathlib import Path

import trafilatura

from polarwatch.clean import clean
from polarwatch.ingest.decode import decode_bytes
from polarwatch.ingest.html import html_to_doc
from polarwatch.records import RawDoc, Source

ROOT = Path(__file__).resolve().parents[1]


def shingles(text: str, n: int = 4) -> set[tuple[str, ...]]:
    toks = re.findall(r"\w+", text.lower())
    if len(toks) < n:
        return {tuple(toks)} if toks else set()
    return {tuple(toks[i : i + n]) for i in range(len(toks) - n + 1)}


def prf(pred: str, gold: str) -> tuple[float, float, float]:
    p, g = shingles(pred), shingles(gold)
    if not p and not g:
        return 1.0, 1.0, 1.0
    tp = len(p & g)
    prec = tp / len(p) if p else 0.0
    rec = tp / len(g) if g else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return prec, rec, f1


def polarwatch_body(html: str, url: str | None = None) -> str:
    doc = html_to_doc(html, Source("bench"), url=url)
    if not isinstance(doc, RawDoc):
        return ""
    return "\n".join(clean(doc).paragraphs)


def trafilatura_body(html: str, url: str | None = None, **opts: object) -> str:
    return trafilatura.extract(html, url=url, include_comments=False, **opts) or ""


def load_fixtures() -> list[tuple[str, str, str]]:
    out = []
    for p in sorted((ROOT / "tests" / "fixtures" / "clean").glob("*.html")):
        gold = json.loads(p.with_suffix(".expect.json").read_text("utf-8"))
        out.append((p.stem, p.read_text("utf-8"), "\n".join(gold["paragraphs"])))
    return out


def load_heldout() -> list[tuple[str, str, str]]:
    """Pages written by someone who never saw our extractor, with gold bodies; never tuned on."""
    out = []
    for p in sorted((ROOT / "benchmarks" / "data" / "extraction-heldout").glob("*.html")):
        gold = json.loads(p.with_name(p.stem + ".gold.json").read_text("utf-8"))
        out.append((p.stem, decode_bytes(p.read_bytes()), "\n".join(gold["paragraphs"])))
    return out


def load_scrapinghub(d: Path) -> list[tuple[str, str, str]]:
    gt = json.loads((d / "ground-truth.json").read_text("utf-8"))
    out = []
    for key, item in sorted(gt.items()):
        f = d / "html" / f"{key}.html.gz"
        if f.exists():
            html = gzip.decompress(f.read_bytes()).decode("utf-8", "replace")
            out.append((key, html, item.get("articleBody") or ""))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scrapinghub", type=Path, help="folder of the ScrapingHub article-extraction benchmark")
    ap.add_argument("--set", choices=("heldout", "fixtures"), default="heldout")
    ap.add_argument("--per-page", action="store_true", help="print each page's F1")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.scrapinghub:
        cases = load_scrapinghub(args.scrapinghub)
    else:
        cases = load_heldout() if args.set == "heldout" else load_fixtures()
    if not cases:
        print("no cases found", file=sys.stderr)
        return 1
    systems = {
        "polarwatch": polarwatch_body,
        "trafilatura (default)": trafilatura_body,
        "trafilatura (favor_precision)": lambda h: trafilatura_body(h, favor_precision=True),
        "trafilatura (favor_recall)": lambda h: trafilatura_body(h, favor_recall=True),
    }
    results = {}
    for name, fn in systems.items():
        scores = [prf(fn(html), gold) for _, html, gold in cases]
        if args.per_page:
            for (key, _, _), sc in zip(cases, scores):
                print(f"  {name:30} {key:40} F1={sc[2]:.3f} P={sc[0]:.3f} R={sc[1]:.3f}", file=sys.stderr)
        results[name] = {
            "precision": round(statistics.mean(s[0] for s in scores), 4),
            "recall": round(statistics.mean(s[1] for s in scores), 4),
            "f1": round(statistics.mean(s[2] for s in scores), 4),
            "pages": len(scores),
        }
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"{'system':32} {'P':>7} {'R':>7} {'F1':>7}  pages={len(cases)}")
        for name, r in results.items():
            print(f"{name:32} {r['precision']:7.4f} {r['recall']:7.4f} {r['f1']:7.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
