"""The dashboard in-process: every page renders over a real store, figures link to their evidence,
and article text is never markup (an article carrying <script>, event handlers and javascript: links)."""

from __future__ import annotations

import html as html_lib
import json
import queue
import re
import sqlite3
import subprocess
import sys
import threading
import time
import warnings
from datetime import date
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
with warnings.catch_warnings():  # starlette's TestClient warns about its own httpx use
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient  # noqa: E402

from polarwatch import lib  # noqa: E402
from polarwatch.web import CSP, dashboard_app  # noqa: E402
from polarwatch.web.highlight import Mark, cut, paragraphs  # noqa: E402
from polarwatch.web.links import evidence_href, safe_href  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"

XSS_TITLE = 'Icebreaker <script>window.__pwned=1</script> "launch"'
XSS_BODY = [
    "Russia and Norway agreed to expand search-and-rescue cooperation in the Barents Sea, "
    "Foreign Minister Sergei Lavrov said on Tuesday.",
    '"We will <img src=x onerror="window.__pwned=2"> work together," Lavrov told reporters in Murmansk.',
    'Read more at <a href="javascript:window.__pwned=3">this link</a> or javascript:alert(1) '
    "and <svg onload=window.__pwned=4>.",
    "Norway's foreign ministry said the agreement covers shipping on the Northern Sea Route.",
]

# Small fictional articles from outlets of different countries and kinds, so stories, blocs and
# comparisons have more than one side. The first one is the hostile one.
ARTICLES = [
    {"url": "https://tass.com/politics/900001", "title": XSS_TITLE, "published": "2025-03-04", "text": "\n\n".join(XSS_BODY)},
    {"url": "https://www.nrk.no/nyheter/barents-rescue-1.900002", "title": "Norway and Russia sign Barents rescue deal",
     "published": "2025-03-04",
     "text": "Norway and Russia signed an agreement on search-and-rescue cooperation in the Barents Sea on Tuesday.\n\n"
             "\"This is a practical step that saves lives,\" Norwegian Foreign Minister Espen Barth Eide said in Oslo.\n\n"
             "Critics in Tromsø accused Moscow of using the deal to soften sanctions on its fishing fleet."},
    {"url": "https://www.cbc.ca/news/canada/north/arctic-patrol-900003", "title": "Canada sends patrol ship to the Northwest Passage",
     "published": "2025-03-06",
     "text": "Canada deployed a new Arctic patrol ship to the Northwest Passage, Defence Minister Bill Blair said on Thursday.\n\n"
             "\"Our sovereignty in the North is not up for debate,\" Blair told reporters in Iqaluit.\n\n"
             "China's foreign ministry said Beijing respects the rights of Arctic states."},
    {"url": "https://tass.com/politics/900004", "title": "Lavrov accuses NATO of militarising the Arctic",
     "published": "2025-03-10",
     "text": "Russian Foreign Minister Sergei Lavrov accused NATO of militarising the Arctic on Monday.\n\n"
             "\"The alliance is bringing its warships closer to our borders,\" Lavrov said in Moscow.\n\n"
             "Norway rejected the claim and said its exercises were defensive."},
    {"url": "https://www.nrk.no/nyheter/nato-arctic-reply-1.900005", "title": "Norway rejects Lavrov's NATO claim over Arctic drills",
     "published": "2025-03-11",
     "text": "Norway rejected accusations by Russian Foreign Minister Sergei Lavrov that NATO is militarising the Arctic.\n\n"
             "\"Our exercises in the Arctic are defensive and announced in advance,\" Norwegian Foreign Minister Espen Barth Eide "
             "said in Oslo on Tuesday.\n\nLavrov had accused NATO of bringing its warships closer to Russia's borders in the Arctic."},
]


def build_store(path: Path) -> str:
    """A store of the hand-made articles above, the reader fixtures and, when present, the shared seeds."""
    src = path / "web_articles.jsonl"
    src.write_text("\n".join(json.dumps(a) for a in ARTICLES) + "\n", "utf-8")
    paths = [str(src), str(FIXTURES / "readers")]
    if (SHARED / "seeds").is_dir():
        paths.append(str(SHARED / "seeds"))
    db = str(path / "web.db")
    rep = lib.ingest(paths, db=db)
    assert rep.new >= len(ARTICLES), rep.as_dict()
    return db


@pytest.fixture(scope="module")
def web_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return build_store(tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="module")
def client(web_db: str) -> TestClient:
    return TestClient(dashboard_app(web_db))


def _one(db: str, sql: str, *args: object) -> tuple:
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, args).fetchone()
    finally:
        con.close()


def _xss_id(db: str) -> str:
    return _one(db, "SELECT id FROM articles WHERE url = ?", ARTICLES[0]["url"])[0]


# -- highlighting -------------------------------------------------------------------

def test_cut_keeps_every_character_once_and_nests_marks():
    text = "Lavrov said the deal works."
    marks = [Mark(0, 6, "speaker", "q0"), Mark(12, 26, "quote", "q0"), Mark(16, 20, "mention", "m1"), Mark(3, 2, "bad")]
    pieces = cut(text, marks)
    assert "".join(p.text for p in pieces) == text
    assert [p.start for p in pieces] == sorted(p.start for p in pieces)
    deal = next(p for p in pieces if p.text == "deal")
    assert sorted(deal.kinds) == ["mention", "quote"] and sorted(deal.refs) == ["m1", "q0"]
    assert all(p.end > p.start for p in pieces)


def test_paragraphs_follow_body_offsets_and_clip_marks_across_paragraphs():
    body = "First one.\n\nSecond one."
    paras = paragraphs(body, [Mark(6, 18, "quote", "q0"), Mark(0, 999, "bad")])
    assert [p.start for p in paras] == [0, 12]
    for p in paras:
        for piece in p.pieces:
            assert body[piece.start : piece.end] == piece.text
    assert [x.text for x in paras[1].pieces if x.refs] == ["Second"]


def test_links_refuse_script_urls():
    assert safe_href("https://tass.com/x") == "https://tass.com/x"
    for bad in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "/relative", "vbscript:x", None):
        assert safe_href(bad) is None
    assert evidence_href({"article": "ab/../c", "start": 3, "end": 9}) == "/article/ab%2F..%2Fc#span-3-9"
    assert evidence_href({"article": "abc", "start": 3, "end": 9, "in_title": True}) == "/article/abc"


def test_period_labels_fill_gaps_and_bound_the_dates_they_name():
    from polarwatch.web.charts import period_labels, when
    from polarwatch.web.queries import period_bounds, pick_period

    assert period_labels("month", "2024-11-20", "2025-02-03") == ["2024-11", "2024-12", "2025-01", "2025-02"]
    assert period_bounds("month", "2024-02") == ("2024-02-01", "2024-02-29")
    weeks = period_labels("week", "2025-03-05", "2025-03-20")
    assert len(weeks) == 3
    for label in weeks:
        first, last = period_bounds("week", label)
        assert date.fromisoformat(first).weekday() == 0 and (date.fromisoformat(last) - date.fromisoformat(first)).days == 6
    assert period_bounds("week", weeks[0])[0] <= "2025-03-05" <= period_bounds("week", weeks[0])[1]
    assert period_labels("day", "2025-03-30", "2025-04-01") == ["2025-03-30", "2025-03-31", "2025-04-01"]
    assert pick_period("2025-01-01", "2025-01-20") == "day" and pick_period("2020-01-01", "2025-01-01") == "month"
    assert when("2025-03") == "Mar 2025" and when(weeks[0]) == "3 Mar 2025"


# -- pages ----------------------------------------------------------------------------

def _pages(db: str) -> list[str]:
    aid = _xss_id(db)
    story = _one(db, "SELECT story_id FROM story_articles ORDER BY story_id LIMIT 1")[0]
    actor = _one(db, "SELECT speaker_id FROM quotes WHERE speaker_id IS NOT NULL GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1")[0]
    return ["/", f"/article/{aid}", f"/actor/{actor}", f"/story/{story}", "/compare", "/compare?a=RU&b=NO", "/network",
            "/search", "/search?q=Arctic&country=RU", "/events", "/quotes", f"/quotes?speaker={actor}"]  # fmt: skip


def thread_of(db: str) -> int:
    """The largest thread of the test store; the Lavrov-NATO accusation and Norway's rejection of it form one
    with the threader as it stands (a failure here means a change to threading no longer joins them)."""
    row = _one(db, "SELECT thread_id FROM thread_stories GROUP BY 1 ORDER BY COUNT(*) DESC, 1 LIMIT 1")
    assert row is not None, "the test store formed no thread: stories/threads.py no longer links its stories"
    return row[0]


def test_thread_pages_render(client: TestClient, web_db: str):
    t = thread_of(web_db)
    for url in (f"/thread/{t}", f"/compare?a=RU&b=NO&thread={t}", f"/search?thread={t}", f"/events?thread={t}", f"/quotes?thread={t}"):
        r = client.get(url)
        assert r.status_code == 200 and r.headers["content-security-policy"] == CSP, url
    assert "What its stories share" in client.get(f"/thread/{t}").text


def test_every_page_renders_with_the_security_headers(client: TestClient, web_db: str):
    for url in _pages(web_db):
        r = client.get(url)
        assert r.status_code == 200, url
        assert r.headers["content-type"].startswith("text/html")
        assert r.headers["content-security-policy"] == CSP
        assert "<html" in r.text and "</html>" in r.text
        # CSP forbids inline script and style: the pages must not rely on them.
        assert not re.search(r"<script(?![^>]*\bsrc=)", r.text), url
        assert " style=" not in r.text and "<style" not in r.text, url


def test_static_files_and_unknown_ids(client: TestClient):
    assert client.get("/static/dash.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/static/dash.css").status_code == 200
    for url in ("/static/../pages.py", "/static/nope.js", "/static/%2e%2e%2fpages.py", "/article/0000000000000000",
                "/actor/nobody-at-all", "/story/999999"):
        assert client.get(url).status_code == 404, url


def test_hostile_article_text_is_escaped_everywhere(client: TestClient, web_db: str):
    aid = _xss_id(web_db)
    for url in (f"/article/{aid}", "/search?q=icebreaker", "/", "/quotes", "/events", "/search?country=RU"):
        html = client.get(url).text
        assert "<script>window.__pwned" not in html, url
        assert "<img src=x" not in html and "<svg onload" not in html, url
        assert not re.search(r"""href\s*=\s*["']?\s*javascript:""", html, re.I), url
        assert not re.search(r"<[^>]+\son(error|load)\s*=", html, re.I), url
    page = client.get(f"/article/{aid}").text
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page  # shown as text, not dropped
    assert "&lt;img src=x onerror=" in page


def test_article_marks_point_at_stored_offsets(client: TestClient, web_db: str):
    aid = _xss_id(web_db)
    body = _one(web_db, "SELECT body FROM articles WHERE id = ?", aid)[0]
    html = client.get(f"/article/{aid}").text
    spans = re.findall(r'<span (?:class="hl ([^"]*)" )?data-s="(\d+)" data-e="(\d+)"[^>]*>([^<]*)</span>', html)
    assert spans
    import html as html_lib

    for _css, s, e, text in spans:
        assert body[int(s) : int(e)] == html_lib.unescape(text)
    quotes = [q for q in lib.extraction(aid, db=web_db)["quotes"] if not q.in_title]
    assert quotes, "the fixture article should carry a quote"
    for q in quotes:
        assert f'href="#span-{q.start}-{q.end}"' in html
    assert "Removed by cleaning" in html
    h1 = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
    assert html_lib.unescape(re.sub(r"<[^>]+>", "", h1)) == XSS_TITLE  # headline quotes are marked, the title kept whole


def test_numbers_link_to_their_evidence(client: TestClient, web_db: str):
    html = client.get("/").text
    # Chart blocks and table counts lead to listings of events, quotes or articles.
    assert re.search(r'<a href="/events\?[^"]*group=', html)
    assert re.search(r'<a class="num" href="/search\?[^"]*actor=', html)
    speaker = _one(web_db, "SELECT speaker_id FROM quotes WHERE speaker_id IS NOT NULL GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1")[0]
    listing = client.get("/quotes", params={"speaker": speaker}).text
    anchors = re.findall(r'href="/article/([0-9a-f]+)#span-(\d+)-(\d+)"', listing)
    assert anchors
    for aid, s, e in anchors[:5]:
        body = _one(web_db, "SELECT body FROM articles WHERE id = ?", aid)[0]
        assert 0 <= int(s) < int(e) <= len(body)


def test_search_facets_narrow_the_results(client: TestClient, web_db: str):
    html = client.get("/search").text
    assert 'data-facet="country"' in html and 'data-facet="kind"' in html
    ru = client.get("/search", params={"country": "RU"}).text
    n_ru = _one(web_db, "SELECT COUNT(*) FROM articles WHERE outlet_country = 'RU'")[0]
    assert f"{n_ru} articles match" in ru
    bad = client.get("/search", params={"since": "'; DROP TABLE articles; --", "q": '"unbalanced'})
    assert bad.status_code == 200
    assert _one(web_db, "SELECT COUNT(*) FROM articles")[0] > 0


def test_network_data_is_json_of_nodes_and_edges(client: TestClient):
    data = client.get("/network/data.json").json()
    assert set(data) >= {"nodes", "edges"}
    ids = {n["id"] for n in data["nodes"]}
    for e in data["edges"]:
        assert e["source"] in ids and e["target"] in ids
        assert e["href"] and listed(client, e["href"]) == e["weight"], e  # the listing of exactly what it weighs


_LISTED = re.compile(r"(\d+)\+? (?:quotes|events|articles)(?: match|, newest first)")


def listed(client: TestClient, href: str) -> int:
    """The total a listing page says it lists, after checking that it shows that many rows (or its first page
    of them: 200 quotes or events, 30 articles), each linking to its article (quotes and events: on the span)."""
    html = client.get(href).text
    total = int(_LISTED.search(html).group(1))
    rows = html.split('<ol class="rows', 1)[1].split("</ol>", 1)[0]
    if href.startswith("/search"):
        shown, page = len(re.findall(r'<li><a href="/article/[0-9a-f]+">', rows)), 30
    else:
        shown, page = len(re.findall(r'<blockquote><a href="/article/[0-9a-f]+(?:#span-\d+-\d+)?">', rows)), 200
    assert shown == min(total, page), (href, total, shown)
    return total


def test_an_actor_s_event_counts_lead_to_as_many_events(client: TestClient, web_db: str):
    """On an actor page, each count of events as source or target (by type and other end, an actor or a
    country alone) leads to a listing of that many events."""
    actor = _one(web_db, "SELECT source_id FROM events WHERE source_id IS NOT NULL GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1")[0]
    html = client.get(f"/actor/{actor}").text
    rows = re.findall(r'<td class="n"><a class="num" href="(/events\?[^"]+)">(\d+)</a></td>\s*<td class="n"><a class="num"', html)
    assert rows  # (the second count of a row, its articles, links to the same events)
    for href, n in rows:
        assert listed(client, html_lib.unescape(href)) == int(n), href


def test_every_number_of_a_comparison_leads_to_as_many_rows(client: TestClient):
    """Each number of the compare page (a period and a story) is a link to a listing whose total is that
    number: speakers' quotes, quotes per speaker country, events, events left out, theme and tone articles,
    outlets' and sides' articles."""
    pages = [client.get("/compare", params={"a": "RU", "b": "country=NO,CA,US"}).text]
    story = re.search(r'href="/story/(\d+)"', client.get("/").text)
    if story:
        pages.append(client.get(f"/story/{story.group(1)}").text)
    checked = 0
    for html in pages:
        for href, shown in re.findall(r'<a class="num" href="([^"]+)">([^<]+)</a>', html.split('class="sides', 1)[-1].split('<div class="grid">')[0]):
            if href.startswith(("/quotes", "/events", "/search")):
                n = re.match(r"(\d+)( articles?)?$", shown.strip())
                if n:  # a count (shares and tones link to the same rows as their counts)
                    assert listed(client, html_lib.unescape(href)) == int(n.group(1)), (href, shown)
                    checked += 1
    assert checked >= 8, checked


def test_compare_page_puts_two_sides_next_to_each_other(client: TestClient):
    html = client.get("/compare", params={"a": "RU", "b": "NO"}).text
    assert html.count('class="card side"') == 2
    assert "Whom they quote" in html and "Most distinctive words" in html
    bad = client.get("/compare", params={"a": "RU", "b": "nowhere=1"})
    assert bad.status_code == 200 and 'class="error"' in bad.text and 'class="card side"' not in bad.text


def test_demo_ends_by_serving_the_dashboard(tmp_path: Path):
    """``make demo`` runs this module: after its summary it serves the dashboard and prints the address."""
    import httpx

    from polarwatch.demo import free_port

    port = free_port("127.0.0.1", 0)
    cmd = [sys.executable, "-m", "polarwatch.demo", "--db", str(tmp_path / "demo.db"), "--shared", str(tmp_path / "absent"),
           "--port", str(port)]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()  # type: ignore[union-attr]
    try:
        url, seen, deadline = None, [], time.monotonic() + 240
        while url is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                continue
            seen.append(line)
            m = re.search(r"== dashboard: (http://127\.0\.0\.1:\d+/)", line)
            url = m.group(1) if m else None
        assert url, "".join(seen[-20:])
        assert "FICTIONAL sample" in "".join(seen)
        for _ in range(100):
            try:
                r = httpx.get(url, timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert r.status_code == 200 and "Overview" in r.text
        assert r.headers["content-security-policy"] == CSP
    finally:
        proc.terminate()
        proc.wait(20)
