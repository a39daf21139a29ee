"""Watch rules and alerts: parsing, matching on stored extraction, evidence, duplicates, delivery (file, webhook, SMTP)."""

from __future__ import annotations

import email
import email.policy
import json
from xml.sax.saxutils import escape

import pytest
from click.testing import CliRunner
from test_monitor import Feeds, monitor, rss, store  # noqa: F401  (store: a fixture)
from test_monitor_fetch import Reply, SmtpSink, no_network, site  # noqa: F401  (fixtures: the autouse guard, a server)

from polarwatch.cli import main
from polarwatch.monitor import MonitorState, SmtpConfig, WatchError, channel, parse_rule
from polarwatch.monitor.watch import ArticleFacts, evaluate, sentence_around
from polarwatch.records import Event, Mention




# -- rules ---------------------------------------------------------------------------------------------------
def test_rules_are_normalised():
    assert parse_rule("source=CN theme=minerals") == [("source", ["country:CN"]), ("theme", ["minerals"])]
    assert parse_rule("actor=Russia actor=no type=threaten,Coerce keyword='Northern Sea Route' outlet=TASS") == [
        ("actor", ["id:ru"]), ("actor", ["country:NO"]), ("type", ["THREATEN", "COERCE"]),
        ("keyword", ["Northern Sea Route"]), ("outlet", ["TASS"]),
    ]  # fmt: skip
    assert parse_rule("target=Kremlin")[0][1][0].startswith("id:")
    assert parse_rule("theme=GNSS") == [("theme", ["gnss"])]


@pytest.mark.parametrize("spec, says", [
    ("", "empty rule"),
    ("CN", "not key=value"),
    ("sorce=CN", "unknown key 'sorce'"),
    ("type=BOMB", "unknown event type 'BOMB'"),
    ("theme=minrals", "unknown theme 'minrals'"),
    ("actor=Atlantis", "unknown actor 'Atlantis'"),
    ("source=XQ", "unknown country code 'XQ'"),
    ("keyword=", "no value for 'keyword'"),
    ("keyword='unclosed", "cannot read the rule"),
])  # fmt: skip
def test_bad_rules_name_the_bad_key_or_value(spec, says):
    with pytest.raises(WatchError, match=says):
        parse_rule(spec)


def _facts(body: str, events=(), mentions=(), themes=(), title: str = "A title") -> ArticleFacts:
    return ArticleFacts("abc", title, body, "http://127.0.0.1/a", "2025-11-18", "TASS", "tass.com",
                        list(events), list(mentions), [], list(themes))  # fmt: skip


BODY = ("Norway opened a new radar station in Vardø on Monday. Moscow called the move a provocation. "
        "Russia's foreign ministry said it would respond.\n\nFishing talks continue in the Barents Sea.")


def _span(s: str) -> tuple[int, int]:
    i = BODY.index(s)
    return i, i + len(s)


def test_event_conditions_hold_on_one_event_and_symmetric_events_read_both_ways():
    s, e = _span("Moscow called the move a provocation.")
    accuse = Event("ACCUSE", None, "called", s + 7, s + 13, s, e, source_id="ru", source_country="RU",
                   target_id="no", target_country="NO")  # fmt: skip
    sym = Event("COOPERATE", None, "talks", 0, 1, *_span("Fishing talks continue in the Barents Sea."),
                source_id="no", source_country="NO", target_id="ru", target_country="RU", symmetric=True)  # fmt: skip
    f = _facts(BODY, events=[accuse, sym])
    hit = evaluate(parse_rule("source=RU target=NO type=ACCUSE"), f)
    assert hit and hit["evidence"]["sentence"] == "Moscow called the move a provocation."
    assert BODY[hit["evidence"]["start"]:hit["evidence"]["end"]] == hit["evidence"]["sentence"]
    assert evaluate(parse_rule("source=NO target=RU type=ACCUSE"), f) is None  # direction matters
    assert evaluate(parse_rule("source=RU type=COOPERATE"), f)["matched"]["event"]["type"] == "COOPERATE"  # both ways
    assert evaluate(parse_rule("source=RU target=NO type=THREATEN"), f) is None


def test_actor_pairs_keywords_themes_and_outlets_with_the_best_sentence_as_evidence():
    ru, no = _span("Russia"), _span("Norway")
    mentions = [Mention(*no, "Norway", "country", "no", "Norway", "NO"), Mention(*ru, "Russia", "country", "ru", "Russia", "RU")]
    themes = [{"theme": "surveillance", "score": 4.0, "share": 1.0, "paragraphs": [0],
               "evidence": [{"start": _span("radar")[0], "end": _span("radar")[1], "term": "radar"}]}]  # fmt: skip
    f = _facts(BODY, mentions=mentions, themes=themes)
    hit = evaluate(parse_rule("actor=NO theme=surveillance keyword=radar,sonar outlet=tass"), f)
    assert hit["evidence"]["sentence"] == "Norway opened a new radar station in Vardø on Monday."
    assert hit["matched"]["keyword"] == ["radar"] and hit["matched"]["outlet"] == "TASS"
    assert evaluate(parse_rule("actor=RU actor=NO"), f) is not None
    assert evaluate(parse_rule("actor=RU actor=CN"), f) is None
    assert evaluate(parse_rule("outlet=Reuters"), f) is None
    assert evaluate(parse_rule("keyword=radars"), f) is None  # whole words only
    title_hit = evaluate(parse_rule("keyword=headline"), _facts(BODY, title="The headline word"))
    assert title_hit["evidence"] == {"sentence": "The headline word", "start": 0, "end": 17, "in_title": True}


def test_sentence_around():
    text = "First one. Second “quoted.” Third!\n\nNew para here."
    s, e = sentence_around(text, text.index("quoted"), text.index("quoted") + 6)
    assert text[s:e] == "Second “quoted.”"
    s, e = sentence_around(text, text.index("New"), text.index("New") + 3)
    assert text[s:e] == "New para here."


# -- alerts from monitored articles --------------------------------------------------------------------------
def test_alerts_are_raised_once_with_evidence_and_link_and_listed_as_json(site, store, tmp_path):
    feeds = Feeds(site, n=4, full=True)  # articles 0..3; 1 is about a fishing quota in Murmansk
    st = MonitorState(store)
    rid = st.add_rule('keyword="fishing quota"', parse_rule('keyword="fishing quota"'))
    out = tmp_path / "alerts.jsonl"
    mon = monitor(store, site)
    mon.channels = [channel(f"file:{out}", mon.fetcher)]
    rep = mon.cycle()
    assert rep.articles_new == 4 and rep.alerts == 1 and rep.deliveries == 1
    [line] = out.read_text().splitlines()
    a = json.loads(line)
    assert a["rule_id"] == rid and a["url"] == site.url("/news/1") and "fishing quota" in a["evidence"]["sentence"]
    body = store.get_article(a["article_id"]).article.body
    assert body[a["evidence"]["start"]:a["evidence"]["end"]] == a["evidence"]["sentence"]
    # The same story syndicated under another URL, same title, lightly edited: no second alert.
    copy = dict(feeds.items[1], link=site.url("/syndicated/1"))
    copy["content"] = copy["content"].replace("Tuesday", "Wednesday")
    site.routes["/feed.xml"] = lambda r: Reply(200, rss(feeds.items + [copy]), {"Content-Type": "text/xml"})
    rep = mon.cycle(force=True)
    assert rep.articles_new == 1 and rep.alerts == 0
    assert len(out.read_text().splitlines()) == 1
    res = CliRunner().invoke(main, ["--db", str(tmp_path / "monitor.db"), "alerts", "--json"])
    assert res.exit_code == 0
    [shown] = [json.loads(x) for x in res.output.splitlines()]
    assert set(shown) == {"id", "rule_id", "rule", "article_id", "title", "url", "outlet", "published", "evidence", "matched",
                          "delivery", "created_at"}  # fmt: skip
    assert shown["delivery"][f"file:{out}"]["ok"] is True


def test_webhook_failures_are_retried_and_nothing_is_sent_twice(site, store, tmp_path):
    Feeds(site, n=2, full=True)
    got, fail = [], {"on": True}

    def hook(r):  # noqa: ANN001, ANN202
        if fail["on"]:
            return Reply(500, b"down")
        got.append(json.loads(r.body))
        return Reply(204)

    site.routes["/hook"] = hook
    st = MonitorState(store)
    st.add_rule("keyword=council", parse_rule("keyword=council"))
    out = tmp_path / "a.jsonl"
    mon = monitor(store, site)
    mon.channels = [channel(f"webhook:{site.url('/hook')}", mon.fetcher), channel(f"file:{out}", mon.fetcher)]
    rep = mon.cycle()
    assert rep.alerts == 2 and rep.deliveries == 2 and len(rep.delivery_errors) == 2 and got == []
    fail["on"] = False
    rep = mon.cycle()
    assert rep.deliveries == 2 and not rep.delivery_errors
    assert len(got) == 2 and got[0]["type"] == "polarwatch.alert" and got[0]["alert"]["evidence"]["sentence"]
    assert len(out.read_text().splitlines()) == 2  # the file got each alert once
    assert mon.cycle().deliveries == 0
    hooks = [r for r in site.log if r.path == "/hook"]
    assert hooks[-1].headers["content-type"] == "application/json"


def test_email_alerts_go_to_an_smtp_server(site, store):
    Feeds(site, n=1, full=True)
    sink = SmtpSink()
    try:
        MonitorState(store).add_rule("keyword=council", parse_rule("keyword=council"))
        mon = monitor(store, site)
        cfg = SmtpConfig("127.0.0.1", sink.port, "watch@polarwatch.test")
        mon.channels = [channel("email:analyst@example.org", mon.fetcher, cfg)]
        rep = mon.cycle()
        assert rep.deliveries == 1 and not rep.delivery_errors
        [msg] = sink.messages
        assert "analyst@example.org" in msg["rcpt"][0]
        mail = email.message_from_string(msg["data"], policy=email.policy.default)
        assert mail["Subject"].strip().startswith("[polarwatch] keyword=council: Council approves")
        text = mail.get_content()
        assert site.url("/news/0") in text and "“Officials in Svalbard said" in text
    finally:
        sink.close()


def test_bad_channels_are_refused():
    from polarwatch.monitor import ChannelError, Fetcher
    from test_monitor_fetch import FAST

    f = Fetcher(FAST)
    for spec in ("pigeon:home", "file:", "email:nobody", "webhook:ftp://x"):
        with pytest.raises(ChannelError):
            channel(spec, f)


def test_rules_on_extraction_with_nlp_and_no_alert_for_a_near_duplicate(site, store):
    paras = [
        "China and Greenland signed an agreement on Monday to develop a rare earth mine near Narsaq, officials in Nuuk said.",
        "The deal gives a Chinese state company a majority stake in the Kvanefjeld deposit, one of the largest known "
        "deposits of rare earth elements and uranium outside China.",
        "Denmark criticised the agreement, saying the mining licence raised security questions for the whole Kingdom.",
        "Mining companies have long eyed the island's minerals, including lithium, graphite and zinc, as the ice retreats.",
    ] * 2
    html = "".join(f"<p>{escape(p)}</p>" for p in paras)
    items = [{"title": "China and Greenland sign rare earth deal", "link": site.url("/a"), "content": html},
             {"title": "Beijing, Nuuk agree on mine", "link": site.url("/b"), "content": html.replace("Monday", "Tuesday")}]
    site.routes["/feed.xml"] = lambda r: Reply(200, rss(items[:1]), {"Content-Type": "text/xml"})
    st = MonitorState(store)
    r1 = st.add_rule("source=CN type=AGREE", parse_rule("source=CN type=AGREE"))
    r2 = st.add_rule("theme=minerals actor=DK", parse_rule("theme=minerals actor=DK"))
    st.add_rule("theme=fisheries", parse_rule("theme=fisheries"))
    mon = monitor(store, site, nlp=True)
    try:
        rep = mon.cycle()
        alerts = {a["rule_id"]: a for a in st.alerts()}
        assert rep.alerts == 2 and set(alerts) == {r1, r2}
        assert alerts[r1]["evidence"]["sentence"].startswith("China and Greenland signed an agreement")
        assert alerts[r1]["matched"]["event"]["type"] == "AGREE"
        assert "Denmark" in alerts[r2]["evidence"]["sentence"] or "minerals" in alerts[r2]["evidence"]["sentence"]
        site.routes["/feed.xml"] = lambda r: Reply(200, rss(items), {"Content-Type": "text/xml"})
        rep = mon.cycle(force=True)
        assert rep.articles_new == 1 and rep.alerts == 0  # a near-duplicate under another title and URL
        assert store.get_near_duplicates(st.alerts()[0]["article_id"])
    finally:
        mon.close()


def test_cli_sources_watch_monitor_and_alerts(site, tmp_path):
    Feeds(site, n=2, full=True)
    db = str(tmp_path / "cli.db")
    run = lambda *args: CliRunner().invoke(main, ["--db", db, *args])  # noqa: E731
    assert run("sources", "add", site.url("/feed.xml"), "--id", "loop").exit_code == 0
    assert run("watch", "add", "keyword=council outlet=Loopback").exit_code == 0
    bad = run("watch", "add", "colour=red")
    assert bad.exit_code == 2 and "unknown key 'colour'" in bad.output
    out = tmp_path / "alerts.jsonl"
    res = run("monitor", "--once", "--source", "loop", "--no-nlp", "--allow-private", "--host-interval", "0", "--timeout", "2",
              "--notify", f"file:{out}", "--notify", "stdout", "--json")  # fmt: skip
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.output.splitlines()]
    cycle = [x["cycle"] for x in lines if "cycle" in x]
    assert cycle and cycle[0]["articles_new"] == 2 and cycle[0]["alerts"] == 2
    assert len([x for x in lines if "alert" in x]) == 2 and len(out.read_text().splitlines()) == 2
    listed = [json.loads(x) for x in run("sources", "list", "--json").output.splitlines()]
    loop = next(x for x in listed if x["id"] == "loop")
    assert loop["articles_found"] == 2 and loop["last_status"] == "ok" and loop["error_streak"] == 0
    assert run("watch", "remove", "1").exit_code == 0 and run("watch", "remove", "1").exit_code == 2
    assert "no source" in run("monitor", "--once", "--source", "nope").output
    text = run("alerts").output
    assert "keyword=council outlet=Loopback" in text and site.url("/news/") in text


def test_a_channel_added_later_gets_only_recent_alerts(site, store, tmp_path):
    Feeds(site, n=2, full=True)
    st = MonitorState(store)
    st.add_rule("keyword=council", parse_rule("keyword=council"))
    mon = monitor(store, site)
    assert mon.cycle().alerts == 2  # no channel yet
    st.db.execute("UPDATE alerts SET created_at = '2020-01-01T00:00:00+00:00' WHERE id = 1")  # an old one
    out = tmp_path / "late.jsonl"
    mon.channels = [channel(f"file:{out}", mon.fetcher)]
    assert mon.cycle().deliveries == 1
    assert [json.loads(x)["id"] for x in out.read_text().splitlines()] == [2]
