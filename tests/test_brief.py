"""Briefs over a real store (the story gold articles, tests/_api_corpus.py): each section's content, the
numbers behind every figure recomputed from the store, scope, dates, the CLI contract, HTML and PDF."""

from __future__ import annotations

import io
import json
import re
import sqlite3
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from _api_corpus import copy, corpus
from polarwatch import lib
from polarwatch.analysis import network, trends
from polarwatch.brief import BriefError, Scope, build_brief, make_period, period_dates, render_html, render_pdf
from polarwatch.cli import main
from polarwatch.store import open_store

SINCE, UNTIL = "2025-09-01", "2025-09-30"  # two multi-outlet stories: the Svalbard trawler and the Pentagon report
TODAY = str(date.today())
HOSTILE_QUOTE = "<script>alert('q')</script>"


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    return corpus(tmp_path_factory)


@pytest.fixture(scope="module")
def store(db):
    s = open_store(db)
    yield s
    s.close()


@pytest.fixture(scope="module")
def brief(store):
    return build_brief(store, SINCE, UNTIL)


@pytest.fixture(scope="module")
def html(brief):
    return render_html(brief)


@pytest.fixture(scope="module")
def today_db(db, tmp_path_factory) -> str:
    """The corpus plus one article dated today whose quote carries markup, with a resolved speaker."""
    folder = tmp_path_factory.mktemp("brief-today")
    out = copy(db, folder / "today.db")
    rec = folder / "today.jsonl"
    rec.write_text(json.dumps({
        "url": "https://www.nrk.no/brief-test/patrols", "title": "Norway to patrol the Barents Sea daily", "published": TODAY,
        "text": f'"We will patrol the Barents Sea every single day {HOSTILE_QUOTE} and nobody will stop us," said Norwegian '
                "Defence Minister Tore Sandvik on Monday.\n\nSandvik said the Coast Guard would add two vessels to the patrols near Svalbard.",
    }) + "\n", encoding="utf-8")  # fmt: skip
    rep = lib.ingest([rec], out)
    assert rep.new == 1 and not rep.failed
    return out


def rows_of(store, sql: str, args=()) -> list[tuple]:
    return [tuple(r) for r in store.db.execute(sql, args)]


def in_period(since: str = SINCE, until: str = UNTIL) -> tuple[str, list[str]]:
    return "a.published >= ? AND a.published < ?", [since, until + "\uffff"]


def text_of(html: str) -> str:
    """The visible text of an HTML fragment, entities decoded, white space collapsed."""
    import html as h

    return re.sub(r"\s+", " ", h.unescape(re.sub(r"<[^>]+>", " ", html)))


def section(html: str, sid: str) -> str:
    m = re.search(rf'<section id="{sid}">(.*?)</section>', html, re.S)
    assert m, f"no section {sid}"
    return m.group(1)


# -- sections ------------------------------------------------------------------------------------------
def test_every_section_is_there(html):
    for sid in ("summary", "stories", "quotes", "events", "themes", "framing", "figures"):
        assert f'<section id="{sid}">' in html
    for key in ("events_timeline", "themes_over_time", "actor_network"):
        assert f'<figure id="fig-{key}">' in html


def test_top_stories_and_the_outlets_that_told_them(store, brief, html):
    cond, args = in_period()
    want = Counter(dict(rows_of(store, "SELECT sa.story_id, COUNT(*) FROM story_articles sa JOIN articles a ON a.rowid = sa.article_rowid "
                                       f"WHERE {cond} GROUP BY 1", args)))  # fmt: skip
    assert [s.id for s in brief.stories] == sorted(want, key=lambda s: (-want[s], -len({o for o in rows_of(
        store, "SELECT a.outlet_name FROM story_articles sa JOIN articles a ON a.rowid = sa.article_rowid WHERE sa.story_id = ? AND " + cond,
        [s, *args])}), s))[: len(brief.stories)]  # fmt: skip
    titles = [s.title for s in brief.stories]
    assert "Coast Guard detains Russian trawler in Svalbard zone" in titles[:2]
    assert "Pentagon Arctic report warns of growing Russia-China military alignment" in titles[:2]
    for s in brief.stories:
        assert s.articles == want[s.id] == len(s.items) == sum(o.articles for o in s.outlets)
        outlets = Counter(rows_of(store, "SELECT a.outlet_name, a.outlet_country, a.outlet_kind FROM story_articles sa "
                                         f"JOIN articles a ON a.rowid = sa.article_rowid WHERE sa.story_id = ? AND {cond}", [s.id, *args]))  # fmt: skip
        assert {(o.name, o.country, o.kind): o.articles for o in s.outlets} == dict(outlets)
    stories = text_of(section(html, "stories"))
    assert "Coast Guard detains Russian trawler in Svalbard zone" in stories
    assert "TASS [RU, state-controlled]" in stories and "NRK [NO, public-broadcaster]" in stories
    assert f'href="http://127.0.0.1:8000/story/{brief.stories[0].id}"' in section(html, "stories")


def test_quotes_are_ranked_by_the_documented_significance(store, brief, html):
    assert brief.quotes
    cond, args = in_period()
    scores = []
    for q in brief.quotes:
        prominence = rows_of(store, "SELECT COUNT(DISTINCT q.article_rowid) FROM quotes q JOIN articles a ON a.rowid = q.article_rowid "
                                    f"WHERE q.speaker_id = ? AND {cond}", [q.speaker_id, *args])[0][0]  # fmt: skip
        story = rows_of(store, "SELECT sa.story_id FROM story_articles sa JOIN articles a ON a.rowid = sa.article_rowid WHERE a.id = ?", [q.article.id])
        size = rows_of(store, "SELECT COUNT(*) FROM story_articles sa JOIN articles a ON a.rowid = sa.article_rowid "
                              f"WHERE sa.story_id = ? AND {cond}", [story[0][0], *args])[0][0] if story else 1  # fmt: skip
        assert (q.prominence, q.story_size) == (prominence, size)
        assert q.score == prominence * size * (1 + q.elsewhere)
        assert len(q.text.split()) >= 5 and q.speaker_id
        # The link is the dashboard's article page anchored on the quote's span, which holds the quote.
        m = re.fullmatch(r"http://127\.0\.0\.1:8000/article/(\w+)#span-(\d+)-(\d+)", q.article.href)
        assert m and m.group(1) == q.article.id
        assert store.get_body(q.article.id)[int(m.group(2)) : int(m.group(3))] == q.text
        scores.append(q.score)
    assert scores == sorted(scores, reverse=True)
    quotes = text_of(section(html, "quotes"))
    for q in brief.quotes[:3]:
        assert q.speaker in quotes and " ".join(q.text.split()[:6]) in quotes
    assert "Irina Valentseva" in {q.speaker for q in brief.quotes}  # the Russian foreign ministry's spokeswoman on the trawler


def test_new_events_were_never_reported_before_the_period(store, brief, html):
    assert brief.new_events
    cond, args = in_period()
    for typ, items in brief.new_events.items():
        for e in items:
            pair = "(e.source_id = ? AND e.target_id = ?)" + (" OR (e.source_id = ? AND e.target_id = ?)" if e.symmetric else "")
            pargs = [e.source_id, e.target_id] + ([e.target_id, e.source_id] if e.symmetric else [])
            before = rows_of(store, f"SELECT COUNT(*) FROM events e JOIN articles a ON a.rowid = e.article_rowid WHERE e.type = ? AND ({pair}) "
                                    "AND a.published < ?", [typ, *pargs, SINCE])[0][0]  # fmt: skip
            now = rows_of(store, f"SELECT COUNT(*), COUNT(DISTINCT e.article_rowid) FROM events e JOIN articles a ON a.rowid = e.article_rowid "
                                 f"WHERE e.type = ? AND ({pair}) AND e.symmetric = ? AND {cond}", [typ, *pargs, int(e.symmetric), *args])[0]  # fmt: skip
            assert before == 0 and (e.events, e.articles) == now
    # A type and pair (same direction) reported both before and during the period is not new.
    old = rows_of(store, f"SELECT DISTINCT e.type, e.source_id, e.target_id FROM events e JOIN articles a ON a.rowid = e.article_rowid "
                         f"WHERE e.source_id IS NOT NULL AND e.target_id IS NOT NULL AND e.source_id != e.target_id AND {cond} "
                         "AND EXISTS (SELECT 1 FROM events f JOIN articles b ON b.rowid = f.article_rowid WHERE f.type = e.type "
                         "AND f.source_id = e.source_id AND f.target_id = e.target_id AND b.published < ?)", [*args, SINCE])  # fmt: skip
    assert old, "the test corpus should hold a pair reported before and during the period"
    for typ, src, tgt in old:
        assert not any((e.source_id, e.target_id) == (src, tgt) or (e.symmetric and (e.target_id, e.source_id) == (src, tgt))
                       for e in brief.new_events.get(typ, []))  # fmt: skip
    events = section(html, "events")
    for typ in brief.new_events:
        assert f'data-type="{typ}"' in events


def test_themes_rising_and_falling_against_the_preceding_period(store, brief, html):
    assert brief.period.previous_since == "2025-08-02" and brief.period.previous_until == "2025-08-31"
    count = lambda s, u: Counter(dict(rows_of(store, "SELECT t.theme, COUNT(*) FROM article_themes t JOIN articles a ON "  # noqa: E731
                                                     "a.rowid = t.article_rowid WHERE a.published >= ? AND a.published < ? GROUP BY 1",
                                                     [s, u + "\uffff"])))  # fmt: skip
    now, before = count(SINCE, UNTIL), count("2025-08-02", "2025-08-31")
    got = {t.theme: (t.articles, t.previous) for t in brief.themes_rising + brief.themes_falling}
    assert got == {th: (now[th], before[th]) for th in set(now) | set(before) if now[th] != before[th]}
    assert all(t.change > 0 for t in brief.themes_rising) and all(t.change < 0 for t in brief.themes_falling)
    assert [t.change for t in brief.themes_rising] == sorted((t.change for t in brief.themes_rising), reverse=True)
    themes = section(html, "themes")
    for t in brief.themes_rising:
        assert f'data-theme="{t.theme}"' in themes


def test_framing_contrast_reuses_the_comparison(store, brief, html):
    from polarwatch.analysis import compare, parse_side

    assert brief.contrasts
    c = brief.contrasts[0]
    assert len(c.sides) == 2
    ref = compare(store, sides=[parse_side(s.bloc) for s in c.sides], since=SINCE, until=UNTIL, top=5, words=8, **{c.what: c.id})
    for mine, theirs in zip(c.sides, ref["sides"]):
        assert mine.articles == theirs["articles"]
        assert [w["word"] for w in mine.words] == [w["word"] for w in theirs["words"]]
        assert [q["speaker"] for q in mine.quoted] == [s["speaker"] for s in theirs["quoted"]["speakers"][:5]]
    framing = text_of(section(html, "framing"))
    assert c.sides[0].bloc in framing and c.sides[1].bloc in framing and "Distinctive words" in framing


# -- figures and their data ----------------------------------------------------------------------------
def figure_table(html: str, key: str) -> list[list[str]]:
    """The rows (cell texts) of the data table right under figure *key*."""
    m = re.search(rf'<figure id="fig-{key}">.*?</figure>\s*<details open>.*?<table class="figure-data" data-figure="{key}">(.*?)</table>', html, re.S)
    assert m, f"figure {key} has no data table right under it"
    body = m.group(1).split("<tbody>")[1]
    return [[text_of(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)] for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_every_figure_has_its_data_table_with_the_records_numbers(brief, html):
    for f in brief.figures:
        assert f.svg.startswith("<svg") and "<script" not in f.svg
        table = figure_table(html, f.key)
        assert len(table) == len(f.rows) > 0
        for row, cells in zip(f.rows, table):
            assert cells[: len(f.columns)] == [str(row[c]) if row[c] is not None else "" for c in f.columns]
            assert row["refs"] and all(r.href.startswith("http://127.0.0.1:8000/article/") for r in row["refs"])


def test_events_timeline_numbers_equal_the_store(store, brief):
    cond, args = in_period()
    want = dict(((d, t), n) for d, t, n in rows_of(
        store, f"SELECT substr(a.published, 1, 10), e.type, COUNT(*) FROM events e JOIN articles a ON a.rowid = e.article_rowid WHERE {cond} "
               "GROUP BY 1, 2", args))  # fmt: skip
    got = {(r["period"], r["type"]): r["events"] for r in brief.figure("events_timeline").rows}
    assert got == want
    for r in brief.figure("events_timeline").rows:
        assert len(r["refs"]) + r["more"] == rows_of(
            store, f"SELECT COUNT(DISTINCT e.article_rowid) FROM events e JOIN articles a ON a.rowid = e.article_rowid WHERE {cond} "
                   "AND e.type = ? AND substr(a.published, 1, 10) = ?", [*args, r["type"], r["period"]])[0][0]  # fmt: skip


def test_themes_over_time_equal_the_trends_analysis(store, brief):
    rows = brief.figure("themes_over_time").rows
    themes = list(dict.fromkeys(r["theme"] for r in rows))
    ref = trends(store, "theme", "day", keys=themes, since=SINCE, until=UNTIL)
    want = {(p["period"], s["key"]): p["articles"] for s in ref["series"] for p in s["points"]}
    assert {(r["period"], r["theme"]): r["articles"] for r in rows} == want
    # The themes shown are the period's most frequent.
    cond, args = in_period()
    top = rows_of(store, f"SELECT t.theme FROM article_themes t JOIN articles a ON a.rowid = t.article_rowid WHERE {cond} "
                         "GROUP BY 1 ORDER BY COUNT(*) DESC, 1 LIMIT 6", args)  # fmt: skip
    assert sorted(themes) == sorted(t for t, in top)


def test_actor_network_edges_equal_the_network_analysis(store, brief):
    rows = brief.figure("actor_network").rows
    ref = network(store, SINCE, UNTIL)["edges"][: len(rows)]
    key = lambda e: (e["source"], e["target"], e["kind"], e["type"], e["weight"])  # noqa: E731
    assert [key(r) for r in rows] == [key(e) for e in ref]


def test_the_network_layout_is_deterministic():
    from polarwatch.brief.figures import layout

    links = [("a", "b", 3), ("b", "c", 1), ("c", "a", 2), ("d", "e", 1)]
    one, two = layout(list("abcde"), links), layout(list("abcde"), links)
    assert one == two
    assert all(0 <= x <= 1 and 0 <= y <= 1 for x, y in one.values())
    assert len({(round(x, 3), round(y, 3)) for x, y in one.values()}) == 5


# -- PDF -----------------------------------------------------------------------------------------------
def pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def test_pdf_holds_the_same_content(brief, html):
    pdf = render_pdf(html)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    for s in ("Arctic brief", "Top stories", "Who said what", "New events between actors", "Themes rising and falling",
              "Framing contrast between outlet blocs", "Data behind"):  # fmt: skip
        assert s in text, s
    for s in brief.stories[:2]:
        assert " ".join(s.title.split()[:4]) in text
    for q in brief.quotes[:3]:
        assert q.speaker in text
    assert "TASS [RU, state-controlled]" in text
    # The figures' data tables and the plots' own labels are text in the PDF too: the last day label of the
    # time axes (every third day from the 1st) is in the two SVGs and nowhere else on the page.
    net = brief.figure("actor_network").rows[0]
    assert net["source_name"] in text
    svgs = "".join(f.svg for f in brief.figures)
    assert html.count("2025-09-28") == svgs.count("2025-09-28") == 2
    assert text.count("2025-09-28") == 2


# -- scope ---------------------------------------------------------------------------------------------
def test_scope_by_actor_theme_and_outlet_narrows_the_brief(store, brief):
    cond, args = in_period()
    cn = build_brief(store, SINCE, UNTIL, Scope(actors=("CN",)))
    want = rows_of(store, f"SELECT COUNT(*) FROM articles a WHERE {cond} AND a.rowid IN (SELECT article_rowid FROM mentions WHERE country = 'CN')", args)
    assert 0 < cn.articles == want[0][0] < brief.articles
    for s in cn.stories:
        for r in s.items:
            assert rows_of(store, "SELECT COUNT(*) FROM mentions m JOIN articles a ON a.rowid = m.article_rowid WHERE a.id = ? AND m.country = 'CN'",
                           [r.id])[0][0]  # fmt: skip
    tass = build_brief(store, SINCE, UNTIL, Scope(outlets=("tass", "rt.com")))
    assert 0 < tass.articles < brief.articles
    assert {o.name for s in tass.stories for o in s.outlets} <= {"TASS", "RT"}
    fish = build_brief(store, SINCE, UNTIL, Scope(themes=("fisheries",)))
    want = rows_of(store, f"SELECT COUNT(*) FROM articles a JOIN article_themes t ON t.article_rowid = a.rowid WHERE {cond} AND t.theme = 'fisheries'", args)
    assert 0 < fish.articles == want[0][0] < brief.articles
    # Two actors: either of them; two fields: both.
    both = build_brief(store, SINCE, UNTIL, Scope(actors=("CN", "NO")))
    assert both.articles >= cn.articles
    narrow = build_brief(store, SINCE, UNTIL, Scope(actors=("CN",), outlets=("tass",)))
    assert narrow.articles <= min(cn.articles, tass.articles)
    with pytest.raises(BriefError, match="--theme"):
        build_brief(store, SINCE, UNTIL, Scope(themes=("knitting",)))


def test_a_stored_watch_rule_scopes_the_brief(db, tmp_path):
    from polarwatch.monitor.state import MonitorState
    from polarwatch.monitor.watch import parse_rule

    path = copy(db, tmp_path / "watch.db")
    with open_store(path) as s:
        rid = MonitorState(s).add_rule("source=RU type=ACCUSE", parse_rule("source=RU type=ACCUSE"))
        by_id = build_brief(s, SINCE, UNTIL, Scope(watch=str(rid)))
        by_spec = build_brief(s, SINCE, UNTIL, Scope(watch="source=RU type=ACCUSE"))
        want = rows_of(s, "SELECT COUNT(DISTINCT a.rowid) FROM events e JOIN articles a ON a.rowid = e.article_rowid WHERE e.type = 'ACCUSE' "
                          "AND (e.source_country = 'RU' OR (e.symmetric = 1 AND e.target_country = 'RU')) AND a.published >= ? AND a.published < ?",
                       [SINCE, UNTIL + "\uffff"])[0][0]  # fmt: skip
        assert 0 < by_id.articles == by_spec.articles == want
        with pytest.raises(BriefError, match="--watch"):
            build_brief(s, SINCE, UNTIL, Scope(watch="99"))


# -- dates -----------------------------------------------------------------------------------------------
def test_an_empty_period_gives_a_valid_brief(store):
    b = build_brief(store, "2031-01-01", "2031-01-07")
    assert b.empty and not b.stories and not b.quotes and not b.new_events and not b.contrasts
    assert all(not f.rows for f in b.figures)
    page = render_html(b)
    assert "No articles in this period" in page
    assert "No articles in this period" in pdf_text(render_pdf(page))


def test_bad_dates_name_the_flag(store):
    with pytest.raises(BriefError, match="--since"):
        build_brief(store, "2025-02-30")
    with pytest.raises(BriefError, match="--until"):
        build_brief(store, "2025-02-01", "next week")
    with pytest.raises(BriefError, match="--until .* before --since"):
        build_brief(store, "2025-02-10", "2025-02-01")
    with pytest.raises(BriefError, match="--period"):
        period_dates("fortnight")


def test_period_shorthands_end_today():
    t = date(2026, 3, 10)
    assert period_dates("day", t) == (t, t)
    assert period_dates("week", t) == (date(2026, 3, 4), t)
    assert period_dates("month", t) == (date(2026, 2, 9), t)
    p = make_period(*period_dates("week", t))
    assert (p.previous_since, p.previous_until, p.days, p.bucket) == ("2026-02-25", "2026-03-03", 7, "day")
    assert make_period("2025-01-01", "2025-06-30").bucket == "week" and make_period("2020-01-01", "2025-06-30").bucket == "month"


# -- untrusted text ------------------------------------------------------------------------------------
def test_hostile_quote_is_escaped(today_db):
    with open_store(today_db) as s:
        b = build_brief(s, TODAY, TODAY)
    assert any(HOSTILE_QUOTE in q.text for q in b.quotes), [q.text for q in b.quotes]
    page = render_html(b)
    assert HOSTILE_QUOTE not in page and "<script" not in page
    assert "&lt;script&gt;alert(&#39;q&#39;)&lt;/script&gt;" in page
    assert "Tore O. Sandvik" in page


def test_figure_labels_are_escaped_in_the_svg():
    from polarwatch.brief.figures import draw_network

    svg = draw_network([{"source": "a", "source_name": "<script>alert(1)</script>", "target": "b", "target_name": "$x$ & <b>",
                         "kind": "event", "type": "ACCUSE", "directed": True, "weight": 2, "refs": [], "more": 0}])  # fmt: skip
    assert "<script" not in svg and "<b>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg and "$x$ &amp; &lt;b&gt;" in svg


def test_hostile_title_is_escaped(store):
    page = render_html(build_brief(store, "2025-03-20", "2025-03-20"))
    assert "Patrol" in page and "onmouseover=" not in page.replace("onmouseover=&#34;", "")
    assert "<b onmouseover" not in page


# -- templates -----------------------------------------------------------------------------------------
def test_a_user_template_is_used(brief, tmp_path):
    own = tmp_path / "mine.html"
    own.write_text("<h1>Desk note {{ period.since }}</h1>{% for q in brief.quotes %}<p>{{ q.speaker }}: {{ q.text }}</p>{% endfor %}"
                   "{% for f in brief.figures %}<i>{{ f.key }} {{ f.rows | length }}</i>{% endfor %}", encoding="utf-8")  # fmt: skip
    page = render_html(brief, own)
    assert page.startswith(f"<h1>Desk note {SINCE}</h1>") and "Top stories" not in page
    assert brief.quotes[0].speaker in page and f"actor_network {len(brief.figure('actor_network').rows)}" in page
    ext = tmp_path / "ext.html"
    ext.write_text('{% extends "polarwatch/brief.html" %}{% block header %}<h1>Barents desk</h1>{% endblock %}', encoding="utf-8")
    page = render_html(brief, ext)
    assert "<h1>Barents desk</h1>" in page and "Arctic brief</h1>" not in page and '<section id="quotes">' in page
    bad = tmp_path / "bad.html"
    bad.write_text("{% for x in %}", encoding="utf-8")
    with pytest.raises(BriefError, match="--template"):
        render_html(brief, bad)
    with pytest.raises(BriefError, match="--template"):
        render_html(brief, tmp_path / "absent.html")
    for text, message in (('{% extends "nowhere.html" %}', "nowhere.html"), ("{{ brief.no_such_field }}", "no_such_field")):
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(BriefError, match=message):
            render_html(brief, bad)


# -- the command line ----------------------------------------------------------------------------------
def test_cli_writes_html_and_pdf_and_prints_the_summary(db, brief, tmp_path):
    out = tmp_path / "desk" / "brief.html"
    res = CliRunner().invoke(main, ["--db", db, "brief", "--since", SINCE, "--until", UNTIL, "--out", str(out), "--pdf", "--json"])
    assert res.exit_code == 0, res.output
    got = json.loads(res.output)
    assert set(got) == {"html", "pdf", "period", "scope", "articles", "outlets", "empty", "sections", "figures"}
    assert got["html"] == str(out) and got["pdf"] == str(tmp_path / "desk" / "brief.pdf")
    assert got["period"] == {"since": SINCE, "until": UNTIL, "previous_since": "2025-08-02", "previous_until": "2025-08-31",
                             "days": 30, "bucket": "day"}  # fmt: skip
    assert got["scope"] == {"actors": [], "themes": [], "outlets": [], "watch": None}
    assert got["articles"] == brief.articles and got["empty"] is False
    assert got["sections"] == brief.counts()["sections"] and got["figures"] == brief.counts()["figures"]
    assert "Who said what" in out.read_text("utf-8")
    assert Path(got["pdf"]).read_bytes().startswith(b"%PDF")


def test_cli_scope_flags_and_plain_output(db, tmp_path):
    out = tmp_path / "b.html"
    res = CliRunner().invoke(main, ["--db", db, "brief", "--since", SINCE, "--until", UNTIL, "--out", str(out), "--actor", "CN",
                                    "--actor", "Norway", "--theme", "military", "--outlet", "tass", "--json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    got = json.loads(res.output)
    assert got["scope"] == {"actors": ["CN", "Norway"], "themes": ["military"], "outlets": ["tass"], "watch": None}
    assert got["pdf"] is None and not (tmp_path / "b.pdf").exists()
    res = CliRunner().invoke(main, ["--db", db, "brief", "--since", SINCE, "--until", UNTIL, "--out", str(out), "--base-url", "https://desk.example/pw/"])
    assert res.exit_code == 0 and res.output.startswith(f"wrote {out}: {SINCE} to {UNTIL},")
    assert 'href="https://desk.example/pw/article/' in out.read_text("utf-8")


def test_cli_period_ends_today(today_db, tmp_path):
    out = tmp_path / "week.html"
    res = CliRunner().invoke(main, ["--db", today_db, "brief", "--period", "week", "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    got = json.loads(res.output)
    assert got["period"]["until"] == TODAY and got["period"]["since"] == str(date.today() - timedelta(days=6))
    assert got["articles"] == 1 and "Norway to patrol the Barents Sea daily" in out.read_text("utf-8")


@pytest.mark.parametrize("args, message", [
    (["--since", "2025-13-01"], "--since: '2025-13-01' is not a date"),
    (["--since", "2025-01-01", "--until", "soon"], "--until: 'soon' is not a date"),
    (["--period", "week", "--since", "2025-01-01"], "--period is a shorthand ending today and cannot be combined with --since"),
    (["--period", "day", "--until", "2025-01-01"], "cannot be combined with --until"),
    ([], "give the dates"),
    (["--since", "2025-01-01", "--actor", "Atlantis"], "--actor: unknown actor 'Atlantis'"),
    (["--since", "2025-01-01", "--watch", "7"], "--watch: no watch rule '7'"),
])  # fmt: skip
def test_cli_errors_name_the_flag(db, tmp_path, args, message):
    res = CliRunner().invoke(main, ["--db", db, "brief", "--out", str(tmp_path / "x.html"), *args])
    assert res.exit_code == 2 and message in res.output, res.output
    assert not (tmp_path / "x.html").exists()


def test_cli_refuses_a_pdf_name_for_the_html(db, tmp_path):
    res = CliRunner().invoke(main, ["--db", db, "brief", "--since", SINCE, "--out", str(tmp_path / "b.pdf"), "--pdf"])
    assert res.exit_code == 2 and "--out" in res.output


# -- make demo -----------------------------------------------------------------------------------------
def test_demo_writes_a_brief_and_prints_its_path(tmp_path):
    import subprocess
    import sys

    db = tmp_path / "demo.db"
    res = subprocess.run([sys.executable, "-m", "polarwatch.demo", "--db", str(db), "--shared", str(tmp_path / "absent"), "--no-serve"],
                         capture_output=True, text=True, timeout=600)  # fmt: skip
    assert res.returncode == 0, res.stderr[-2000:]
    m = re.search(r"== brief of the corpus \((\S+) to (\S+), (\d+) articles\): (\S+)", res.stdout)
    assert m, res.stdout[-2000:]
    path = Path(m.group(4))
    assert path == (tmp_path / "brief.html").resolve() and path.is_file()
    n = sqlite3.connect(db).execute("SELECT COUNT(*) FROM articles WHERE published IS NOT NULL").fetchone()[0]
    assert int(m.group(3)) == n > 0
    page = path.read_text("utf-8")
    assert '<section id="stories">' in page and re.search(r'href="http://127\.0\.0\.1:\d+/article/\w+', page)


# -- PostgreSQL ----------------------------------------------------------------------------------------
def test_the_same_brief_from_a_postgresql_store(db, pg_server):
    """The corpus ingested into a PostgreSQL schema gives the brief the SQLite store gives (all but the time
    it was made), unscoped and scoped."""
    pytest.importorskip("psycopg")
    from _postgres import pg_test_schema

    url, drop = pg_test_schema(pg_server)
    try:
        rep = lib.ingest([Path(db).parent / "gold.jsonl", Path(__file__).parent / "fixtures" / "clean"], url)
        assert not rep.failed, rep.failed
        with open_store(db) as lite, open_store(url) as pg:
            for scope in (Scope(), Scope(actors=("CN", "Norway"), themes=("military",), outlets=("tass",))):
                a, b = (build_brief(s, SINCE, UNTIL, scope).as_dict(svg=True) for s in (lite, pg))
                a.pop("generated"), b.pop("generated")
                assert a == b
    finally:
        drop()


# -- the real Wikinews corpus (../shared) ----------------------------------------------------------------
def test_a_brief_of_real_wikinews_articles(tmp_path):
    """January 2020 of the Wikinews corpus, with December 2019 before it (the themes' comparison period)."""
    import csv

    from conftest import shared_dir

    folder = shared_dir("wikinews") / "data"
    part = tmp_path / "wikinews-2019-12-2020-01.csv"
    with part.open("w", encoding="utf-8", newline="") as out:
        w = csv.writer(out)
        w.writerow(["url", "date", "title", "text"])
        for name in ("wikinews_2019.csv", "wikinews_2020.csv"):
            with (folder / name).open(encoding="utf-8", newline="") as f:
                for r in csv.DictReader(f):
                    if "2019-12-01" <= r["date"] <= "2020-01-31":
                        w.writerow([r["url"], r["date"], r["title"], r["text"]])
    path = str(tmp_path / "wn.db")
    rep = lib.ingest([part], path)
    assert rep.new > 10 and not rep.failed
    with open_store(path) as s:
        b = build_brief(s, "2020-01-01", "2020-01-31")
        assert b.period.previous_since == "2019-12-01"
        n = rows_of(s, "SELECT COUNT(*) FROM articles a WHERE a.published >= '2020-01-01' AND a.published < '2020-01-31\uffff'")[0][0]
        assert b.articles == n > 0 and b.outlets == 1
        assert b.stories and all(o.name == "Wikinews" for st in b.stories for o in st.outlets)
        assert any("Soleimani" in (st.title or "") for st in b.stories)
        ref = network(s, "2020-01-01", "2020-01-31")["edges"]
        rows = b.figure("actor_network").rows
        assert [(r["source"], r["target"], r["kind"], r["weight"]) for r in rows] == [(e["source"], e["target"], e["kind"], e["weight"]) for e in ref[: len(rows)]]
        page = render_html(b)
    assert "Soleimani" in text_of(section(page, "stories"))
    assert "Soleimani" in pdf_text(render_pdf(page))


def test_similar_quotes_are_found_as_by_comparing_every_pair():
    import random

    from polarwatch.brief.sections import SAME_WORDS, similar

    rng = random.Random(3)
    vocab = [f"w{i}" for i in range(60)]
    sets = [frozenset(rng.sample(vocab[: rng.randint(12, 60)], rng.randint(0, 12))) for _ in range(300)]
    sets += [frozenset(sorted(x)[:-1]) for x in sets[:40]]  # near copies
    want = [{j for j, y in enumerate(sets) if j != i and x and y and len(x & y) / len(x | y) >= SAME_WORDS} for i, x in enumerate(sets)]
    assert similar(sets) == want
    assert sum(map(len, want)) > 40


def test_printing_fetches_nothing(tmp_path):
    """A template pointing at a stylesheet and an image on a server: the PDF is printed without asking it."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            asked.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args) -> None:  # noqa: ANN002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        local = tmp_path / "secret.png"
        local.write_bytes(b"not an image")
        pdf = render_pdf(f'<html><head><link rel="stylesheet" href="{base}/style.css"></head><body><p>Offline</p>'
                         f'<img src="{base}/logo.png"><img src="file://{local}"></body></html>')  # fmt: skip
    finally:
        server.shutdown()
    assert asked == []
    assert "Offline" in pdf_text(pdf)


def test_an_unknown_watch_rule_is_an_error_even_for_an_empty_period(store):
    """The rule is looked up before the period's articles, so a typo is not an empty brief."""
    with pytest.raises(BriefError, match="--watch"):
        build_brief(store, "2031-01-01", "2031-01-02", Scope(watch="no such rule"))
