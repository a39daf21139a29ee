"""Acceptance of the ingest and cleaning stages on the two real seed articles (gold.json)."""

from __future__ import annotations

import re
from pathlib import Path

import polarwatch
from polarwatch.config import Settings
from polarwatch.ingest import read_paths
from polarwatch.pipeline import to_article
from polarwatch.records import Article, RawDoc


def _ws(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def _article(seeds: Path, name: str) -> Article:
    docs = [d for d in read_paths([seeds / name], Settings()) if isinstance(d, RawDoc)]
    assert len(docs) == 1
    art = to_article(docs[0])
    assert isinstance(art, Article)
    return art


def test_clean_paragraph_counts_match_gold(seeds, seeds_gold):
    for name, gold in seeds_gold["articles"].items():
        art = _article(seeds, name)
        assert len(art.paragraphs) == gold["clean_paragraph_count"], (name, art.paragraphs)


def test_000_body_is_the_five_unique_paragraphs_in_order(seeds):
    art = _article(seeds, "000_791a3bd2037d847a.txt")
    starts = ["Sources have told", "Russia-China cooperation is based", "Meanwhile, the opportunities", "“Driving a wedge", "While it remains"]
    assert [p[: len(s)] for p, s in zip(art.paragraphs, starts)] == starts
    # The joined "said.Meanwhile" line was split, and the repeats were dropped as duplicates.
    assert art.paragraphs[1].endswith("Leksyutina said.")
    assert [r.rule for r in art.removed] == ["duplicate", "duplicate"]


def test_duplicate_paragraphs_of_gold_appear_once(seeds, seeds_gold):
    for name, gold in seeds_gold["articles"].items():
        body = _ws(" ".join(_article(seeds, name).paragraphs))
        for dup in gold["duplicate_paragraphs"]:
            assert body.count(_ws(dup)) == 1, (name, dup)


def test_no_boilerplate_left_in_body(seeds, seeds_gold):
    for name, gold in seeds_gold["articles"].items():
        art = _article(seeds, name)
        body = _ws(" ".join(art.paragraphs))
        for line in gold["boilerplate"]:
            assert _ws(line) not in body, (name, line)
        removed = _ws(" ".join(r.text for r in art.removed))
        for line in gold["boilerplate"]:
            assert _ws(line) in removed, f"{line!r} should be recorded as removed"


def test_004_body_runs_from_kremlin_to_beijing(seeds):
    art = _article(seeds, "004_ed1f8c7022a83c26.txt")
    assert art.paragraphs[0].startswith("The Kremlin on Tuesday")
    assert art.paragraphs[-1].startswith("Beijing and Moscow have been working together")
    rules = {r.rule for r in art.removed}
    assert {"caption", "related", "report_error", "comment_form", "comment_notice"} <= rules


def test_title_and_header_fields_match_gold(seeds, seeds_gold):
    for name, gold in seeds_gold["articles"].items():
        art = _article(seeds, name)
        assert art.title == gold["title"]
        assert art.published == gold["published"]
        header = gold["header"]
        assert art.url == (header["url"] if header else None)


def test_004_date_is_unknown_not_the_caption_date(seeds):
    art = _article(seeds, "004_ed1f8c7022a83c26.txt")
    assert art.published is None


def test_outlets_match_gold(seeds, seeds_gold):
    a0 = _article(seeds, "000_791a3bd2037d847a.txt")
    g0 = seeds_gold["articles"]["000_791a3bd2037d847a.txt"]["outlet"]
    assert a0.outlet is not None
    assert (a0.outlet.domain, a0.outlet.name, a0.outlet.country, a0.outlet.kind) == (g0["domain"], g0["name"], g0["country"], g0["ownership"])
    assert not a0.outlet.inferred and a0.outlet.confidence == 1.0
    a4 = _article(seeds, "004_ed1f8c7022a83c26.txt")
    g4 = seeds_gold["articles"]["004_ed1f8c7022a83c26.txt"]["outlet"]
    assert a4.outlet is not None
    assert a4.outlet.name in g4["name"] and a4.outlet.country == g4["country"]
    assert a4.outlet.kind == "public-broadcaster"
    assert a4.outlet.inferred and a4.outlet.confidence < 1.0


def test_curly_quotes_are_kept(seeds):
    art = _article(seeds, "004_ed1f8c7022a83c26.txt")
    assert any(p.startswith("“Increasingly") for p in art.paragraphs)


def test_seeds_round_trip_through_the_store(seeds, seeds_gold, db):
    rep = polarwatch.ingest([seeds], db=db)
    assert (rep.read, rep.new, len(rep.failed)) == (2, 2, 0)
    assert [str(s.source).endswith("gold.json") for s in rep.skipped] == [True]
    for aid in rep.new_ids:
        stored = polarwatch.show(aid, db=db)
        assert stored is not None
        name = Path(stored.article.sources[0].path).name
        assert len(stored.article.paragraphs) == seeds_gold["articles"][name]["clean_paragraph_count"]
    again = polarwatch.ingest([seeds], db=db)
    assert (again.new, again.duplicate, again.updated) == (0, 2, 0)
