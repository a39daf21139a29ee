#!/usr/bin/env python3
"""Story clustering at scale: 100,000 articles placed incrementally, as the ingest places them.

    .venv/bin/python benchmarks/stories.py [--articles 100000] [--batch 200] [--out benchmarks/out]

The corpus is generated here, deterministically (fixed seed), with no
network and no spaCy: the extraction records the clusterer reads (``Mention``
and ``Event``) are built directly from what the generator put in each text,
so only the clustering step is measured. The generator:

* draws story sizes from a power law (most stories one or two articles, a few
  of 50 and more) and story start dates uniformly over ``--days`` days;
* gives each story a kind (one of ``--kinds`` event kinds, each with its own
  topic words, so two stories of one kind share their vocabulary: the hard
  case), two actors from the registry (``data/actors.csv``), a place and
  people with generated names, and numbers;
* writes each article of a story from a Zipfian vocabulary (the words of
  the Wikinews CSVs in ``../shared/corpus/wikinews/data``, ranked by
  frequency; generated words when absent) mixed with the kind's topic words
  and the story's names, dated a few days after the story starts, from an
  outlet of the registry (``data/outlets.csv``); titles and bodies are
  unique, ~300-600 words;
* lets the articles arrive in date order with a few days of jitter, in
  batches of ``--batch`` (the pipeline's single-process batch is 200, the
  worker pool's chunk 24).

Each batch is stored (``put_articles``, not timed) and then placed through
``stories.service.assign_stories`` — the function the pipeline calls after
storing analyses — which is timed: articles/s is over that call alone, by
the wall clock and by this process's CPU time (the latter is what to compare
on a shared machine: other processes' load stretches the wall clock, not it;
the load average is recorded at each checkpoint).
Memory is taken at each checkpoint (10k/25k/50k/100k by default): peak RSS
(``ru_maxrss``) and current RSS; with ``--tracemalloc`` (a second, slower
pass) Python's traced current and peak allocations. At the end the
clustering is scored against the generator's stories (B-cubed, ARI) as a
check that speed was not bought with quality.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import random
import re
import resource
import sys
import tempfile
import time
import tracemalloc
from bisect import bisect
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from itertools import accumulate
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest import machine, src_fingerprint  # noqa: E402

WIKINEWS = ROOT.parent / "shared" / "corpus" / "wikinews" / "data"
DATA = ROOT / "src" / "polarwatch" / "data"
EVENT_TYPES = ("AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "REQUEST", "ACCUSE", "REJECT", "THREATEN",
               "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT", "MONITOR")  # fmt: skip
SYLLABLES = ("ka ri mo sen tal vor ni lek as tor ul pa dre hav in ost mar gen bor li na ek us ver sk an"
             " ter lo fin ha ru de ja vik ol ne be ga").split()  # fmt: skip


def _vocabulary(rng: random.Random) -> list[str]:
    """Lower-case words ranked by frequency: Wikinews when present, else generated words (ranked at random)."""
    counts: Counter[str] = Counter()
    for f in sorted(WIKINEWS.glob("*.csv")) if WIKINEWS.is_dir() else []:
        with open(f, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                counts.update(w for w in re.findall(r"[a-z]{3,}", (row.get("text") or "")))
    if len(counts) >= 5000:
        return [w for w, _ in counts.most_common()]
    words = {"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(40_000)}
    return sorted(words, key=lambda _: rng.random())


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


@dataclass(slots=True)
class Plan:
    """One generated story: what every article of it is written from."""

    id: int
    kind: int
    start: date
    size: int
    actors: list[dict[str, str]]
    place: str
    people: list[str]
    numbers: list[str]
    own_words: list[str]
    etype: str
    dates: list[date] = field(default_factory=list)


class Corpus:
    """Deterministic synthetic news: story plans, their articles' arrival order, and each article on demand."""

    def __init__(self, n: int, seed: int, days: int, kinds: int) -> None:
        self.rng = rng = random.Random(seed)
        self.vocab = _vocabulary(rng)
        # Zipf (s = 1.05) over the ranked vocabulary; cum_weights once, so a draw is a bisect.
        self.cum = list(accumulate(1.0 / (r + 1) ** 1.05 for r in range(len(self.vocab))))
        with open(DATA / "actors.csv", encoding="utf-8", newline="") as fh:
            self.actors = [r for r in csv.DictReader(fh) if r["name"]]
        with open(DATA / "outlets.csv", encoding="utf-8", newline="") as fh:
            self.outlets = [r for r in csv.DictReader(fh)]
        mid = self.vocab[300:6000]
        self.kind_words = [rng.sample(mid, 14) for _ in range(kinds)]
        self.kind_types = [rng.choice(EVENT_TYPES) for _ in range(kinds)]
        self.start = date(2022, 1, 1)
        self.plans: list[Plan] = []
        total = 0
        while total < n:
            size = min(n - total, max(1, int(rng.paretovariate(1.3))), 120)
            self.plans.append(self._plan(len(self.plans) + 1, size, days, kinds))
            total += size

    def _plan(self, sid: int, size: int, days: int, kinds: int) -> Plan:
        rng = self.rng
        p = Plan(
            sid, rng.randrange(kinds), self.start + timedelta(days=rng.randrange(days)), size,
            rng.sample(self.actors, 2), _name(rng) + rng.choice(("", " Bay", "sk", " Island", "vik")),
            [f"{_name(rng)} {_name(rng)}" for _ in range(rng.randint(1, 3))],
            [str(rng.randint(2, 950)) for _ in range(3)],
            rng.sample(self.vocab[2000:30000], 6), "",
        )  # fmt: skip
        p.etype = self.kind_types[p.kind]
        # Most reports within days of the event, a tail of follow-ups up to three weeks on.
        p.dates = sorted(p.start + timedelta(days=min(21, int(rng.expovariate(0.45)))) for _ in range(size))
        return p

    def _words(self, k: int) -> list[str]:
        rng, cum, vocab = self.rng, self.cum, self.vocab
        top = cum[-1]
        return [vocab[bisect(cum, rng.random() * top)] for _ in range(k)]

    def _sentence(self, p: Plan, names: list[str]) -> str:
        rng = self.rng
        words = self._words(rng.randint(12, 24))
        topic = self.kind_words[p.kind]
        for _ in range(rng.randint(1, 3)):
            words.insert(rng.randrange(1, len(words) + 1), rng.choice(topic))
        if rng.random() < 0.5:
            words.insert(rng.randrange(1, len(words) + 1), rng.choice(p.own_words))
        for _ in range(rng.choice((0, 1, 1, 2))):
            words.insert(rng.randrange(1, len(words) + 1), rng.choice(names))
        if rng.random() < 0.3:
            words.insert(rng.randrange(1, len(words) + 1), rng.choice(p.numbers))
        words[0] = words[0].capitalize()
        return " ".join(words) + "."

    def _article(self, p: Plan, n: int, day: date) -> tuple[Any, Any]:
        from polarwatch.identity import content_hash
        from polarwatch.records import Article, Event, Mention, Outlet, Source

        rng = self.rng
        a1, a2 = p.actors
        names = [a1["name"], a2["name"], p.place, *p.people]
        paras = [" ".join(self._sentence(p, names) for _ in range(rng.randint(3, 5))) for _ in range(rng.randint(4, 6))]
        paras[0] = f"{p.place} — " + paras[0]
        title = f"{a1['name']} {rng.choice(self.kind_words[p.kind])} {p.place} {' '.join(self._words(3))}"
        o = rng.choice(self.outlets)
        outlet = Outlet(o["domains"].split("|")[0], o["name"], o["country"] or None, o["kind"], o["language"])
        aid = f"s{p.id:06d}-{n:03d}"
        art = Article(aid, content_hash([title, *paras]), title, paras, [], "", "bench", [Source("bench", aid)],
                      url=f"https://{outlet.domain}/{aid}", published=str(day), outlet=outlet)  # fmt: skip
        mentions = [Mention(0, 1, a["name"], a["type"], a["id"], a["name"], a["country"] or None) for a in (a1, a2)]
        mentions += [Mention(0, 1, who, "person", "article:" + who.lower().replace(" ", "-"), who) for who in p.people[:2]]
        events = [Event(p.etype, None, "x", 0, 1, 0, 1, a1["id"], a1["name"], a1["country"] or None, None,
                        a2["id"], a2["name"], a2["country"] or None)] if rng.random() < 0.6 else []  # fmt: skip
        return art, _Analysis(mentions, events)

    def arrivals(self) -> list[tuple[date, int, int, int]]:
        """Every article as (arrival day, story id, its number in the story, its seed), in arrival order: its
        date plus 0-3 days of delay. The texts are written batch by batch (``article``), so the corpus is
        never all in memory and the process's memory is the clusterer's."""
        out = []
        for p in self.plans:
            for n, day in enumerate(p.dates):
                out.append((day + timedelta(days=self.rng.randint(0, 3)), p.id, n, self.rng.randrange(2**32)))
        out.sort()
        return out

    def article(self, sid: int, n: int, seed: int) -> tuple[Any, Any]:
        self.rng.seed(seed)
        p = self.plans[sid - 1]
        return self._article(p, n, p.dates[n])


@dataclass(slots=True)
class _Analysis:
    mentions: list[Any]
    events: list[Any]


def _rss() -> tuple[float, float]:
    """(current, peak) resident set size in MB."""
    cur = 0.0
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                cur = int(line.split()[1]) / 1024
    return round(cur, 1), round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run(args: argparse.Namespace, traced: bool, prof: Any = None) -> dict[str, Any]:
    """Generate, store and place the corpus; *prof* (a ``cProfile.Profile``) is enabled around the placement
    calls only, from ``--profile-after`` articles on."""
    from polarwatch.stories.metrics import adjusted_rand, bcubed
    from polarwatch.stories.service import assign_stories
    from polarwatch.store import open_store

    t0 = time.perf_counter()
    corpus = Corpus(args.articles, args.seed, args.days, args.kinds)
    order = corpus.arrivals()
    plan_s = time.perf_counter() - t0
    checkpoints = sorted({c for c in args.checkpoints if c <= len(order)} | {len(order)})
    points: list[dict[str, Any]] = []
    placed = 0
    place_s = place_cpu = store_s = gen_s = 0.0
    last_t, last_c, last_n = 0.0, 0.0, 0
    with tempfile.TemporaryDirectory(prefix="pw-stories-", dir=args.tmp) as tmp:
        store = open_store(str(Path(tmp) / "bench.db"))
        gc.collect()
        if traced:
            tracemalloc.start()
        for i in range(0, len(order), args.batch):
            t = time.perf_counter()
            chunk = [corpus.article(sid, n, seed) for _, sid, n, seed in order[i : i + args.batch]]
            gen_s += time.perf_counter() - t
            t = time.perf_counter()
            store.put_articles([c[0] for c in chunk])
            store_s += time.perf_counter() - t
            profiling = prof is not None and i >= args.profile_after
            if profiling:
                prof.enable()
            t, c0 = time.perf_counter(), time.process_time()
            placed += assign_stories(store, [c[0].id for c in chunk], [c[1] for c in chunk])
            place_s += time.perf_counter() - t
            place_cpu += time.process_time() - c0
            if profiling:
                prof.disable()
            del chunk
            done = min(i + args.batch, len(order))
            if checkpoints and done >= checkpoints[0]:
                checkpoints.pop(0)
                cur, peak = _rss()
                pt = {"articles": done, "rss_mb": cur, "peak_rss_mb": peak, "place_s": round(place_s, 2),
                      "place_cpu_s": round(place_cpu, 2), "articles_per_s": round(done / place_s, 1),
                      "articles_per_cpu_s": round(done / place_cpu, 1),
                      "articles_per_s_since_last": round((done - last_n) / (place_s - last_t), 1),
                      "articles_per_cpu_s_since_last": round((done - last_n) / (place_cpu - last_c), 1),
                      "load": round(os.getloadavg()[0], 1)}  # fmt: skip
                if traced:
                    tc, tp = tracemalloc.get_traced_memory()
                    pt.update(traced_mb=round(tc / 2**20, 1), traced_peak_mb=round(tp / 2**20, 1))
                last_t, last_c, last_n = place_s, place_cpu, done
                points.append(pt)
                print(json.dumps(pt), file=sys.stderr, flush=True)
        if traced:
            tracemalloc.stop()
        of = dict(store.db.execute("SELECT a.id, s.story_id FROM story_articles s JOIN articles a ON a.rowid = s.article_rowid"))
        db_mb = round((Path(tmp) / "bench.db").stat().st_size / 2**20, 1)
        n_stories = store.db.execute("SELECT COUNT(*) FROM stories").fetchone()[0]
        store.close()
    gold = [sid for _, sid, _, _ in order]
    pred = [of.get(f"s{sid:06d}-{n:03d}", -1) for _, sid, n, _ in order]
    b = bcubed(gold, pred)
    return {
        "articles": len(order), "placed": placed, "batch": args.batch, "gold_stories": len(corpus.plans),
        "stories": n_stories, "plan_s": round(plan_s, 1), "generate_s": round(gen_s, 1), "store_s": round(store_s, 1),
        "place_s": round(place_s, 2), "articles_per_s": round(len(order) / place_s, 1),
        "place_cpu_s": round(place_cpu, 2), "articles_per_cpu_s": round(len(order) / place_cpu, 1),
        "bcubed": {k: round(v, 4) for k, v in b.items()}, "ari": round(adjusted_rand(gold, pred), 4),
        "db_mb": db_mb, "tracemalloc": traced, "checkpoints": points,
    }  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--batch", type=int, default=200)
    ap.add_argument("--days", type=int, default=1095, help="the span of story start dates")
    ap.add_argument("--kinds", type=int, default=60, help="event kinds (stories of one kind share topic words)")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--checkpoints", type=lambda s: [int(x) for x in s.split(",")], default=[10_000, 25_000, 50_000])
    ap.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations (slower)")
    ap.add_argument("--profile", help="write a cProfile of the placement calls (not generation or storing) to this path")
    ap.add_argument("--profile-after", type=int, default=0, help="start the profile once this many articles are placed")
    ap.add_argument("--tmp", default=None, help="where the temporary store goes")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "out"))
    args = ap.parse_args()
    source = src_fingerprint()  # before the run: the tree may change while it runs, the imported code does not
    if args.profile:
        import cProfile

        prof = cProfile.Profile()
        res = run(args, args.tracemalloc, prof)
        prof.dump_stats(args.profile)
    else:
        res = run(args, args.tracemalloc)
    res = {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": machine(),
           "source": source, "args": {k: v for k, v in vars(args).items() if k not in ("out", "tmp")}, **res}
    out = Path(args.out)
    if out.suffix != ".json":
        out.mkdir(parents=True, exist_ok=True)
        out = out / f"stories-{args.articles}{'-traced' if args.tracemalloc else ''}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=1) + "\n", "utf-8")
    print(json.dumps({k: v for k, v in res.items() if k not in ("machine", "checkpoints")}))
    for pt in res["checkpoints"]:
        print(pt)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
