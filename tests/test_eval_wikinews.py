"""The held-out Wikinews quote gold (tests/gold/wikinews): its offsets loader, and CI floors under the measured scores."""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from polarwatch.cli import main
from polarwatch.evaluate import gold as gold_mod
from polarwatch.evaluate.gold import GoldError, detect_format, load_gold, load_offsets_gold, shared_corpus_dir
from polarwatch.evaluate.run import _article, run_eval

from conftest import shared_dir

GOLD = Path(__file__).parent / "gold" / "wikinews"
DEV = Path(__file__).parent / "gold" / "wikinews-dev"  # development set: articles 41-80 of the same permutation
DEV2 = Path(__file__).parent / "gold" / "wikinews-dev2"  # second development set (speaker round 4): articles 81-95
DEV3 = Path(__file__).parent / "gold" / "wikinews-dev3"  # third development set (speaker round 5): articles 96-110
DEV4 = Path(__file__).parent / "gold" / "wikinews-dev4"  # the check set of speaker round 6: articles 111-125

TITLE = "Minister says talks will resume"
TEXT = (
    "Monday, May 4, 2020\n\n\n"
    "\u201cWe will be back at the table,\u201d the minister, Ana Lind, said on Monday. \u201cNothing is settled.\u201d\n\n\n"
    "The talks, according to her office, will resume in June."
)


def _sha(s: str) -> str:
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


def _span(text: str, sub: str) -> list[int]:
    i = text.index(sub)
    return [i, i + len(sub)]


def _tiny_gold(tmp_path: Path, **change) -> tuple[Path, Path]:
    """A shared corpus of one CSV row and an offsets gold folder for it; *change* overrides article fields."""
    shared = tmp_path / "shared" / "corpus"
    (shared / "news").mkdir(parents=True)
    with (shared / "news" / "a.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["url", "date", "title", "text"])
        w.writerow(["https://news.example/other", "2020-05-03", "Other", "Nothing said here."])
        w.writerow(["https://news.example/talks", "2020-05-04", TITLE, TEXT])
    parts = [_span(TEXT, "The talks"), _span(TEXT, "will resume in June")]
    article = {
        "file": "news/a.csv",
        "sha256": _sha(TEXT),
        "title_sha256": _sha(TITLE),
        "speakers": {"Ana Lind": {"type": "person", "aliases": ["Lind"]}},
        "quotes": [
            {"kind": "direct", "start": _span(TEXT, "We will")[0], "end": _span(TEXT, "table,")[1], "speaker": "Ana Lind",
             "speaker_mention": _span(TEXT, "the minister, Ana Lind"), "cue": _span(TEXT, "said")},
            {"kind": "direct", "start": _span(TEXT, "Nothing is settled.")[0], "end": _span(TEXT, "Nothing is settled.")[1],
             "speaker": "Ana Lind", "speaker_mention": None, "cue": None},
            {"kind": "indirect", "start": parts[0][0], "end": parts[1][1], "parts": parts, "speaker": "Ana Lind",
             "speaker_mention": _span(TEXT, "her office"), "cue": _span(TEXT, "according to")},
            {"kind": "indirect", "field": "title", "start": _span(TITLE, "talks will resume")[0],
             "end": _span(TITLE, "talks will resume")[1], "speaker": "Ana Lind", "speaker_mention": _span(TITLE, "Minister"),
             "cue": _span(TITLE, "says")},
        ],
    }  # fmt: skip
    article.update(change)
    folder = tmp_path / "gold"
    folder.mkdir()
    doc = {"corpus": ["news/a.csv"], "articles": {"https://news.example/talks": article}}
    (folder / "gold.json").write_text(json.dumps(doc), "utf-8")
    return folder, shared


def test_offsets_gold_cuts_every_string_from_the_recorded_offsets(tmp_path):
    folder, shared = _tiny_gold(tmp_path)
    assert detect_format(folder) == "offsets"
    [art] = load_offsets_gold(folder, shared)
    assert art.key == "https://news.example/talks" and art.text_source == "csv-row"
    assert art.path == str(shared / "news" / "a.csv")
    first, cont, according, title = art.quotes
    assert (first.kind, first.text, first.speaker_mention, first.cue) == (
        "direct", "We will be back at the table,", "the minister, Ana Lind", "said")
    assert (first.aliases_of_speaker, first.speaker_type) == (["Lind"], "person")
    assert (cont.text, cont.speaker_mention, cont.cue) == ("Nothing is settled.", None, None)
    assert according.text == "The talks will resume in June"  # the pieces around the attribution, joined
    assert (according.speaker_mention, according.cue) == ("her office", "according to")
    assert (title.text, title.speaker_mention, title.cue) == ("talks will resume", "Minister", "says")


def test_offsets_article_is_the_csv_row_as_the_reader_gives_it(tmp_path):
    folder, shared = _tiny_gold(tmp_path)
    [g] = load_offsets_gold(folder, shared)
    art = _article(g)
    assert art is not None and art.title == TITLE and art.url == "https://news.example/talks"
    body = " ".join(art.paragraphs)
    assert "We will be back at the table" in body and "Nothing said here" not in body


def test_a_changed_text_is_refused_naming_its_url(tmp_path):
    folder, shared = _tiny_gold(tmp_path, sha256=_sha(TEXT + " "))
    with pytest.raises(GoldError, match=r"https://news\.example/talks: the text in .*a\.csv is not the annotated one"):
        load_offsets_gold(folder, shared)
    folder2, shared2 = _tiny_gold(tmp_path / "t", title_sha256=_sha("Another title"))
    with pytest.raises(GoldError, match=r"https://news\.example/talks: the title"):
        load_offsets_gold(folder2, shared2)


@pytest.mark.parametrize(
    "change,message",
    [
        ({"file": "news/b.csv"}, "'file' must name one of the corpus files"),
        ({"sha256": None}, "'sha256' of the annotated text is required"),
        ({"quotes": [{"kind": "direct", "start": 5, "end": 5, "speaker": "X"}]}, r"expected \[start, end\]"),
        ({"quotes": [{"kind": "direct", "start": 0, "end": len(TEXT) + 1, "speaker": "X"}]}, r"expected \[start, end\]"),
        ({"quotes": [{"kind": "said", "start": 0, "end": 4}]}, "'kind' must be"),
        ({"quotes": [{"kind": "direct", "start": 0, "end": 9, "parts": [[0, 4], [2, 9]]}]}, "'parts' must be in order"),
        ({"quotes": [{"kind": "direct", "start": 0, "end": 4, "field": "body"}]}, "'field' must be"),
    ],
)
def test_offsets_gold_errors_name_the_problem(tmp_path, change, message):
    folder, shared = _tiny_gold(tmp_path, **change)
    with pytest.raises(GoldError, match=message):
        load_offsets_gold(folder, shared)


def test_a_url_missing_from_the_csv_is_an_error(tmp_path):
    folder, shared = _tiny_gold(tmp_path)
    doc = json.loads((folder / "gold.json").read_text("utf-8"))
    doc["articles"]["https://news.example/gone"] = doc["articles"].pop("https://news.example/talks")
    (folder / "gold.json").write_text(json.dumps(doc), "utf-8")
    with pytest.raises(GoldError, match="has no row with this url"):
        load_offsets_gold(folder, shared)


def test_shared_corpus_is_found_beside_the_repo_or_the_current_directory(tmp_path, monkeypatch):
    folder, shared = _tiny_gold(tmp_path)
    monkeypatch.setattr(gold_mod, "_REPO_ROOT", tmp_path / "nowhere" / "repo")
    work = tmp_path / "checkout"  # ../shared/corpus from here is tmp_path/shared/corpus
    work.mkdir()
    monkeypatch.chdir(work)
    assert shared_corpus_dir() == shared
    assert [a.key for a in load_gold(folder)] == ["https://news.example/talks"]
    monkeypatch.setattr(gold_mod, "_REPO_ROOT", work)  # the repository's ../shared/corpus comes first
    monkeypatch.chdir(tmp_path / "gold")
    assert shared_corpus_dir() == shared


def test_a_missing_shared_corpus_is_a_clear_error(tmp_path, monkeypatch):
    folder, _ = _tiny_gold(tmp_path)
    lonely = tmp_path / "a" / "b"
    lonely.mkdir(parents=True)
    monkeypatch.setattr(gold_mod, "_REPO_ROOT", lonely)
    monkeypatch.chdir(lonely)
    assert shared_corpus_dir() is None
    with pytest.raises(GoldError, match=r"rows of news/a\.csv in \.\./shared/corpus, which exists neither"):
        load_gold(folder)
    r = CliRunner().invoke(main, ["eval", "quotes", "--gold", str(folder)])
    assert r.exit_code != 0 and "which exists neither" in r.output, r.output


# --- the real held-out set ------------------------------------------------------------------------------------


def _eligible(text: str) -> bool:
    marks = len(re.findall("[\"\u201c\u201d]", text))
    cues = len(re.findall(r"\b(said|says|say|told|tells|stated|states|announced|added|according to)\b", text, re.I))
    return marks + cues >= 3


@pytest.mark.parametrize(
    "folder,first", [(GOLD, 1), (DEV, 41), (DEV2, 81), (DEV3, 96), (DEV4, 111)], ids=["heldout", "dev", "dev2", "dev3", "dev4"]
)
def test_the_selection_rule_gives_the_gold_articles_in_order(folder, first):
    """The held-out set is entries 1-40 of the permutation, the development sets the entries 41-80, 81-95, 96-110, 111-125."""
    data = shared_dir("wikinews") / "data"
    gold = json.loads((folder / "gold.json").read_text("utf-8"))
    rows = []
    csv.field_size_limit(1 << 28)
    for rel in gold["corpus"]:
        with (data.parent.parent / rel).open(newline="", encoding="utf-8") as fh:
            rows += [r for r in csv.DictReader(fh)]
    pool = [r["url"] for r in rows if _eligible(r["text"])]
    assert (len(rows), len(pool)) == (gold["selection"]["rows"], gold["selection"]["eligible"])
    order = random.Random(2026).sample(range(len(pool)), len(pool))
    assert gold["selection"].get("first", 1) == first
    taken = gold["selection"]["taken"]
    assert [pool[i] for i in order[first - 1 : first - 1 + taken]] == list(gold["articles"])


def _plain(s: str) -> str:
    """Whitespace collapsed, format characters (a zero-width joiner the cleaner drops) removed."""
    return " ".join("".join(c for c in s if unicodedata.category(c) != "Cf").split())


def test_the_held_out_gold_loads_and_every_quote_is_in_its_article():
    shared_dir("wikinews")
    golds = load_gold(GOLD)
    assert len(golds) == 40 and sum(len(g.quotes) for g in golds) == 377
    assert sum(q.kind == "direct" for g in golds for q in g.quotes) == 140
    joined = []
    for g in golds:
        art = _article(g)
        assert art is not None, g.key
        seen = _plain(f"{art.title} {' '.join(art.paragraphs)}")
        for q in g.quotes:
            assert q.speaker
            words = _plain(q.text)
            if words not in seen:  # a content interrupted by its attribution: its pieces joined with a space
                assert all(w in seen for w in words.split()), (g.key, q.text)
                joined.append(words)
    assert len(joined) == 4, joined  # the four quotes with 'parts' in gold.json


@pytest.mark.parametrize(
    "folder,articles,quotes,direct,with_parts",
    [(DEV, 40, 666, 159, 5), (DEV2, 15, 138, 48, 2), (DEV3, 15, 109, 27, 2), (DEV4, 15, 121, 44, 4)],
    ids=["dev", "dev2", "dev3", "dev4"],
)
def test_the_development_gold_loads_and_every_quote_is_in_its_article(folder, articles, quotes, direct, with_parts):
    shared_dir("wikinews")
    golds = load_gold(folder)
    assert len(golds) == articles and sum(len(g.quotes) for g in golds) == quotes
    assert sum(q.kind == "direct" for g in golds for q in g.quotes) == direct
    joined = 0
    for g in golds:
        art = _article(g)
        assert art is not None, g.key
        seen = _plain(f"{art.title} {' '.join(art.paragraphs)}")
        for q in g.quotes:
            assert q.speaker and (q.cue is None or q.speaker_mention is None or q.speaker_mention != q.cue)
            words = _plain(q.text)
            if words not in seen:
                assert all(w in seen for w in words.split()), (g.key, q.text)
                joined += 1
    assert joined == with_parts  # the quotes with 'parts' in gold.json


# Measured on 2026-11-24 (machine clock) with the extractor as it was, before any change:
# quotes P 0.900 R 0.812; speakers P 0.568 R 0.512; direct quotes P 0.954 R 0.879, direct speakers P 0.682
# R 0.629; indirect quotes F1 0.812, indirect speakers F1 0.469. Floors a little under; raise, never lower.
# Session 11 (lead, once, 8bbf769, after speaker round 9): direct quotes P 0.955 R 0.900, direct speakers P 0.765
# R 0.721; indirect quotes F1 0.826, indirect speakers F1 0.574; those floors raised a little under.
FLOORS = {
    ("quotes", "precision"): 0.88, ("quotes", "recall"): 0.79,
    ("speakers", "precision"): 0.55, ("speakers", "recall"): 0.49,
    ("direct", "quotes", "precision"): 0.94, ("direct", "quotes", "recall"): 0.88,
    ("direct", "speakers", "precision"): 0.74, ("direct", "speakers", "recall"): 0.70,
    ("indirect", "quotes", "f1"): 0.81, ("indirect", "speakers", "f1"): 0.55,
}  # fmt: skip


# The development set (tests/gold/wikinews-dev), measured on 2026-11-24 (machine clock) with the extractor as
# committed at 7d849f3: quotes P 0.761 R 0.709; speakers P 0.539 R 0.502; direct quotes P 0.808 R 0.849, direct
# speakers P 0.587 R 0.616; indirect quotes F1 0.702, indirect speakers F1 0.492. Floors a little under; the
# "speakers" work tunes on this set and may raise them (never lower them). Speaker round 2 (fd01732 and
# 24ddf56): quotes P 0.867 R 0.706; speakers P 0.705 R 0.574; direct quotes P 0.894 R 0.849, direct speakers
# P 0.768 R 0.730; indirect quotes F1 0.744, indirect speakers F1 0.592. Speaker round 3 (extract-8, 2b525ef):
# quotes P 0.876 R 0.764; speakers P 0.747 R 0.652; direct quotes P 0.894 R 0.849, direct speakers P 0.795
# R 0.755; indirect quotes F1 0.796, indirect speakers F1 0.670. Speaker round 4 (extract-9, 751554f): quotes P 0.877
# R 0.769; speakers P 0.760 R 0.667; direct quotes P 0.895 R 0.855, direct speakers P 0.789 R 0.755; indirect quotes
# F1 0.799, indirect speakers F1 0.690. Speaker round 6 (7831691): speakers P 0.783 R 0.686; direct speakers P 0.816
# R 0.780; indirect speakers F1 0.709 (the rest unchanged). Speaker round 8 (8fb4008): speakers P 0.789 R 0.692; direct
# speakers P 0.822 R 0.786; indirect speakers F1 0.716 (the rest unchanged). Round 9 (f8f812a): direct speakers P 0.836
# R 0.799 (the rest unchanged).
DEV_FLOORS = dict(zip(FLOORS, [0.86, 0.75, 0.77, 0.68, 0.88, 0.84, 0.82, 0.78, 0.79, 0.70]))  # FLOORS' keys, in order
# The second development set (tests/gold/wikinews-dev2, 15 articles), annotated for speaker round 4: before the round
# (16c7fcc) quotes P 0.941 R 0.804; speakers P 0.678 R 0.580; direct quotes P 0.978 R 0.938, direct speakers P 0.696
# R 0.667; indirect quotes F1 0.815, indirect speakers F1 0.593. After it (d7a87e6): quotes P 0.934 R 0.826; speakers
# P 0.844 R 0.746; direct quotes P 0.979 R 0.958, direct speakers P 0.957 R 0.938; indirect quotes F1 0.824, indirect
# speakers F1 0.703. After speaker round 6 (7831691): quotes P 0.935 R 0.833; speakers P 0.902 R 0.804; direct quotes
# P 0.979 R 0.958, direct speakers P 0.979 R 0.958; indirect quotes F1 0.831, indirect speakers F1 0.783. One quote moves
# a direct figure by about 0.02: floors a little further under.
DEV2_FLOORS = dict(zip(FLOORS, [0.92, 0.81, 0.88, 0.78, 0.96, 0.94, 0.94, 0.92, 0.81, 0.75]))
# The third development set (tests/gold/wikinews-dev3, 15 articles), annotated blind for speaker round 5. Its first score,
# on unseen text (09b951e, the extractor as at e9ee630): quotes P 0.856 R 0.761; speakers P 0.639 R 0.569; direct quotes
# P 1.000 R 1.000, direct speakers P 0.778 R 0.778; indirect quotes F1 0.737, indirect speakers F1 0.540. Floors a little
# under that first score (one direct quote moves a direct figure by 0.037); the round's tuning on it does not raise them.
DEV3_FLOORS = dict(zip(FLOORS, [0.83, 0.74, 0.61, 0.54, 0.96, 0.96, 0.74, 0.74, 0.71, 0.51]))
# The fourth (tests/gold/wikinews-dev4, 15 articles), annotated blind as the check set of speaker round 6. Its first score,
# on unseen text (46a9d71, the extractor as at 34fb646): quotes P 0.829 R 0.760; speakers P 0.613 R 0.562; direct quotes
# P 0.975 R 0.886, direct speakers P 0.825 R 0.750; indirect quotes F1 0.716, indirect speakers F1 0.473. Floors a little
# under that first score (one direct quote moves a direct figure by about 0.025). Speaker round 8 read its errors (it is a
# development set since) and moved it (8fb4008): speakers P 0.670 R 0.620, indirect speakers F1 0.550 (the rest
# unchanged); those two floors raised a little under.
DEV4_FLOORS = dict(zip(FLOORS, [0.81, 0.74, 0.65, 0.60, 0.95, 0.86, 0.80, 0.72, 0.69, 0.53]))


_SCORES: dict[Path, dict] = {}  # one eval per gold folder for the whole module


def _scores(folder: Path) -> dict:
    if folder not in _SCORES:
        shared_dir("wikinews")
        _SCORES[folder] = run_eval("quotes", folder)
    return _SCORES[folder]


_ALL_FLOORS = [("heldout", GOLD, k, v) for k, v in FLOORS.items()] + [("dev", DEV, k, v) for k, v in DEV_FLOORS.items()] \
    + [("dev2", DEV2, k, v) for k, v in DEV2_FLOORS.items()] + [("dev3", DEV3, k, v) for k, v in DEV3_FLOORS.items()] \
    + [("dev4", DEV4, k, v) for k, v in DEV4_FLOORS.items()]


@pytest.mark.parametrize("folder,path,floor", [a[1:] for a in _ALL_FLOORS], ids=[f"{a[0]}-{'/'.join(a[2])}" for a in _ALL_FLOORS])
def test_floors(folder, path, floor):
    d = _scores(folder)
    for k in path:
        d = d[k]
    assert d >= floor, _scores(folder)
