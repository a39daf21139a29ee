"""REST API latency: p50/p95 of the main endpoints over a 100,000-article store, 20 concurrent clients.

    .venv/bin/python benchmarks/api.py [--articles 100000] [--db /tmp/pw-api-bench.db] [--requests 200]

Builds (once; reused when the file exists with enough articles) a synthetic store written directly through
the store's own writers — articles with outlets from the registry, mentions, quotes, events, themes, tone
and stories, no spaCy — then starts ``polarwatch serve`` on loopback and sends each endpoint's requests
from 20 concurrent keep-alive connections (a minimal HTTP/1.1 client, see Connection). Targets: p95 < 100 ms
for list/search, < 300 ms for compare/network.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
WORDS = ("icebreaker route shipping cargo convoy tanker port harbour fleet submarine patrol exercise drills radar base "
         "sanctions talks minister council treaty fisheries quota cod trawler seabed minerals mine licence gas LNG oil "
         "pipeline research station expedition satellite jamming signal navigation coast guard border island strait "
         "ice melt climate permafrost indigenous reindeer herders community sovereignty claim shelf investment loan "
         "cooperation rivalry warning protest agreement inspection surveillance airspace bomber intercept").split()  # fmt: skip
ACTORS = ["ru", "cn", "us", "no", "ca", "dk", "fi", "se", "is", "gl", "nato", "arctic-council", "rosatom", "putin",
          "peskov", "lavrov", "northern-fleet", "us-navy", "pentagon", "nordic-council", "eu", "gazprom", "novatek", "jp",
          "kr", "in", "de", "gb", "fr", "uk-mod"]  # fmt: skip


def vocabulary(rng: random.Random, size: int = 4000) -> tuple[list[str], list[float]]:
    """Words and cumulative weights: Zipf-like (weight 1/rank) over *size* made-up words with the Arctic
    terms spread over ranks 10 to 1,000, so a searched term is in a realistic share of the articles."""
    syll = ["ka", "ro", "vin", "sel", "dor", "mar", "tu", "lek", "sa", "nor", "bi", "gan", "zu", "pel", "ost", "rin"]
    words = list(dict.fromkeys(rng.choice(syll) + rng.choice(syll) + rng.choice(syll) for _ in range(size * 2)))[:size]
    for k, w in enumerate(WORDS):
        words.insert(10 + k * 990 // len(WORDS), w)
    cum, total = [], 0.0
    for rank in range(len(words)):
        total += 1.0 / (rank + 1)
        cum.append(total)
    return words, cum


TYPES = ("COOPERATE", "CONSULT", "ACCUSE", "THREATEN", "MOBILIZE", "AGREE", "REJECT", "SANCTION", "MONITOR", "SUPPORT")


def build(path: str, n: int, seed: int = 7) -> None:
    from polarwatch.nlp.actors import registry as actor_registry
    from polarwatch.nlp.quotes import Analysis
    from polarwatch.outlets import registry as outlet_registry
    from polarwatch.records import Article, Event, Mention, Quote, Source
    from polarwatch.store.sqlite import SQLiteStore
    from polarwatch.themes import ThemeScore, taxonomy
    from polarwatch.tone import ActorTone, ArticleTone

    rng = random.Random(seed)
    vocab, cum = vocabulary(random.Random(seed + 1))
    reg = actor_registry().actors
    actors = [reg[a] for a in ACTORS if a in reg] or list(reg.values())[:30]
    outlets = list(outlet_registry())
    themes = [t.id for t in taxonomy().themes] if hasattr(taxonomy(), "themes") else list(taxonomy().by_id)
    start = date(2024, 1, 1)
    store = SQLiteStore(path)
    have = store.count()
    batch, story = 500, None
    t0 = time.perf_counter()
    for b in range(have, n, batch):
        arts, ans = [], []
        for i in range(b, min(b + batch, n)):
            o = outlets[int(rng.paretovariate(1.2)) % len(outlets)]
            who = [actors[min(int(rng.expovariate(0.25)), len(actors) - 1)] for _ in range(8)]
            paras, mentions, spans = [], [], []
            pos = 0
            for p in range(6):
                a = who[p]
                words = rng.choices(vocab, cum_weights=cum, k=40)
                text = f"{a.name} " + " ".join(words) + "."
                mentions.append(Mention(pos, pos + len(a.name), a.name, a.type, a.id, a.name, a.country, "registry"))
                spans.append((pos, pos + len(text)))
                paras.append(text)
                pos += len(text) + 2
            body = "\n\n".join(paras)
            quotes = [Quote(spans[k][0] + len(who[k].name) + 1, spans[k][1], body[spans[k][0] + len(who[k].name) + 1 : spans[k][1]],
                            rng.choice(("direct", "indirect")), "said", None, who[k].name, spans[k][0], spans[k][0] + len(who[k].name),
                            who[k].id, who[k].name, who[k].country, [who[k + 1].id]) for k in range(3)]  # fmt: skip
            events = []
            for k in range(2):
                s, t = who[k], who[k + 3]
                events.append(Event(rng.choice(TYPES), None, "x", spans[k][0], spans[k][0] + 1, spans[k][0], spans[k][1],
                                    s.id, s.name, s.country, s.name, t.id, t.name, t.country, t.name, False, None, None, None,
                                    spans[k][0], spans[k][1]))  # fmt: skip
            ths = [ThemeScore(th, 3.0 + rng.random() * 5, 0.3) for th in rng.sample(themes, 2)]
            tone = ArticleTone(rng.uniform(-0.5, 0.5), 2, 2, 6, [],
                               {a.id: ActorTone(a.id, rng.uniform(-0.6, 0.6), 1, []) for a in who[:3]})  # fmt: skip
            day = start + timedelta(days=int(i * 700 / n))
            url = f"https://{o.domains[0]}/bench/{i}"
            aid = hashlib.sha1(url.encode()).hexdigest()[:16]
            arts.append(Article(aid, hashlib.sha1(body.encode() + str(i).encode()).hexdigest(), f"{who[0].name} {rng.choice(WORDS)} {i}",
                                paras, [], body, "jsonl", [Source("bench", f"line {i}")], url=url, published=str(day),
                                outlet=o.outlet(o.domains[0])))  # fmt: skip
            ans.append((aid, Analysis(mentions=mentions, quotes=quotes, text=body, events=events, themes=ths, tone=tone)))
        store.put_articles(arts)
        store.put_analyses(ans, "bench")
        # Stories of about five articles each, in publication order.
        stories, joins = [], []
        for k, (aid, _) in enumerate(ans):
            if story is None or rng.random() < 0.2:
                story = -(len(stories) + 1)
                day = arts[k].published
                stories.append({"id": story, "title": arts[k].title, "first_seen": day, "last_seen": day, "size": 0, "state": "{}"})
            stories[-1]["size"] += 1
            stories[-1]["last_seen"] = arts[k].published
            joins.append((story, aid, None))
        store.put_stories(stories, joins, {})
        story = None
        if (b // batch) % 20 == 0:
            print(f"  {b + batch} articles, {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    if have < n:
        store.db.execute("ANALYZE")
    store.close()


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by the server process *pid* and its worker processes."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:  # fields[1]: the parent's pid
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scenarios(rng: random.Random, n: int) -> dict[str, list[str]]:
    def month() -> tuple[str, str]:
        d = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 670))
        return str(d), str(d + timedelta(days=30))

    countries = ["RU", "CN", "NO", "US", "CA", "DK", "FI"]
    out: dict[str, list[str]] = {
        "articles": [f"/api/articles?limit=50&country={rng.choice(countries)}" if rng.random() < 0.5 else "/api/articles?limit=50"
                     for _ in range(n)],
        "articles (since, actor)": [f"/api/articles?limit=50&since={month()[0]}&actor={rng.choice(ACTORS[:10])}" for _ in range(n)],
        "search": [f"/api/search?q={rng.choice(WORDS)}+{rng.choice(WORDS)}&limit=20" for _ in range(n)],
        "quotes": [f"/api/quotes?limit=50&speaker={rng.choice(ACTORS[:10])}" for _ in range(n)],
        "events": [f"/api/events?limit=50&source={rng.choice(countries)}&type={rng.choice(TYPES)}" for _ in range(n)],
        "stories": ["/api/stories?limit=50" for _ in range(n)],
        "compare (story)": [f"/api/compare?side=RU&side=nordic&story={rng.randrange(1, 19000)}" for _ in range(n)],
        "compare (month)": [f"/api/compare?side=RU/state-controlled&side=nordic/public-broadcaster&since={a}&until={b}"
                            for a, b in (month() for _ in range(n))],
        "network (month)": ["/api/network?since={}&until={}".format(*month()) for _ in range(n)],
        "trends (month, top 10)": ["/api/trends?period=week&since={}&until={}".format(*month()) for _ in range(n)],
        # The inline evidence (five rows a figure) costs what the links spare: kept in view. Drawn last, so that
        # the scenarios above get the same requests as before it was added. (A server from before evidence=N
        # ignores the parameter and gives its five rows anyway.)
        "compare (month, evidence 5)": [f"/api/compare?side=RU/state-controlled&side=nordic/public-broadcaster&since={a}&until={b}"
                                        "&evidence=5" for a, b in (month() for _ in range(n))],
    }  # fmt: skip
    return out


class Connection:
    """One keep-alive HTTP/1.1 connection that sends GET requests and reads whole responses, and nothing
    else. The benchmark's clients share this process and the machine's two cores with the server: httpx
    spent 3.2-3.8 ms of this process's CPU a request (as much as a list request costs the server), so
    twenty of them queued behind each other on the client side and the timers counted it.

    A request that gets no whole response within *timeout* seconds, or whose connection the server
    closed, is answered with status 0 (counted with the non-200s) and the connection is opened again for
    the next one, so that one bad answer does not end the run."""

    def __init__(self, host: str, port: int, timeout: float = 120.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.opened = 0  # times a connection was made (the first included)

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.opened += 1
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    async def get(self, path: str) -> tuple[int, bytes]:
        """(status, body) of GET *path* (percent-encoded where it is not already: spaces, non-ASCII); the
        connection stays open for the next request unless the server said it closes it. (0, b"") when
        the request timed out or the connection failed; the next request then opens a new one."""
        target = quote(path, safe="/?#[]@!$&'()*+,;=:%~")
        try:
            status, body, keep = await asyncio.wait_for(self._exchange(target), self.timeout)
        except (OSError, EOFError, asyncio.LimitOverrunError, ValueError, IndexError):  # TimeoutError is an OSError
            await self.close()
            return 0, b""
        if not keep:
            await self.close()
        return status, body

    async def _exchange(self, target: str) -> tuple[int, bytes, bool]:
        if self.writer is None:
            await self.open()
        assert self.reader is not None and self.writer is not None
        self.writer.write(f"GET {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nAccept: */*\r\n\r\n".encode("ascii"))
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        keep = headers.get("connection", "").lower() != "close"
        if "content-length" in headers:
            return status, await self.reader.readexactly(int(headers["content-length"])), keep
        if headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                parts.append(await self.reader.readexactly(size + 2))
                if not size:
                    return status, b"".join(p[:-2] for p in parts), keep
        raise ValueError("a response with neither a length nor chunks")  # uvicorn always sends one

    async def close(self) -> None:
        writer, self.reader, self.writer = self.writer, None, None
        if writer is not None:
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:  # already reset by the server
                pass


def spread(server_pid: int, port: int) -> str:
    """How many of the established connections to *port* each process of the server holds ("12/8"), read
    from /proc (Linux; "?" elsewhere). Each connection stays with the process that accepted it, so the split
    sets how evenly the two cores share a run's requests."""
    try:
        local: dict[str, bool] = {}
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            for line in Path(table).read_text().splitlines()[1:]:
                f = line.split()
                local[f[9]] = f[3] == "01" and int(f[1].rsplit(":", 1)[1], 16) == port
        held = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            pid = int(stat.parent.name)
            if pid != server_pid and int(stat.read_text().rsplit(")", 1)[1].split()[1]) != server_pid:
                continue
            fds = [fd.readlink().as_posix() for fd in (stat.parent / "fd").iterdir()]
            n = sum(1 for t in fds if t.startswith("socket:[") and local.get(t[8:-1]))
            if n:
                held.append(n)
        return "/".join(str(n) for n in sorted(held, reverse=True)) or "?"
    except OSError:
        return "?"


async def run(base: str, urls: list[str], clients: int, timeout: float = 120.0, opened: Any = None) -> tuple[list[float], int]:
    """Send *urls* from *clients* concurrent keep-alive connections; the response times and the non-200s
    (a request that timed out or lost its connection included, timed until it failed)."""
    host, port = base.split("//", 1)[1].rsplit(":", 1)
    queue = list(urls)
    times: list[float] = []
    errors = 0

    async def worker(c: Connection) -> None:
        nonlocal errors
        while queue:
            u = queue.pop()
            t = time.perf_counter()
            status, _ = await c.get(u)
            times.append(time.perf_counter() - t)
            errors += status != 200

    # The connections are opened before any request is timed (opened inside the workers, they held up
    # the first responses of the others, which the timers counted).
    made = [Connection(host, int(port), timeout) for _ in range(clients)]
    await asyncio.gather(*(c.open() for c in made))
    if opened is not None:
        await asyncio.sleep(0.2)  # until the server has accepted every connection
        opened()
    try:
        await asyncio.gather(*(worker(c) for c in made))
    finally:
        for c in made:
            await c.close()
    return times, errors


def in_process(db: str, n: int, src: str) -> None:
    """Median CPU ms of *n* month-wide comparisons (evidence 0, then 5) and networks of different months,
    called directly on the store with the API's read settings; *src*: the package of another checkout."""
    if src:
        sys.path.insert(0, src)
    import inspect

    from polarwatch.analysis import compare, network, parse_side
    from polarwatch.api.app import READ_PRAGMAS
    from polarwatch.store import open_store

    store = open_store(db)
    for pragma in READ_PRAGMAS:
        store.db.execute(f"PRAGMA {pragma}")
    sides = [parse_side("RU/state-controlled"), parse_side("nordic/public-broadcaster")]
    asks = "evidence" in inspect.signature(compare).parameters  # code from before evidence=N gives its own
    runs = {"compare (month)": lambda a, b: compare(store, sides=sides, since=a, until=b, **({"evidence": 0} if asks else {})),
            "compare (month, evidence 5)": lambda a, b: compare(store, sides=sides, since=a, until=b, **({"evidence": 5} if asks else {})),
            "network (month)": lambda a, b: network(store, a, b, **({"evidence": 0} if asks else {}))}  # fmt: skip
    rng = random.Random(5)
    for name, fn in runs.items():
        times = []
        for i in range(n + 3):
            d = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 670))
            t = time.process_time()
            fn(str(d), str(d + timedelta(days=30)))
            if i >= 3:
                times.append(time.process_time() - t)
        print(f"{name}: {statistics.median(times) * 1000:.1f} ms CPU (median of {n}){'' if asks else ' [code before evidence=N]'}", flush=True)
    store.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--db", "--store", dest="db", default="/tmp/pw-api-bench.db", help="The benchmark store (built once, then reused).")
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--timeout", type=float, default=120.0, help="Seconds a request may take before it counts as failed.")
    ap.add_argument("--workers", type=int, default=2, help="Server processes (polarwatch serve --workers).")
    ap.add_argument("--only", default="", help="Comma-separated scenario names, or their beginnings ('trends', 'compare'), to run (default all).")
    ap.add_argument("--server-src", default="", metavar="DIR",
                    help="Serve with the polarwatch package of another checkout (its src/ folder, e.g. a git worktree of an "
                         "earlier commit), for a before/after on the same store; the store is then used as it is, not built.")  # fmt: skip
    ap.add_argument("--in-process", type=int, default=0, metavar="N",
                    help="Instead of serving: the CPU (time.process_time) of N month-wide comparisons (evidence 0 and 5) and "
                         "networks called in this process, median after 3 warm-up ones (with --server-src, that checkout's code).")  # fmt: skip
    args = ap.parse_args()
    if args.in_process:
        in_process(args.db, args.in_process, args.server_src)
        return
    t = time.perf_counter()
    env = {**os.environ, "POLARWATCH_API_TOKEN": ""}
    if args.server_src:
        env["PYTHONPATH"] = args.server_src
        print(f"store: {args.db} as it is; server from {args.server_src}", file=sys.stderr)
    else:
        build(args.db, args.articles)
        from polarwatch.analysis.aggregates import fill_aggregates
        from polarwatch.analysis.counts import fill_word_counts
        from polarwatch.store import open_store

        store = open_store(args.db)  # a store built before migration 013 or 014: count its words and fill its aggregates once
        filled = fill_word_counts(store)
        counted = fill_aggregates(store)
        store.close()
        print(f"store: {args.articles} articles at {args.db} ({time.perf_counter() - t:.0f} s to build or check; "
              f"{filled} articles' words counted, {counted} articles into the daily aggregates)", file=sys.stderr)  # fmt: skip
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", file=sys.stderr)
    port = free_port()
    server = subprocess.Popen([str(Path(sys.executable).parent / "polarwatch"), "--db", args.db, "serve", "--port", str(port),
                               "--workers", str(args.workers)], env=env,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        import httpx

        for _ in range(100):
            try:
                httpx.get(f"http://127.0.0.1:{port}/api/outlets", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise SystemExit("the server did not start")
        rng = random.Random(11)
        # Warm-up requests are drawn apart from the measured ones, so that the server's result cache
        # (keyed by the query) does not answer a measured request from its warm-up.
        warm = scenarios(random.Random(12), 3)
        print("| endpoint | requests | clients | p50 ms | p95 ms | non-200 | server CPU ms a request | client CPU ms a request | connections per server process |")
        print("|---|---|---|---|---|---|---|---|---|")
        for name, urls in scenarios(rng, args.requests).items():
            if args.only and not any(w.strip() and name.startswith(w.strip()) for w in args.only.split(",")):
                continue
            for u in warm[name]:  # warm the page cache for this endpoint's tables, outside the measure
                httpx.get(f"http://127.0.0.1:{port}{u}", timeout=120)
            cpu, own = server_cpu(server.pid), time.process_time()
            split: list[str] = []
            times, errors = asyncio.run(run(f"http://127.0.0.1:{port}", urls, args.clients, args.timeout,
                                            lambda: split.append(spread(server.pid, port))))  # fmt: skip
            cpu, own = (server_cpu(server.pid) - cpu) / len(times), (time.process_time() - own) / len(times)
            q = statistics.quantiles(times, n=20)
            print(f"| {name} | {len(times)} | {args.clients} | {statistics.median(times) * 1000:.0f} | {q[18] * 1000:.0f} | {errors} "
                  f"| {cpu * 1000:.0f} | {own * 1000:.1f} | {split[0] if split else '?'} |", flush=True)  # fmt: skip
    finally:
        server.terminate()
        server.wait()
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", file=sys.stderr)


if __name__ == "__main__":
    main()
