"""Cleaning rules: unit cases with traps, and hand-made fictional articles in several site styles."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from polarwatch.clean import _match_rule, clean, normalise, split_joined
from polarwatch.config import Settings
from polarwatch.ingest import read_paths
from polarwatch.pipeline import to_article
from polarwatch.records import Article, RawDoc, Source

FIX = Path(__file__).parent / "fixtures" / "clean"
CASES = sorted(p for p in FIX.iterdir() if p.suffix in (".txt", ".html")) if FIX.is_dir() else []


def _ws(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_fixture_article(path: Path):
    expect = json.loads(path.with_suffix(".expect.json").read_text("utf-8"))
    docs = [d for d in read_paths([path], Settings()) if isinstance(d, RawDoc)]
    assert len(docs) == 1, "the fixture should be read as one article"
    art = to_article(docs[0])
    assert isinstance(art, Article)
    assert art.title == expect["title"]
    assert art.published == expect["published"]
    assert [_ws(p) for p in art.paragraphs] == [_ws(p) for p in expect["paragraphs"]]
    body = " ".join(art.paragraphs)
    for s in expect["must_not_contain"]:
        assert _ws(s) not in body


def test_fixtures_cover_every_style():
    styles = {json.loads(p.with_suffix(".expect.json").read_text("utf-8"))["style"] for p in CASES}
    assert styles >= {"nordic", "russian-state", "chinese-state", "north-american"}


def test_normalise_keeps_curly_quotes_and_folds_spaces():
    assert normalise("  “Yes,”\u00a0she\u200b said\t\t’twas  ") == "“Yes,” she said ’twas"


@pytest.mark.parametrize(
    "text,parts",
    [
        ("Leksyutina said.Meanwhile, the ice", ["Leksyutina said.", "Meanwhile, the ice"]),
        ("the minister said.”The plan", ["the minister said.”", "The plan"]),
        ("The U.S.Navy and the E.U. agreed.", ["The U.S.Navy and the E.U. agreed."]),
        ("See https://example.com/a.Html for more.", ["See https://example.com/a.Html for more."]),
        ("Write to news@site.example.Thanks", ["Write to news@site.example.Thanks"]),
    ],
)
def test_split_joined(text, parts):
    assert split_joined(text) == parts


@pytest.mark.parametrize(
    "para,rule",
    [
        ("Photo: Ingrid Example", "caption"),
        ("A Russian frigate in the Barents Sea. Photo: Ola Nordmann / NTB", "caption"),
        ("Russian President Vladimir Putin at a meeting in Moscow. (Anna Example / POOL / AFP via Getty Images)", "caption"),
        ("© Sputnik / Ivan Example", "caption"),
        ("Read more: Icebreaker convoy reaches Pevek", "related"),
        ("Did you spot a typo? Let us know", "report_error"),
        ("3 comments", "comment_form"),
        ("Comments are moderated and will be published if they follow our rules.", "comment_notice"),
        ("Follow us on Telegram", "share"),
        ("Sign up for our Arctic newsletter", "newsletter"),
        ("This website uses cookies to improve your experience.", "cookie"),
        ("Copyright 2025 Example Media. All rights reserved.", "copyright"),
        ("(Reporting by Anna Example; Editing by Tom Sample)", "credits"),
        ("Source: Xinhua | Editor: Liu Example", "credits"),
        ("Friday, January 4, 2019", "date_line"),
        ("Reprinting is permitted only with a hyperlink to the original.", "reprint"),
    ],
)
def test_rules_catch_boilerplate(para, rule):
    assert _match_rule(para) == rule


@pytest.mark.parametrize(
    "para",
    [
        "The ministry said it would subscribe to the new NATO framework for Arctic search and rescue.",
        "Comments by the defence minister on Tuesday drew sharp criticism from Moscow.",
        "“We will share our data with every Arctic state,” the professor said.",
        "The audit report found serious errors in how the icebreaker contract was awarded.",
        "The photo, taken by a fisherman, showed the submarine surfacing near the coast.",
        "By contrast, Norway has kept its coast guard presence steady.",
        "Copyright law in Greenland was changed in 2024 to cover Inuit designs.",
        "Newsletter editors at three outlets said the leak was genuine.",
        "Share prices of Arctic shipping firms rose 4% on Monday after the announcement.",
        "Related talks between Oslo and Moscow on fisheries ended without agreement on Friday.",
    ],
)
def test_rules_keep_real_paragraphs(para):
    assert _match_rule(para) is None
    out = clean(RawDoc(Source("x"), "text", para, title="T", paragraphs=[para]))
    assert out.paragraphs == [para]


def test_related_list_runs_until_a_real_paragraph():
    paras = [
        "The first paragraph of the story, which ends like a sentence.",
        "Related stories:",
        "Norway: Fishing talks stall, Example News",
        "Icebreaker delayed by ice",
        "The story then continues with another full paragraph of text.",
    ]
    out = clean(RawDoc(Source("x"), "text", "", title="T", paragraphs=paras))
    assert out.paragraphs == [paras[0], paras[4]]
    assert [r.rule for r in out.removed] == ["related"] * 3


def test_fragments_after_the_comment_form_go_but_a_title_repeat_too():
    paras = ["Title of it", "Real paragraph one, ending well.", "Leave a comment", "Name", "Arctic Russia Norway"]
    out = clean(RawDoc(Source("x"), "text", "", title="Title of it", paragraphs=paras))
    assert out.paragraphs == ["Real paragraph one, ending well."]
    assert [r.rule for r in out.removed] == ["title_repeat", "comment_form", "comment_form", "after_end"]


def test_rule_prefilter_never_changes_a_decision():
    """The ``needs`` words only skip rules that could not match: every line of the fixtures, each
    rule's own examples above and lines built around each needed word decide the same without them."""
    from polarwatch.clean import _RULES

    lines = [ln for p in CASES for ln in p.read_text("utf-8").splitlines() if ln.strip()]
    for params in (test_rules_catch_boilerplate, test_rules_keep_real_paragraphs):
        for mark in params.pytestmark:
            if mark.name == "parametrize":
                lines += [v[0] if isinstance(v, tuple) else v for v in mark.args[1]]
    for _, _, _, needs in _RULES:
        for w in needs:
            lines += [f"Please note: {w} here.", f"{w.capitalize()} will not be published", f"Photo {w}: Reuters"]
    assert len(lines) > 300
    for ln in map(normalise, lines):
        assert _match_rule(ln) == _match_rule(ln, prefilter=False), ln


def test_duplicate_key_ignores_case_spaces_and_punctuation():
    from polarwatch.clean import _key

    assert _key("Ice, ice — BABY!") == _key("ice ice baby") == "iceicebaby"
    assert _key("Øya_2024 «Tromsø»") == "øya2024tromsø"
