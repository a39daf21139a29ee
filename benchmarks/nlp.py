"""Throughput of the extraction stage (mentions, quotes, speakers) on one core.

    python benchmarks/nlp.py [--articles 200]

Uses the real Wikinews articles in ../shared/corpus/wikinews (cleaned as
ingest cleans them); the spaCy model is loaded before timing starts, as a
long-running ingest loads it once.
"""

from __future__ import annotations

import argparse
import csv
import glob
import json
import os
import time
from pathlib import Path

from polarwatch import nlp
from polarwatch.ingest.text import split_paragraphs
from polarwatch.pipeline import to_article
from polarwatch.records import Article, RawDoc, Source

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=200)
    ap.add_argument("--shared", default=str(ROOT.parent / "shared" / "corpus" / "wikinews" / "data"))
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
    csv.field_size_limit(1 << 30)
    rows = []
    for f in sorted(glob.glob(f"{args.shared}/*.csv")):
        with open(f, encoding="utf-8") as fh:
            rows += list(csv.DictReader(fh))
    if not rows:
        raise SystemExit(f"no Wikinews CSV under {args.shared}")
    arts = []
    for r in rows[: args.articles]:
        a = to_article(RawDoc(Source("bench"), "csv", r["text"], title=r["title"], paragraphs=split_paragraphs(r["text"])))
        if isinstance(a, Article):
            arts.append(a)
    words = sum(len(a.body.split()) for a in arts)
    nlp.analyse_batch([arts[0].paragraphs])  # load the model outside the timing
    t = time.perf_counter()
    out = nlp.analyse_batch([a.paragraphs for a in arts])
    dt = time.perf_counter() - t
    res = {
        "articles": len(arts), "avg_words": round(words / len(arts)), "seconds": round(dt, 2),
        "articles_per_s": round(len(arts) / dt, 1), "words_per_s": round(words / dt),
        "articles_per_s_at_600_words": round(words / dt / 600, 1),
        "quotes": sum(len(a.quotes) for a in out), "mentions": sum(len(a.mentions) for a in out),
    }  # fmt: skip
    print(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
