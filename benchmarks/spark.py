#!/usr/bin/env python3
"""Spark batch extraction against the single-process path, on the same articles.

    .venv/bin/python benchmarks/spark.py [--n 20000] [--modes single,local1,local2] [--out benchmarks/out]

The corpus is JSONL files of 1,000 articles of ~600 words, made deterministically by benchmarks/ingest.py's
``TextSource`` (recombined Wikinews paragraphs when ../shared/corpus/wikinews is present). Each mode runs
in a fresh process over the same files, doing the same work: read, clean, and the full extraction
(mentions, quotes, events, themes, tone), with no store (``polarwatch load`` is measured apart):

- ``single``: ``spark.rows.read_file`` + ``spark.rows.process`` in one Python process, one core;
- ``local1`` / ``local2``: ``polarwatch spark-run --master local[N]``, writing the Parquet tables.

For Spark the wall time is split into the session start (JVM, a few seconds on a quiet machine) and the
job. Modes run in the order given and ``--repeat`` times interleaved, so drift in the machine's load
hits them alike; each result carries the load average. Prints a table and writes ``spark.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))


def build_corpus(folder: Path, n: int, seed: int = 7, per_file: int = 1000) -> int:
    from ingest import TextSource  # benchmarks/ingest.py

    folder.mkdir(parents=True, exist_ok=True)
    src, rng, seen = TextSource(seed), random.Random(seed), set()  # type: ignore[var-annotated]
    for f in range(0, n, per_file):
        with (folder / f"part-{f // per_file:04d}.jsonl").open("w", encoding="utf-8") as fh:
            for i in range(f, min(n, f + per_file)):
                a = src.article(rng, seen)
                rec = {"url": f"https://bench.example/{i}", "title": a["title"], "published": a["date"], "text": "\n".join(a["paragraphs"])}
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return n


def worker(mode: str, corpus: str, out: str) -> dict:
    t0 = time.perf_counter()
    if mode == "single":
        from polarwatch.config import load_settings
        from polarwatch.spark import rows as R

        settings, n = load_settings(), 0
        for f in sorted(Path(corpus).glob("*.jsonl")):
            for table, _ in R.process(R.read_file(str(f), f.read_bytes(), settings)):
                n += table == "articles"
        return {"mode": mode, "articles": n, "seconds": round(time.perf_counter() - t0, 2), "start_seconds": 0.0}
    from polarwatch.spark.job import run, session

    cores = int(mode.removeprefix("local"))
    spark = session(f"local[{cores}]", app=f"bench-{mode}")
    started = time.perf_counter() - t0
    rep = run(corpus, out, spark=spark, partitions=cores * 4)
    spark.stop()
    return {"mode": mode, "articles": rep.articles, "seconds": round(time.perf_counter() - t0, 2), "start_seconds": round(started, 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--modes", default="single,local1,local2")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--out", default=str(HERE / "out"))
    ap.add_argument("--work", help="keep the corpus here (reused when present)")
    ap.add_argument("--worker", nargs=3, metavar=("MODE", "CORPUS", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return
    work = Path(args.work or tempfile.mkdtemp(prefix="pw-spark-bench-"))
    corpus = work / f"corpus-{args.n}"
    if not corpus.is_dir():
        build_corpus(corpus, args.n)
    results = []
    for r in range(args.repeat):
        for mode in args.modes.split(","):
            load = os.getloadavg()[0]
            out = subprocess.run([sys.executable, __file__, "--worker", mode, str(corpus), str(work / f"out-{mode}")],
                                 capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]  # fmt: skip
            res = {**json.loads(out), "repeat": r, "load_before": round(load, 2), "load_after": round(os.getloadavg()[0], 2)}
            res["articles_per_s"] = round(res["articles"] / res["seconds"], 2)
            res["job_articles_per_s"] = round(res["articles"] / (res["seconds"] - res["start_seconds"]), 2)
            results.append(res)
            print(f"{mode:7} {res['articles']:6} articles {res['seconds']:8.1f}s (start {res['start_seconds']:5.1f}s) "
                  f"{res['articles_per_s']:7.2f}/s, job {res['job_articles_per_s']:7.2f}/s  load {res['load_before']}->{res['load_after']}",
                  flush=True)  # fmt: skip
    dest = Path(args.out)
    dest = dest if dest.suffix == ".json" else dest / "spark.json"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps({"n": args.n, "cpus": os.cpu_count(), "results": results}, indent=2) + "\n", "utf-8")
    print(f"written {dest}")


if __name__ == "__main__":
    main()
