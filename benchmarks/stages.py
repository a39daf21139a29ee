#!/usr/bin/env python3
"""What each rule stage of extraction costs per article, next to the parse it reads.

    .venv/bin/python benchmarks/stages.py [--articles 200] [--out benchmarks/out]

On the NLP benchmark's corpus (~600-word articles recombined from Wikinews,
cleaned as ingest cleans them), the spaCy annotation is run once and timed,
then each stage over the same parses: mentions/quotes/speakers (``analyse``),
events (``code_events``), themes (``score_paragraphs``), tone
(``article_tone``) and headline quotes. The events issue asks that its stages
keep end-to-end throughput within 25 % of the quotes issue's figure: the
``events_themes_tone_share`` below is their time over the time of parse +
quotes. One core (pinned), the model loaded before timing; each stage is
timed best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest import TextSource, dump_text, machine, src_fingerprint  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "out"))
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})

    from polarwatch.config import Settings
    from polarwatch.events import code_events
    from polarwatch.ingest import read_paths
    from polarwatch.nlp import analyse
    from polarwatch.nlp.headlines import headline_quotes
    from polarwatch.nlp.parse import annotate
    from polarwatch.pipeline import to_article
    from polarwatch.records import Article
    from polarwatch.themes import score_paragraphs
    from polarwatch.tone import analyzer, article_tone

    src, rng, seen = TextSource(args.seed), random.Random(args.seed), set()
    with tempfile.TemporaryDirectory(prefix="pw-stages-") as tmp:
        for i in range(args.articles):
            Path(tmp, f"a{i:05d}.txt").write_text(dump_text(i, src.article(rng, seen), rng, src), "utf-8")
        arts = [a for d in read_paths([tmp], Settings()) if isinstance(a := to_article(d), Article)]
    words = sum(len(a.body.split()) for a in arts)
    annotate(["Warm-up: the minister said the port would open."])
    analyzer()

    def best(fn) -> float:  # noqa: ANN001
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return min(times)

    flat = [p for a in arts for p in a.paragraphs]
    t_parse = best(lambda: annotate(flat))
    docs_all = annotate(flat)
    docs, i = [], 0
    for a in arts:
        docs.append(docs_all[i : i + len(a.paragraphs)])
        i += len(a.paragraphs)
    analyses = [analyse(a.paragraphs, d) for a, d in zip(arts, docs)]
    stages = {
        "parse": t_parse,
        "quotes": best(lambda: [analyse(a.paragraphs, d) for a, d in zip(arts, docs)]),
        "events": best(lambda: [code_events(a.paragraphs, d, an) for a, d, an in zip(arts, docs, analyses)]),
        "themes": best(lambda: [score_paragraphs(a.paragraphs) for a in arts]),
        "tone": best(lambda: [article_tone(a.paragraphs, [(m.start, m.end, m.actor_id) for m in an.mentions if m.actor_id])
                              for a, an in zip(arts, analyses)]),  # fmt: skip
        "headlines": best(lambda: [headline_quotes(a.title, an) for a, an in zip(arts, analyses)]),
    }
    n = len(arts)
    per = {k: round(v / n * 1000, 2) for k, v in stages.items()}
    base = stages["parse"] + stages["quotes"]
    added = stages["events"] + stages["themes"] + stages["tone"] + stages["headlines"]
    res = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(), "src": src_fingerprint(), "articles": n, "avg_words": round(words / n),
        "ms_per_article": per,
        "events_themes_tone_share": round(added / base, 3),
        "articles_per_s_quotes_only": round(n / base, 1),
        "articles_per_s_all_stages": round(n / (base + added), 1),
        "loadavg": os.getloadavg(),
    }  # fmt: skip
    print(json.dumps(res, indent=2))
    out = Path(args.out)
    out = out / "stages.json" if out.suffix != ".json" else out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
