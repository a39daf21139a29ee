"""The dashboard in a real headless Chromium (Debian's package, driven by Playwright).

Loads every page from a live server on a loopback port, follows a quote to its article, selects a
highlight, applies a filter and a facet, drags nothing but checks the network draws; fails on any
console error, page error, dialog or Content-Security-Policy violation. Screenshots of each page go
to a temporary folder, or to ``docs/screenshots/`` when ``POLARWATCH_SCREENSHOTS=1``.

Skipped only when Chromium or Playwright is missing on a developer's machine; under CI (env ``CI``
set) a missing browser is a failure, since ``.ci/run`` installs it.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from test_web import ARTICLES, _one, build_store

CHROMIUM = os.environ.get("POLARWATCH_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip
SHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
MAX_SHOT = 300_000


def _need(ok: bool, what: str) -> None:
    if ok:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing under CI: .ci/run installs it (apt-get install chromium; pip install -e '.[test]')")
    pytest.skip(f"{what} is missing: install Debian's chromium (apt-get install -y chromium) and playwright to run browser tests",
                allow_module_level=True)


_need(Path(CHROMIUM).exists() or bool(shutil.which("chromium")), f"Chromium ({CHROMIUM})")
try:
    from playwright.sync_api import Page, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    _need(False, "Playwright for Python")
import uvicorn  # noqa: E402

from polarwatch.web import serving_app  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    db = build_store(tmp_path_factory.mktemp("webb"))
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(serving_app(db), host="127.0.0.1", port=port, log_level="warning"))
    t = threading.Thread(target=srv.run, daemon=True)
    t.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", db
    srv.should_exit = True
    t.join(10)


class Problems:
    """Console errors, page errors, dialogs and CSP violations seen by one page."""

    def __init__(self, page: "Page") -> None:
        self.items: list[str] = []
        page.on("console", lambda m: self.items.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: self.items.append(f"page error: {e}"))
        page.on("dialog", lambda d: (self.items.append(f"dialog: {d.message}"), d.dismiss()))
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', function (e) {"
            " console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI); });"
        )

    def check(self, where: str) -> None:
        assert not self.items, f"{where}: {self.items}"


@pytest.fixture(scope="module")
def browser():  # noqa: ANN201
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):  # noqa: ANN001, ANN201
    ctx = browser.new_context(viewport={"width": 1280, "height": 860})
    pg = ctx.new_page()
    pg.problems = Problems(pg)
    yield pg
    ctx.close()


def _shot(page: "Page", name: str, tmp_path: Path) -> None:
    out = SHOTS if os.environ.get("POLARWATCH_SCREENSHOTS") == "1" else tmp_path
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size < MAX_SHOT, f"{name}.png is {path.stat().st_size} bytes"


def test_every_page_loads_clean(page, server, tmp_path: Path):  # noqa: ANN001
    base, db = server
    aid = _one(db, "SELECT id FROM articles WHERE url = ?", ARTICLES[0]["url"])[0]
    story = _one(db, "SELECT story_id FROM story_articles GROUP BY 1 ORDER BY COUNT(*) DESC, 1 LIMIT 1")[0]
    actor = _one(db, "SELECT speaker_id FROM quotes WHERE speaker_id IS NOT NULL GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1")[0]
    thread = _one(db, "SELECT thread_id FROM thread_stories GROUP BY 1 ORDER BY COUNT(*) DESC, 1 LIMIT 1")
    pages = {
        "overview": "/", "article": f"/article/{aid}", "actor": f"/actor/{actor}", "story": f"/story/{story}",
        **({"thread": f"/thread/{thread[0]}"} if thread else {}),
        "compare": "/compare?a=RU&b=NO", "network": "/network", "search": "/search?q=Arctic", "events": "/events",
        "quotes": "/quotes",
    }  # fmt: skip
    for name, url in pages.items():
        resp = page.goto(base + url)
        assert resp is not None and resp.status == 200, url
        assert resp.headers.get("content-security-policy", "").startswith("default-src 'self'"), url
        page.wait_for_load_state("load")
        if name == "network":
            page.wait_for_selector("svg#graph[data-ready]")
            assert page.get_attribute("svg#graph", "data-ready") == "1"
        assert page.evaluate("typeof window.__pwned") == "undefined", url
        page.problems.check(url)
        _shot(page, name, tmp_path)


def test_hostile_article_runs_nothing(page, server):  # noqa: ANN001
    base, db = server
    aid = _one(db, "SELECT id FROM articles WHERE url = ?", ARTICLES[0]["url"])[0]
    page.goto(f"{base}/article/{aid}")
    assert "<script>window.__pwned=1</script>" in page.inner_text("h1")  # shown as text
    assert page.evaluate("typeof window.__pwned") == "undefined"
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    assert hrefs and not [h for h in hrefs if h.strip().lower().startswith("javascript:")]
    assert page.locator("img, svg[onload]").count() == 0 or page.locator("#text img").count() == 0
    page.problems.check("hostile article")


def test_follow_a_quote_to_its_article_and_select_a_highlight(page, server):  # noqa: ANN001
    base, _db = server
    page.goto(f"{base}/quotes")
    link = page.locator("ol.evidence blockquote a[href*='#span-']").first
    href = link.get_attribute("href")
    start, end = (int(x) for x in re.search(r"#span-(\d+)-(\d+)$", href).groups())
    link.click()
    page.wait_for_url(re.compile(r"/article/[0-9a-f]+#span-\d+-\d+$"))
    lit = page.locator("#text span.target")
    assert lit.count() > 0
    assert lit.first.is_visible()
    for s, e in page.eval_on_selector_all("#text span.target", "els => els.map(x => [+x.dataset.s, +x.dataset.e])"):
        assert s < end and e > start
    page.locator("#text .hl.k-quote[data-refs]").first.click()
    assert page.locator("#selected").is_visible()
    assert page.locator("#selected-body li").count() >= 1
    # The removed boilerplate opens on request.
    page.locator("details.removed summary").click()
    assert page.locator("details.removed").get_attribute("open") is not None
    page.problems.check("quote to article")


def test_filters_and_facets_narrow_the_search(page, server):  # noqa: ANN001
    base, db = server
    n_all = _one(db, "SELECT COUNT(*) FROM articles")[0]
    n_ru = _one(db, "SELECT COUNT(*) FROM articles WHERE outlet_country = 'RU'")[0]
    page.goto(f"{base}/search")
    assert page.locator("p.lede").inner_text().startswith(f"{n_all} articles match")
    page.fill("form.filters input[name=country]", "RU")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"country=RU"))
    assert page.locator("p.lede").inner_text().startswith(f"{n_ru} articles match")
    page.locator("[data-facet=kind] a").first.click()
    page.wait_for_url(re.compile(r"kind="))
    assert "kind:" in page.locator("p.lede").inner_text()
    page.problems.check("search filters")


def test_network_node_selection_shows_its_links(page, server):  # noqa: ANN001
    base, _db = server
    page.goto(f"{base}/network")
    page.wait_for_selector("svg#graph[data-ready='1']")
    nodes = page.locator("svg#graph g.node")
    assert nodes.count() > 1
    nodes.first.dispatch_event("pointerdown", {"pointerId": 1, "clientX": 0, "clientY": 0})
    page.locator("svg#graph").dispatch_event("pointerup", {"pointerId": 1})
    assert page.locator("#node-info h2 a").count() == 1
    page.problems.check("network")


def test_a_compare_number_leads_to_as_many_rows_and_on_to_the_sentence(page, server):  # noqa: ANN001
    """Click a number on the compare page (a speaker's quotes, an event count, a theme's articles): the
    listing's lede gives that number and shows that many rows; a quote row opens its article on its span."""
    base, _db = server
    cmp_url = f"{base}/compare?a=RU&b=country%3DNO%2CCA%2CUS"
    for sel, rows in (("td.n a.num[href^='/quotes?'][href*='speaker_key=']", "ol.evidence > li blockquote a[href^='/article/']"),
                      ("td.n a.num[href^='/events?']", "ol.evidence > li blockquote a[href^='/article/']"),
                      ("td.sub a.num[href^='/search?'][href*='theme=']", "ol.hits > li:not(.empty) a[href^='/article/']")):  # fmt: skip
        page.goto(cmp_url)
        num = page.locator(f"section.side {sel}").first
        shown = int(re.match(r"\d+", num.inner_text()).group())
        num.click()
        page.wait_for_load_state("load")
        total = re.search(r"(\d+)\+? (?:quotes|events|articles)\b", page.locator("p.lede").inner_text())
        assert total and int(total.group(1)) == shown, (sel, page.url)
        assert page.locator(rows).count() == shown, (sel, page.url)
    page.goto(cmp_url)
    page.locator("section.side td.n a.num[href^='/quotes?']").first.click()
    page.wait_for_url(re.compile(r"/quotes\?"))
    link = page.locator("ol.evidence blockquote a[href*='#span-']").first
    span = link.get_attribute("href").split("#", 1)[1]
    link.click()
    page.wait_for_url(re.compile(r"/article/[0-9a-f]+#span-\d+-\d+$"))
    assert page.url.endswith("#" + span) and page.locator("#text span.target").count() > 0
    page.problems.check("compare number to its rows")
