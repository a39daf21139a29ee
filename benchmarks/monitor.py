#!/usr/bin/env python3
"""Monitor benchmark: poll cycles against a loopback server of many feeds.

    .venv/bin/python benchmarks/monitor.py [--feeds 200] [--entries 50] [--hosts 20]
        [--teaser-feeds 40] [--teaser-entries 25] [--nlp-feeds 6] [--idle 20] [--out benchmarks/out]

A server process (so its CPU is not the monitor's) serves ``--feeds`` RSS
feeds of ``--entries`` entries each, spread over ``--hosts`` loopback
addresses (127.0.0.1, 127.0.0.2, ...: the per-host limits apply as they would
to real outlets), with ETags, and an HTML page per entry. Nothing leaves
loopback: the monitor runs with the fetcher's loopback-only guard. Text is
generated (fixed seed), ~300 words per article, every article distinct.

Measured, each in a fresh store, in this process:

1. cold cycle, full-text feeds, no NLP: every feed fetched and parsed, every
   entry stored (fetch + parse + clean + store, no page fetches);
2. unchanged cycle: the same feeds again, forced: every request a conditional
   GET answered 304;
3. cold cycle, teaser feeds (summary only), no NLP: ``--teaser-feeds`` x
   ``--teaser-entries`` pages fetched and extracted (trafilatura);
4. cold cycle with NLP: ``--nlp-feeds`` x ``--entries`` full-text entries
   through the whole pipeline (extraction, events, themes, stories);
5. idle: the monitor's ``run`` loop between cycles for ``--idle`` seconds,
   CPU seconds used by this process while waiting.

Wall time, CPU time of this process (``time.process_time``: all its threads)
and requests are reported per mode. The machine is shared: figures vary with
its load (printed with each run).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

WORDS = ("ice shipping route port council minister treaty patrol vessel research station fishing quota pipeline gas oil "
         "radar satellite base exercise navy coast guard cable harbour tundra permafrost reindeer herders village mayor "
         "budget plan agreement talks delegation summit observer council border crossing sanctions cargo convoy").split()  # fmt: skip
NAMES = ("Svalbard Murmansk Nuuk Tromsø Iqaluit Kirkenes Utqiagvik Longyearbyen Arkhangelsk Reykjavík Bodø Yellowknife "
         "Norway Russia Canada Denmark Finland Sweden Iceland Greenland China").split()  # fmt: skip


def article(rng: random.Random, n: int, words: int = 300) -> tuple[str, list[str]]:
    title = f"{rng.choice(NAMES)} {rng.choice(WORDS)} {rng.choice(WORDS)} plan {n} moves ahead"
    paras, count = [], 0
    while count < words:
        sent = []
        for _ in range(3):
            w = [rng.choice(WORDS) for _ in range(rng.randint(8, 16))]
            w.insert(rng.randint(0, len(w)), rng.choice(NAMES))
            sent.append(" ".join(w).capitalize() + f" {n}.")
        paras.append(" ".join(sent))
        count += sum(len(s.split()) for s in sent)
    return title, paras


def build_site(feeds: int, entries: int, hosts: int, teaser: bool, port: int, seed: int) -> dict[str, bytes]:
    """Every path the server answers: /feed/I.xml and /news/I/J, for host I % hosts."""
    rng = random.Random(seed)
    out: dict[str, bytes] = {}
    for i in range(feeds):
        host = f"127.0.0.{i % hosts + 1}"
        items = []
        for j in range(entries):
            title, paras = article(rng, i * 1000 + j)
            link = f"http://{host}:{port}/news/{i}/{j}"
            html = "".join(f"<p>{escape(p)}</p>" for p in paras)
            out[f"/news/{i}/{j}"] = (f"<!doctype html><html><head><title>{escape(title)}</title></head><body><article>"
                                     f"<h1>{escape(title)}</h1>{html}</article></body></html>").encode()  # fmt: skip
            content = "" if teaser else f"<content:encoded><![CDATA[{html}]]></content:encoded>"
            items.append(f"<item><title>{escape(title)}</title><link>{link}</link><guid>{link}</guid>"
                         f"<pubDate>Tue, 18 Nov 2025 10:{j % 60:02d}:00 GMT</pubDate>"
                         f"<description>{escape(paras[0][:200])}</description>{content}</item>")  # fmt: skip
        out[f"/feed/{i}.xml"] = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
                                 'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
                                 f"<title>Bench feed {i}</title><link>http://{host}/</link><description>d</description>"
                                 + "".join(items) + "</channel></rss>").encode()  # fmt: skip
    return out


def serve(paths: dict[str, bytes], hosts: int, port: int, ready: mp.Event, stop: mp.Event) -> None:  # type: ignore[valid-type]
    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            body = paths.get(self.path)
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            etag = f'"{hash(body) & 0xFFFFFFFF:x}"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml" if self.path.endswith(".xml") else "text/html; charset=utf-8")
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    servers = []
    for h in range(hosts):
        s = ThreadingHTTPServer((f"127.0.0.{h + 1}", port), H)
        s.daemon_threads = True
        threading.Thread(target=s.serve_forever, args=(0.2,), daemon=True).start()
        servers.append(s)
    ready.set()
    stop.wait()
    for s in servers:
        s.shutdown()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, feeds: int, entries: int, hosts: int, teaser: bool, seed: int = 7) -> None:
        self.port = free_port()
        self.hosts = min(hosts, feeds)
        paths = build_site(feeds, entries, self.hosts, teaser, self.port, seed)
        self.ready, self.stop = mp.Event(), mp.Event()
        self.proc = mp.Process(target=serve, args=(paths, self.hosts, self.port, self.ready, self.stop), daemon=True)
        self.proc.start()
        if not self.ready.wait(60):
            raise RuntimeError("benchmark server did not start")
        self.feeds = feeds

    def urls(self) -> list[str]:
        return [f"http://127.0.0.{i % self.hosts + 1}:{self.port}/feed/{i}.xml" for i in range(self.feeds)]

    def close(self) -> None:
        self.stop.set()
        self.proc.join(10)


def make_monitor(db: str, server: Server, nlp: bool, concurrency: int, interval: float = 3600.0):  # noqa: ANN201
    from polarwatch.monitor import FetchPolicy, Monitor, MonitorState, add_source
    from polarwatch.store import open_store

    store = open_store(db)
    st = MonitorState(store)
    ids = set()
    for i, url in enumerate(server.urls()):
        add_source(st, url, "feed", f"bench-{i}")
        ids.add(f"bench-{i}")
    policy = FetchPolicy(timeout=30, host_interval=0.0, host_concurrency=2, retries=1, backoff=0.5, loopback_only=True)
    return store, Monitor(store, policy=policy, nlp=nlp, interval=interval, concurrency=concurrency, only=ids)


def timed(fn, *a, **kw):  # noqa: ANN001, ANN002, ANN003, ANN201
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn(*a, **kw)
    return out, round(time.perf_counter() - w0, 2), round(time.process_time() - c0, 2)


def row(name: str, rep, wall: float, cpu: float, **extra: object) -> dict:  # noqa: ANN001
    d = {"mode": name, "wall_s": wall, "cpu_s": cpu, "requests": rep.requests if rep else 0,
         "articles_new": rep.articles_new if rep else 0, "not_modified": rep.not_modified if rep else 0,
         "errors": (len(rep.source_errors) + len(rep.page_errors)) if rep else 0, **extra}  # fmt: skip
    print(json.dumps(d), flush=True)
    return d


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--feeds", type=int, default=200)
    ap.add_argument("--entries", type=int, default=50)
    ap.add_argument("--hosts", type=int, default=20)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--teaser-feeds", type=int, default=40)
    ap.add_argument("--teaser-entries", type=int, default=25)
    ap.add_argument("--nlp-feeds", type=int, default=6)
    ap.add_argument("--idle", type=float, default=20.0)
    ap.add_argument("--only", default="cold,unchanged,teaser,nlp,idle")
    ap.add_argument("--out", default="benchmarks/out")
    args = ap.parse_args()
    only = set(args.only.split(","))
    results: list[dict] = []
    info = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "cpus": os.cpu_count(), "load": os.getloadavg()}
    print(json.dumps(info), flush=True)
    work = tempfile.mkdtemp(prefix="pw-monitor-bench-")

    if only & {"cold", "unchanged", "idle"}:
        srv = Server(args.feeds, args.entries, args.hosts, teaser=False)
        store, mon = make_monitor(f"{work}/cold.db", srv, nlp=False, concurrency=args.concurrency, interval=3600)
        try:
            rep, wall, cpu = timed(mon.cycle)
            results.append(row(f"cold cycle, {args.feeds} full-text feeds x {args.entries}, no NLP", rep, wall, cpu,
                               articles_per_s=round(rep.articles_new / wall, 1)))  # fmt: skip
            rep, wall, cpu = timed(mon.cycle, force=True)
            results.append(row(f"unchanged cycle, {args.feeds} feeds, all 304", rep, wall, cpu))
            if "idle" in only:
                stop = threading.Event()
                t = threading.Thread(target=mon.run, kwargs={"stop": stop})
                c0 = time.process_time()
                w0 = time.perf_counter()
                t.start()
                time.sleep(1.0)  # the run loop's first pass: nothing is due
                c1, w1 = time.process_time(), time.perf_counter()
                time.sleep(args.idle)
                idle_cpu = time.process_time() - c1
                idle_wall = time.perf_counter() - w1
                stop.set()
                t.join(10)
                results.append({"mode": f"idle between cycles ({idle_wall:.0f} s)", "cpu_s": round(idle_cpu, 4),
                                "cpu_per_idle_s": round(idle_cpu / idle_wall, 6),
                                "first_pass_cpu_s": round(c1 - c0, 3), "first_pass_wall_s": round(w1 - w0, 2)})  # fmt: skip
                print(json.dumps(results[-1]), flush=True)
        finally:
            mon.close()
            store.close()
            srv.close()

    def one_cycle(name: str, feeds: int, entries: int, teaser: bool, nlp: bool, seed: int) -> None:
        srv = Server(feeds, entries, args.hosts, teaser=teaser, seed=seed)
        store, mon = make_monitor(f"{work}/{seed}.db", srv, nlp=nlp, concurrency=args.concurrency)
        try:
            if nlp:  # load the models outside the timing, as a running monitor has them loaded
                from polarwatch import nlp as _nlp

                _nlp.analyse_batch([["Warm-up sentence about Norway."]], titles=["Warm-up"])
            rep, wall, cpu = timed(mon.cycle)
            results.append(row(name, rep, wall, cpu, pages=rep.pages_fetched, articles_per_s=round(rep.articles_new / wall, 1)))
        finally:
            mon.close()
            store.close()
            srv.close()

    if "teaser" in only:
        one_cycle(f"cold cycle, {args.teaser_feeds} teaser feeds x {args.teaser_entries} (pages fetched), no NLP",
                  args.teaser_feeds, args.teaser_entries, teaser=True, nlp=False, seed=11)  # fmt: skip
    if "nlp" in only:
        one_cycle(f"cold cycle with NLP, {args.nlp_feeds} full-text feeds x {args.entries}", args.nlp_feeds, args.entries,
                  teaser=False, nlp=True, seed=13)  # fmt: skip

    out = Path(args.out)
    out = out if out.suffix == ".json" else out / "monitor.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"info": info, "results": results}, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
