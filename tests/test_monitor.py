"""The monitor end to end against loopback feeds, pages and sitemaps that misbehave, into a real store."""

from __future__ import annotations

import gzip
import threading
import time
from dataclasses import replace
from email.utils import format_datetime
from datetime import datetime, timezone
from xml.sax.saxutils import escape

import pytest
from test_monitor_fetch import FAST, Reply, Site, Sleeps, no_network, site  # noqa: F401  (fixtures: the autouse guard, a server)

from polarwatch.monitor import Fetcher, Monitor, MonitorState, add_source, all_sources, remove_source
from polarwatch.monitor.parse import parse_feed, parse_sitemap
from polarwatch.store import open_store

PLACES = ["Svalbard", "Murmansk", "Nuuk", "Tromsø", "Iqaluit", "Kirkenes", "Utqiagvik", "Longyearbyen", "Arkhangelsk", "Reykjavík"]
TOPICS = ["icebreaker", "fishing quota", "radar station", "research vessel", "port upgrade", "pipeline", "cable repair", "air patrol"]


def text(n: int, words_wanted: int = 220) -> list[str]:
    """Paragraphs of a distinct, plausible article number *n*."""
    place, topic = PLACES[n % len(PLACES)], TOPICS[n % len(TOPICS)]
    paras = [
        f"Officials in {place} said on Tuesday that the {topic} project number {n} would go ahead next spring after "
        f"months of talks between the regional council and two shipping companies.",
        f"The plan for {place} includes new moorings, a fuel depot and a small weather office, according to a statement "
        f"published by the council, which said work on item {n} would employ about {40 + n} people.",
    ]
    k = 0
    while sum(len(p.split()) for p in paras) < words_wanted:
        k += 1
        paras.append(
            f"In a further note numbered {n}-{k}, the council explained that residents of {place} had asked for the "
            f"{topic} schedule to avoid the hunting season, and that the contractors agreed to publish weekly updates."
        )
    return paras


def rss(items: list[dict], title: str = "Loopback News") -> bytes:
    out = [f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
           f"<channel><title>{escape(title)}</title><link>http://127.0.0.1/</link><description>d</description>"]  # fmt: skip
    for it in items:
        out.append("<item>")
        out.append(f"<title>{escape(it['title'])}</title><link>{escape(it['link'])}</link><guid>{escape(it['link'])}</guid>")
        out.append(f"<pubDate>{it.get('date', 'Tue, 18 Nov 2025 10:00:00 GMT')}</pubDate>")
        out.append(f"<description>{escape(it.get('summary', 'A short summary.'))}</description>")
        if it.get("content"):
            out.append(f"<content:encoded><![CDATA[{it['content']}]]></content:encoded>")
        out.append("</item>")
    out.append("</channel></rss>")
    return "".join(out).encode("utf-8")


def page(n: int, title: str) -> bytes:
    body = "".join(f"<p>{escape(p)}</p>" for p in text(n))
    return (f"<!doctype html><html><head><title>{escape(title)}</title></head><body><nav><a href='/'>Home</a></nav>"
            f"<article><h1>{escape(title)}</h1>{body}</article><footer>© Loopback</footer></body></html>").encode()  # fmt: skip


class Feeds:
    """A loopback site with one feed (/feed.xml) of *n* entries and their pages; knobs for misbehaviour."""

    def __init__(self, site: Site, n: int = 3, full: bool = False, first: int = 0) -> None:
        self.site, self.full = site, full
        self.items: list[dict] = []
        self.etag_changes = False
        self.version = 0
        self.set_entries(range(first, first + n))
        site.routes["/feed.xml"] = self.feed

    def set_entries(self, numbers: range | list[int]) -> None:
        self.items = []
        for i in numbers:
            title = f"Council approves {TOPICS[i % len(TOPICS)]} plan {i} in {PLACES[i % len(PLACES)]}"
            link = self.site.url(f"/news/{i}")
            item = {"title": title, "link": link, "summary": text(i)[0]}
            if self.full:
                item["content"] = "".join(f"<p>{escape(p)}</p>" for p in text(i))
            self.items.append(item)
            self.site.routes[f"/news/{i}"] = lambda r, i=i, title=title: Reply(200, page(i, title), {"Content-Type": "text/html; charset=utf-8"})
        self.version += 1

    def feed(self, r) -> Reply:  # noqa: ANN001
        etag = f'"v{self.version}-{time.monotonic_ns()}"' if self.etag_changes else f'"v{self.version}"'
        if not self.etag_changes and r.headers.get("if-none-match") == etag:
            return Reply(304, b"", {"ETag": etag})
        return Reply(200, rss(self.items), {"Content-Type": "application/rss+xml", "ETag": etag,
                                            "Last-Modified": format_datetime(datetime(2025, 11, 18, tzinfo=timezone.utc), usegmt=True)})


@pytest.fixture
def store(tmp_path):
    s = open_store(str(tmp_path / "monitor.db"))
    yield s
    s.close()


def monitor(store, site: Site, url_path: str = "/feed.xml", sid: str = "t", kind: str = "feed", **kw) -> Monitor:
    st = MonitorState(store)
    if sid not in {s.id for s in all_sources(st) if s.enabled}:
        add_source(st, site.url(url_path), kind, sid)
    policy = kw.pop("policy", FAST)
    return Monitor(store, policy=policy, fetcher=Fetcher(policy, sleep=Sleeps(), jitter=lambda: 0.0), nlp=kw.pop("nlp", False),
                   interval=kw.pop("interval", 60), only=kw.pop("only", {sid}), **kw)  # fmt: skip


def health(store, sid: str = "t") -> dict:
    return MonitorState(store).states()[sid]


# -- cycles ---------------------------------------------------------------------------------------------------
def test_full_text_feed_is_stored_without_fetching_pages_then_304(site, store):
    feeds = Feeds(site, n=3, full=True)
    mon = monitor(store, site)
    rep = mon.cycle()
    assert (rep.polled, rep.entries_new, rep.articles_new, rep.pages_fetched) == (1, 3, 3, 0)
    assert all(site.hits(f"/news/{i}") == 0 for i in range(3))
    arts = store.list_articles()
    assert {a.article.url for a in arts} == {site.url(f"/news/{i}") for i in range(3)}
    assert all(a.article.format == "feed" and not a.article.summary_only for a in arts)
    assert arts[0].article.outlet is not None and arts[0].article.published == "2025-11-18"
    h = health(store)
    assert h["last_status"] == "ok" and h["articles_found"] == 3 and h["error_streak"] == 0 and h["etag"] == '"v1"'
    again = mon.cycle(force=True)
    assert again.not_modified == 1 and again.entries_new == 0 and again.articles_new == 0
    assert site.log[-1].headers.get("if-none-match") == '"v1"'
    assert feeds.version == 1


def test_summary_only_entries_get_their_pages_fetched(site, store):
    Feeds(site, n=3)
    rep = monitor(store, site).cycle()
    assert rep.pages_fetched == 3 and rep.articles_new == 3
    a = store.get_article(store.list_articles()[0].article.id).article
    assert a.format == "html" and not a.summary_only
    assert "further note numbered" in a.body and "Home" not in a.body  # the page's text, not its furniture
    assert MonitorState(store).entry_counts() == {"done": 3}
    assert store.db.execute("SELECT COUNT(*) FROM monitor_entries WHERE body IS NOT NULL OR summary IS NOT NULL").fetchone()[0] == 0


def test_changing_etags_and_reappearing_entries_fetch_nothing_twice(site, store):
    feeds = Feeds(site, n=3)
    feeds.etag_changes = True
    mon = monitor(store, site)
    assert mon.cycle().articles_new == 3
    feeds.set_entries([1, 2, 3])  # 0 drops out, 3 is new
    assert mon.cycle(force=True).articles_new == 1
    feeds.set_entries([0, 1, 2, 3, 4])  # 0 reappears, 4 is new
    rep = mon.cycle(force=True)
    assert (rep.entries_new, rep.articles_new, rep.pages_fetched) == (1, 1, 1)
    assert [site.hits(f"/news/{i}") for i in range(5)] == [1, 1, 1, 1, 1]
    assert store.count() == 5 and health(store)["articles_found"] == 5


@pytest.mark.parametrize("reply, why", [
    (Reply(200, b"<?xml version='1.0'?><rss><channel><item><title>broken", {"Content-Type": "text/xml"}), "malformed"),
    (Reply(200, b"<rss>" + b"<item><title>x</title></item>" * 20_000 + b"</rss>", {"Content-Type": "text/xml"}), "too-large"),
    (Reply(200, b'{"items": []}', {"Content-Type": "application/json"}), "content-type"),
    (Reply(500, b"oops"), "http"),
    (Reply(200, b"<html><body><p>Just a page</p></body></html>", {"Content-Type": "text/html"}), "content-type"),
])  # fmt: skip
def test_a_bad_feed_is_an_error_in_the_health_record(site, store, reply, why):
    site.routes["/feed.xml"] = lambda r: reply
    mon = monitor(store, site)
    rep = mon.cycle()
    assert rep.polled == 0 and len(rep.source_errors) == 1 and why in rep.source_errors[0]
    h = health(store)
    assert h["last_status"] == "error" and h["error_streak"] == 1 and why in h["last_error"] and h["last_success"] is None
    assert h["next_due"] > time.time() + 50  # backed off, not polled again at once
    mon.cycle(force=True)
    assert health(store)["error_streak"] == 2


def test_a_feed_that_recovers_resets_the_error_streak(site, store):
    broken = {"on": True}
    feeds = Feeds(site, n=2, full=True)
    site.routes["/feed.xml"] = lambda r: Reply(503, b"") if broken["on"] else feeds.feed(r)
    mon = monitor(store, site)
    mon.cycle()
    assert health(store)["error_streak"] == 1
    broken["on"] = False
    assert mon.cycle(force=True).articles_new == 2
    h = health(store)
    assert h["error_streak"] == 0 and h["last_status"] == "ok" and h["last_error"] is None


def test_429_with_a_long_retry_after_defers_the_source(site, store):
    site.routes["/feed.xml"] = lambda r: Reply(429, b"", {"Retry-After": "7200"})
    mon = monitor(store, site)
    mon.cycle()
    assert site.hits("/feed.xml") == 1
    assert health(store)["next_due"] >= time.time() + 7000
    assert mon.cycle().sources_due == 0  # not due: nothing is requested
    assert site.hits("/feed.xml") == 1


def test_robots_disallow_keeps_the_monitor_off_the_feed_and_the_pages(site, store):
    Feeds(site, n=2, full=False)
    site.routes["/robots.txt"] = lambda r: Reply(200, b"User-agent: *\nDisallow: /feed.xml\n", {"Content-Type": "text/plain"})
    rep = monitor(store, site).cycle()
    assert site.hits("/feed.xml") == 0 and "robots" in rep.source_errors[0]
    site.routes["/robots.txt"] = lambda r: Reply(200, b"User-agent: *\nDisallow: /news/\n", {"Content-Type": "text/plain"})
    mon = monitor(store, site)  # a new process reads robots.txt anew
    rep = mon.cycle(force=True)
    # The pages are off limits: the feed's summaries are stored instead, marked as such.
    assert site.hits("/news/0") == 0 and rep.articles_new == 2
    assert all(a.article.summary_only for a in store.list_articles())


def test_pages_that_fail_are_retried_next_cycle_then_fall_back_to_the_summary(site, store):
    Feeds(site, n=1)
    site.routes["/news/0"] = lambda r: Reply(200, page(0, "T"), {"Content-Type": "text/html"}, delay=2.0)  # past the timeout
    mon = monitor(store, site, policy=replace(FAST, timeout=0.2, retries=0), max_page_attempts=2)
    rep = mon.cycle()
    assert rep.articles_new == 0 and rep.pending_left == 1 and "timed out" in rep.page_errors[0]
    rep = mon.cycle()  # not due, but the pending entry is tried again; its last attempt falls back
    assert rep.sources_due == 0 and rep.articles_new == 1 and rep.pending_left == 0
    assert store.list_articles()[0].article.summary_only


def test_restart_after_a_crash_loses_nothing_and_refetches_nothing(site, store, tmp_path):
    feeds = Feeds(site, n=4)
    mon = monitor(store, site)

    def crash(*a, **k):  # noqa: ANN002, ANN003, ANN202
        raise KeyboardInterrupt

    mon._store = crash  # killed after the poll was recorded, before any article was stored
    with pytest.raises(KeyboardInterrupt):
        mon.cycle()
    assert store.count() == 0 and MonitorState(store).entry_counts() == {"pending": 4}
    assert health(store)["etag"] == '"v1"'  # the validators were saved with the pending entries
    store.close()
    again = open_store(str(tmp_path / "monitor.db"))
    try:
        rep = monitor(again, site).cycle(force=True)
        assert rep.not_modified == 1 and rep.articles_new == 4 and again.count() == 4
        assert MonitorState(again).entry_counts() == {"done": 4}
        pages_before = sum(site.hits(f"/news/{i}") for i in range(4))
        rep = monitor(again, site).cycle(force=True)
        assert rep.articles_new == 0 and sum(site.hits(f"/news/{i}") for i in range(4)) == pages_before
        assert feeds.version == 1
    finally:
        again.close()


def test_unusable_links_in_a_feed_do_not_stop_the_cycle(site, store):
    feeds = Feeds(site, n=2)
    feeds.items[0]["link"] = "http://127.0.0.1:99999/news/0"  # no such port
    feeds.items.append({"title": "Bracket", "link": "http://[127.0.0.1/x", "summary": "An entry whose link is broken."})
    rep = monitor(store, site).cycle()
    assert rep.entries_new == 3 and rep.articles_new == 3  # two from their summaries, one from its page
    assert rep.pages_fetched == 1 and any("Port out of range" in e for e in rep.page_errors)


def test_duplicate_article_from_two_sources_is_stored_once(site, store):
    Feeds(site, n=2, full=True)
    st = MonitorState(store)
    add_source(st, site.url("/feed.xml?copy=1"), "feed", "copy")
    site.routes["/feed.xml?copy=1"] = site.routes["/feed.xml"]
    rep = monitor(store, site, only={"t", "copy"}).cycle()
    assert rep.polled == 2 and rep.articles_new == 2 and rep.entries_new == 2  # same URLs: seen once


def test_news_sitemap_and_sitemap_index(site, store):
    Feeds(site, n=3)
    urls = "".join(
        f"<url><loc>{site.url(f'/news/{i}')}</loc><news:news><news:publication><news:name>L</news:name></news:publication>"
        f"<news:publication_date>2025-11-1{i}T08:00:00Z</news:publication_date><news:title>Sitemap title {i}</news:title>"
        f"</news:news></url>" for i in range(3))  # fmt: skip
    sm = ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
          f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>').encode()  # fmt: skip
    index = (f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap>'
             f"<loc>{site.url('/sm-news.xml')}</loc><lastmod>2025-11-18</lastmod></sitemap></sitemapindex>").encode()  # fmt: skip
    site.routes["/sm-news.xml"] = lambda r: Reply(200, gzip.compress(sm), {"Content-Type": "application/x-gzip"})  # a .xml.gz file
    site.routes["/sm-index.xml"] = lambda r: Reply(200, index, {"Content-Type": "application/xml"})
    rep = monitor(store, site, "/sm-index.xml", "sm", "sitemap").cycle()
    assert rep.articles_new == 3 and rep.pages_fetched == 3
    dates = sorted(a.article.published for a in store.list_articles())
    assert dates == ["2025-11-10", "2025-11-11", "2025-11-12"]  # the sitemap's dates


def test_atom_feed_with_relative_links_and_an_entry_without_a_link(site, store):
    full = "".join(f"<p>{escape(p)}</p>" for p in text(7))
    atom = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Loopback</title>'
        '<id>urn:x</id><updated>2025-11-18T10:00:00Z</updated>'
        '<entry><title>Relative one</title><link href="/news/5"/><id>urn:e5</id><updated>2025-11-17T10:00:00Z</updated>'
        "<summary>Teaser only.</summary></entry>"
        '<entry><title>No link at all</title><id>urn:e7</id><updated>2025-11-16T10:00:00Z</updated>'
        f'<content type="html">{escape(full)}</content></entry></feed>'
    ).encode()
    site.routes["/atom.xml"] = lambda r: Reply(200, atom, {"Content-Type": "application/atom+xml"})
    site.routes["/news/5"] = lambda r: Reply(200, page(5, "Relative one"), {"Content-Type": "text/html"})
    rep = monitor(store, site, "/atom.xml", "atom").cycle()
    assert rep.articles_new == 2 and rep.pages_fetched == 1 and site.hits("/news/5") == 1
    by_title = {a.article.title: a.article for a in store.list_articles()}
    assert by_title["Relative one"].url == site.url("/news/5") and by_title["No link at all"].url is None
    assert MonitorState(store).entry_counts() == {"done": 2}


def test_a_gzip_bomb_is_cut_at_the_cap():
    from polarwatch.monitor.parse import ParseError, gunzip

    bomb = gzip.compress(b"<urlset>" + b" " * 5_000_000 + b"</urlset>")
    assert len(bomb) < 10_000
    with pytest.raises(ParseError, match="past the cap"):
        gunzip(bomb, 1_000_000)
    assert gunzip(gzip.compress(b"<rss/>"), 100) == b"<rss/>" and gunzip(b"<rss/>", 1) == b"<rss/>"


def test_hostile_xml_is_refused_without_expanding_it():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
            b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><urlset><url><loc>http://127.0.0.1/&lol3;</loc></url></urlset>')
    entries, _ = parse_sitemap(bomb)
    assert [e.url for e in entries] == ["http://127.0.0.1/"]  # the entity reference is left unexpanded, not 49 lols
    with pytest.raises(Exception, match="malformed|not an RSS"):
        parse_feed(b"<rss><channel><item><title>unclosed")


def test_run_sleeps_between_cycles_and_stops_promptly(site, store):
    Feeds(site, n=1, full=True)
    mon = monitor(store, site, interval=1)
    stop, cycles = threading.Event(), []
    t = threading.Thread(target=mon.run, kwargs={"stop": stop, "on_cycle": cycles.append})
    t.start()
    time.sleep(2.5)
    stop.set()
    t.join(timeout=3)
    assert not t.is_alive() and 2 <= len(cycles) <= 4
    assert sum(c.polled for c in cycles) >= 2 and store.count() == 1


def test_sources_add_remove_and_defaults(store):
    st = MonitorState(store)
    n = len(all_sources(st))
    assert n >= 30 and all(s.url.startswith("https://") for s in all_sources(st))
    from polarwatch import outlets

    registry = {d for o in outlets.registry() for d in o.domains}
    assert all(s.outlet in registry for s in all_sources(st))  # every default is an outlet of the registry
    remove_source(st, "tass")
    assert "tass" not in {s.id for s in all_sources(st) if s.enabled}
    s = add_source(st, "https://tass.com/rss/v2.xml", sid="tass")
    assert s.enabled and len([x for x in all_sources(st) if x.enabled]) == n
    mine = add_source(st, "https://www.highnorthnews.com/en/some-section.xml")
    assert mine.outlet == "highnorthnews.com"
    remove_source(st, mine.id)
    assert mine.id not in {x.id for x in all_sources(st)}
    from polarwatch.monitor import SourceError

    for bad in ("ftp://x.org/feed", "not a url"):
        with pytest.raises(SourceError):
            add_source(st, bad)
    with pytest.raises(SourceError, match="no source"):
        remove_source(st, "nope")
