#!/usr/bin/env python3
"""Throughput of the extraction stage (mentions, quotes, speakers), alone and end to end, on one and two cores.

    .venv/bin/python benchmarks/nlp.py [--articles 300] [--only MODE,...] [--out benchmarks/out]

The corpus is the ingest benchmark's: unique ~600-word articles recombined
(fixed seed) from the real Wikinews paragraphs in ../shared/corpus/wikinews,
written as plain-text dumps with captions and related-story blocks for the
cleaning to remove. Every mode runs in a fresh process; the model (and, with
two workers, the worker pool) is loaded before timing starts, as a
long-running ingest loads it once. Modes:

  spacy-1             spaCy alone: the shipped pipeline as it loads (thinc's default ops) over the
                      cleaned paragraphs with ``nlp.pipe``, one core: the reference the issue's
                      target is set against
  annotate-1          polarwatch's annotation alone (``parse.annotate``: the same annotations, on
                      numpy's BLAS, with the faster attribute ruler and maxout), one core
  extract-1           extraction alone, one core (the default: every sentence parsed)
  extract-1-filtered  the same, parsing only candidate sentences (POLARWATCH_PARSE_FILTER=1)
  extract-2           extraction alone, two worker processes
  ingest-1        ingest + clean + extraction into a new store, one core
  ingest-2        the same with ``workers=2`` (both cores)

Figures are normalised to 600-word articles (words/s / 600); the summary
gives each mode's speed over spaCy alone's in the same run (``vs_spacy``),
which is what to compare across runs on a shared machine. Each result
records the load average before and after, the CPU time of the process and
its workers, and involuntary context switches: thousands of those mean the
cores were shared with other work, so rerun on a quiet machine. JSON goes to
``--out`` (a folder gets ``nlp.json``).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest import TextSource, dump_text, machine, src_fingerprint  # noqa: E402  (the ingest benchmark's corpus)

MODES = ("spacy-1", "annotate-1", "extract-1", "extract-1-filtered", "extract-2", "ingest-1", "ingest-2")
_MARK = "@@nlp-bench@@"


def build_corpus(folder: Path, n: int, seed: int) -> dict[str, Any]:
    src = TextSource(seed)
    rng = random.Random(seed)
    seen: set[tuple[int, ...]] = set()
    words = 0
    for i in range(n):
        art = src.article(rng, seen)
        words += art["words"]
        (folder / f"a{i:05d}.txt").write_text(dump_text(i, art, rng, src), "utf-8")
    return {"origin": src.origin, "articles": n, "body_words_before_cleaning": words, "seed": seed}


def _usage(pool: Any = None) -> tuple[float, float, int]:
    """(CPU seconds of this process, of the pool's workers, involuntary context switches of all).

    The workers are the fork server's children, not ours, so they are read from /proc while alive.
    """
    me = resource.getrusage(resource.RUSAGE_SELF)
    cpu, ctx = 0.0, me.ru_nivcsw
    procs = getattr(getattr(pool, "_ex", None), "_processes", None) or {}
    for pid in list(procs):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cpu += (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("nonvoluntary_ctxt_switches:"):
                    ctx += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return me.ru_utime + me.ru_stime, cpu, ctx


def _rates(n: int, words: int, seconds: float) -> dict[str, Any]:
    return {
        "articles": n, "avg_words": round(words / max(n, 1)), "seconds": round(seconds, 2),
        "articles_per_s": round(n / seconds, 2), "words_per_s": round(words / seconds),
        "articles_per_s_at_600_words": round(words / seconds / 600, 2),
    }  # fmt: skip


def _clean_articles(folder: str) -> list[Any]:
    from polarwatch.config import Settings
    from polarwatch.ingest import read_paths
    from polarwatch.pipeline import to_article
    from polarwatch.records import Article, RawDoc

    out = []
    for item in read_paths([folder], Settings()):
        if isinstance(item, RawDoc) and isinstance(art := to_article(item), Article):
            out.append(art)
    return out


def _warm(workers: int, full: bool) -> Any:
    """Load the model (or start the pool and load it in every worker) before timing."""
    from polarwatch.nlp import analyse_batch

    if workers == 1:
        analyse_batch([["Warm-up: the minister said the port would open."]], full_parse=full)
        return None
    from polarwatch.nlp.pool import ExtractPool

    sink: list[Any] = []
    pool = ExtractPool(workers, on_done=lambda keys, ans: sink.extend(zip(keys, ans)), full_parse=full)
    pool.warm_up()
    return pool, sink


def worker(mode: str, args: dict[str, Any]) -> dict[str, Any]:
    kind, n = mode.split("-")[0], int(mode.split("-")[1])
    full = not mode.endswith("-filtered")
    os.environ["POLARWATCH_PARSE_FILTER"] = "0" if full else "1"
    if n == 1:
        os.sched_setaffinity(0, {0})
    res: dict[str, Any] = {"mode": mode, "workers": n, "full_parse": full, "cores": sorted(os.sched_getaffinity(0))}
    if kind in ("spacy", "annotate"):
        from polarwatch.nlp import parse
        from polarwatch.nlp.model import load_model

        arts = _clean_articles(args["corpus"])
        words = sum(len(a.body.split()) for a in arts)
        texts = [p for a in arts for p in a.paragraphs]
        model = load_model() if kind == "spacy" else None
        run = (lambda ts: list(model.pipe(ts, batch_size=64))) if model is not None else (lambda ts: parse.annotate(ts, full=True))
        run(texts[:20])  # warm: first batches build caches
        load0, (cpu0, kid0, ctx0) = os.getloadavg()[0], _usage()
        t0 = time.perf_counter()
        for i in range(0, len(texts), 2000):
            run(texts[i : i + 2000])
        dt = time.perf_counter() - t0
        cpu1, kid1, ctx1 = _usage()
        out = arts
    elif kind == "extract":
        from polarwatch.nlp import analyse_batch

        arts = _clean_articles(args["corpus"])
        words = sum(len(a.body.split()) for a in arts)
        warm = _warm(n, full)
        pool = warm[0] if warm is not None else None
        load0, (cpu0, kid0, ctx0) = os.getloadavg()[0], _usage(pool)
        t0 = time.perf_counter()
        if warm is None:
            out = [an for i in range(0, len(arts), 200) for an in analyse_batch([a.paragraphs for a in arts[i : i + 200]])]
        else:
            sink = warm[1]
            pool.submit(list(range(len(arts))), [a.paragraphs for a in arts])
            pool.drain()
            out = [an for _, an in sink]
        dt = time.perf_counter() - t0
        cpu1, kid1, ctx1 = _usage(pool)
        if pool is not None:
            pool.close()
        res["quotes"] = sum(len(a.quotes) for a in out)
        res["mentions"] = sum(len(a.mentions) for a in out)
        if not full:
            from polarwatch.nlp import parse

            docs = parse.annotate([p for a in arts for p in a.paragraphs], full=False)
            res["parsed_token_share"] = round(sum(1 for d in docs for t in d if t.tag_) / max(1, sum(len(d) for d in docs)), 3)
    else:
        from polarwatch.config import load_settings
        from polarwatch.pipeline import Extractor, ingest
        from polarwatch.store import open_store

        db = str(Path(args["tmp"]) / f"{mode}.db")
        store = open_store(db)
        ex = Extractor(store, n)
        if ex.pool is not None:
            ex.pool.warm_up()
        else:
            _warm(1, full)
        load0, (cpu0, kid0, ctx0) = os.getloadavg()[0], _usage(ex.pool)
        t0 = time.perf_counter()
        rep = ingest([args["corpus"]], store, load_settings(db=db, workers=n), extractor=ex)
        dt = time.perf_counter() - t0
        cpu1, kid1, ctx1 = _usage(ex.pool)
        ex.close()
        words = sum(len(sa.article.body.split()) for aid in rep.new_ids if (sa := store.get_article(aid)) is not None)
        res["failed"] = len(rep.failed)
        store.close()
        with sqlite3.connect(db) as conn:
            res["quotes"] = conn.execute("SELECT count(*) FROM quotes").fetchone()[0]
            res["mentions"] = conn.execute("SELECT count(*) FROM mentions").fetchone()[0]
        out = rep.new_ids
    res.update(_rates(len(out), words, dt))
    res["loadavg_1min_before_after"] = [round(load0, 2), round(os.getloadavg()[0], 2)]
    res["cpu_s_main"] = round(cpu1 - cpu0, 2)
    res["cpu_s_workers"] = round(kid1 - kid0, 2)
    res["involuntary_context_switches"] = ctx1 - ctx0
    return res


def run(mode: str, args: dict[str, Any]) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", mode, "--worker-args", json.dumps(args)]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"mode {mode} failed (exit {proc.returncode})")
    line = next(ln for ln in reversed(proc.stdout.splitlines()) if ln.startswith(_MARK))
    return json.loads(line[len(_MARK) :])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=300, help="articles of ~600 words (default 300)")
    ap.add_argument("--only", default=",".join(MODES), help=f"comma-separated modes of {', '.join(MODES)}")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "out"), help="a .json path or a folder (gets nlp.json)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--worker-args", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(_MARK + json.dumps(worker(args.worker, json.loads(args.worker_args))), flush=True)
        return 0
    modes = [m.strip() for m in args.only.split(",") if m.strip()]
    if bad := [m for m in modes if m not in MODES]:
        raise SystemExit(f"unknown mode(s): {', '.join(bad)}")
    out = Path(args.out)
    out = out if out.suffix == ".json" else out / "nlp.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with tempfile.TemporaryDirectory(prefix="polarwatch-nlp-bench-") as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        info = build_corpus(corpus, args.articles, args.seed)
        results: dict[str, Any] = {
            "started_utc": started, "command": " ".join([Path(sys.executable).name, *sys.argv]),
            "machine": machine(), "src_sha256": src_fingerprint(), "corpus": info,
            # the parser's speed depends on how the wheel was compiled (docs/benchmarks.md, session 10)
            "versions": {p: importlib.metadata.version(p) for p in ("spacy", "thinc", "numpy")}, "modes": {},
        }  # fmt: skip
        for mode in modes:
            r = run(mode, {"corpus": str(corpus), "tmp": tmp})
            results["modes"][mode] = r
            print(f"{mode:18} {r['articles_per_s_at_600_words']:6.2f} articles/s at 600 words  "
                  f"({r['articles']} articles, {r['avg_words']} words avg, {r['seconds']} s, "
                  f"load {r['loadavg_1min_before_after']}, {r['involuntary_context_switches']} invol. ctx sw)", flush=True)  # fmt: skip
            out.write_text(json.dumps(results, indent=1) + "\n")
    m = results["modes"]
    if "spacy-1" in m:
        base = m["spacy-1"]["articles_per_s_at_600_words"]
        results["vs_spacy"] = {k: round(r["articles_per_s_at_600_words"] / base, 2) for k, r in m.items()}
        print("speed over spaCy alone in this run:", ", ".join(f"{k} {v}" for k, v in results["vs_spacy"].items()))
    for a, b, name in (("extract-1", "extract-1-filtered", "filter_speedup"), ("extract-1", "extract-2", "extract_two_core_speedup"),
                       ("ingest-1", "ingest-2", "ingest_two_core_speedup")):  # fmt: skip
        if a in m and b in m:
            results[name] = round(m[b]["articles_per_s_at_600_words"] / m[a]["articles_per_s_at_600_words"], 2)
            print(f"{name}: {results[name]}")
    out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
