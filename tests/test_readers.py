"""Every input format, read through the public API, detected by content as well as by name.

Inputs are written into ``tmp_path`` by each test (small hand-written pages and
feeds live in ``tests/fixtures/readers/``); nothing touches the network.
"""

from __future__ import annotations

import gzip
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import polarwatch
from _sentences import SENTENCES
from polarwatch.config import Settings
from polarwatch.ingest import read_paths
from polarwatch.records import RawDoc, Rejected

FIX = Path(__file__).resolve().parent / "fixtures" / "readers"

S = SENTENCES


@pytest.fixture(autouse=True)
def _no_default_store(tmp_path, monkeypatch):
    """Any store opened without an explicit path lands in tmp_path, never in the user's data folder."""
    monkeypatch.setenv("POLARWATCH_DB", str(tmp_path / "stray-default.db"))
    monkeypatch.delenv("POLARWATCH_MAX_ARTICLE_BYTES", raising=False)


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "t.db")


def read(*paths: Path | str, **kw) -> tuple[list[RawDoc], list[Rejected]]:
    """The readers alone: raw documents and rejections (failures and skips)."""
    docs: list[RawDoc] = []
    rej: list[Rejected] = []
    for item in read_paths([str(p) for p in paths], Settings(**kw)):
        (docs if isinstance(item, RawDoc) else rej).append(item)
    return docs, rej


def one(*paths: Path | str) -> RawDoc:
    docs, rej = read(*paths)
    assert not rej, [str(r) for r in rej]
    assert len(docs) == 1, [str(d.source) for d in docs]
    return docs[0]


def stored(db: str) -> dict[str, polarwatch.store.StoredArticle]:
    """Stored articles by title."""
    arts = polarwatch.articles(db=db, limit=1000)
    out = {a.article.title: a for a in arts}
    assert len(out) == len(arts), "two stored articles share a title"
    return out


def ok(report: polarwatch.IngestReport) -> polarwatch.IngestReport:
    assert not report.failed, [str(r) for r in report.failed]
    return report


# --------------------------------------------------------------------------- plain-text dumps


def test_dump_header_with_leading_space(tmp_path):
    f = tmp_path / "nsr.txt"
    f.write_text(f" date 2025-03-03 https://tass.com/economy/2110457\nNSR cargo to reach record\n{S[0]}\n{S[1]}\n", "utf-8")
    d = one(f)
    assert d.format == "text"
    assert (d.published, d.url, d.title) == ("2025-03-03", "https://tass.com/economy/2110457", "NSR cargo to reach record")
    assert d.paragraphs == [S[0], S[1]]


def test_dump_header_without_leading_space_and_blank_lines_around(tmp_path):
    f = tmp_path / "svalbard.txt"
    f.write_text(f"\ndate 2024-12-31 https://example.no/svalbard\n\nSvalbard research funding doubled\n{S[2]}\n", "utf-8")
    d = one(f)
    assert (d.published, d.url, d.title, d.paragraphs) == ("2024-12-31", "https://example.no/svalbard", "Svalbard research funding doubled", [S[2]])


def test_dump_without_header_has_no_date_or_url(tmp_path):
    # A date in the body is a photo's or an event's, never taken for the article's.
    f = tmp_path / "undated.txt"
    f.write_text(f"Icebreakers ordered\nOn 2023-05-01 the agency said so. {S[5]}\n{S[4]}\n", "utf-8")
    d = one(f)
    assert d.published is None and d.url is None
    assert d.title == "Icebreakers ordered"
    assert d.paragraphs == [f"On 2023-05-01 the agency said so. {S[5]}", S[4]]


def test_dump_paragraphs_one_per_line(tmp_path):
    f = tmp_path / "lines.txt"
    f.write_text("Title of a dump\n" + "\n".join(S[:4]) + "\n", "utf-8")
    assert one(f).paragraphs == S[:4]


def test_dump_paragraphs_blank_line_separated_with_hard_wraps(tmp_path):
    f = tmp_path / "wrapped.txt"
    body = (
        "Blank-line dump\n\n"
        "The Russian Security Council discussed the development of the Arctic\n"
        "zone at a meeting chaired by the president on Friday.\n\n"
        f"{S[1]}\n\n\n"
        f"{S[2]}\n"
    )
    f.write_text(body, "utf-8")
    assert one(f).paragraphs == [S[0], S[1], S[2]]


def test_dump_stored_through_the_api(tmp_path, db):
    f = tmp_path / "nsr.txt"
    f.write_text(f" date 2025-03-03 https://tass.com/economy/1\nNSR cargo to reach record\n{S[0]}\n{S[1]}\n", "utf-8")
    rep = ok(polarwatch.ingest([str(f)], db=db))
    assert (rep.read, rep.new) == (1, 1)
    a = polarwatch.show(rep.new_ids[0], db=db).article
    assert a.paragraphs == [S[0], S[1]] and a.published == "2025-03-03" and a.format == "text"
    assert a.outlet is not None and (a.outlet.name, a.outlet.country) == ("TASS", "RU")
    assert [(s.path, s.locator) for s in a.sources] == [(str(f), "")]


@pytest.mark.parametrize("name", ["story.dat", "story", "STORY.TXT"])
def test_dump_detected_by_header_or_default(tmp_path, name):
    """A dump with an unknown or no extension is still a dump (the header line, or no extension)."""
    f = tmp_path / name
    f.write_text(f"date 2025-01-02 https://example.org/x\nA dump by another name\n{S[3]}\n", "utf-8")
    d = one(f)
    assert (d.format, d.published, d.paragraphs) == ("text", "2025-01-02", [S[3]])


def test_unknown_extension_without_header_is_skipped_not_failed(tmp_path, db):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "notes.md").write_text("# Notes\nSome notes about the corpus.\n", "utf-8")
    rep = polarwatch.ingest([str(tmp_path / "in")], db=db)
    assert rep.failed == [] and rep.new == 0
    assert [(r.source.path.endswith("notes.md"), r.skipped) for r in rep.skipped] == [(True, True)]


# --------------------------------------------------------------------------- HTML


def test_html_page_metadata_and_main_text(db):
    rep = ok(polarwatch.ingest([str(FIX / "page_with_comments.html")], db=db))
    assert (rep.read, rep.new) == (1, 1)
    a = polarwatch.show(rep.new_ids[0], db=db).article
    assert a.format == "html"
    assert a.title == "Coast guard opens new Arctic base in Kirkenes"
    assert a.published == "2024-11-05"  # meta article:published_time
    assert a.author == "Ingrid Solberg"
    assert a.url == "https://polarwire.example/security/2024/11/coast-guard-base-kirkenes"  # the canonical link
    assert [p[:40] for p in a.paragraphs] == [
        "The Norwegian Coast Guard opened a new o",
        "The base will host two patrol vessels an",
        "Local officials welcomed the decision, s",
        "The coast guard has increased its patrol",
    ]


def test_html_page_without_comments_banner_newsletter_nav_footer():
    d = one(FIX / "page_with_comments.html")
    body = "\n".join(d.paragraphs).lower()
    for junk in ("cookie", "newsletter", "subscribe", "inbox", "reader comment", "vardø", "thoughts on this",
                 "copyright", "privacy policy", "arctic news and analysis", "security and defence"):  # fmt: skip
        assert junk not in body, junk
    assert "sixty permanent jobs" in body


@pytest.mark.parametrize("name", ["page.txt", "page", "page.php"])
def test_html_detected_by_content(tmp_path, name):
    f = tmp_path / name
    shutil.copy(FIX / "page_with_comments.html", f)
    d = one(f)
    assert d.format == "html" and d.title == "Coast guard opens new Arctic base in Kirkenes" and len(d.paragraphs) >= 4


def test_html_declared_legacy_charset(tmp_path):
    html = (
        '<html><head><meta charset="windows-1251"><title>Ледокол</title></head><body><article>'
        "<p>Атомный ледокол «Якутия» вошёл в состав флота в Мурманске, сообщила компания в понедельник.</p>"
        "<p>Судно будет сопровождать грузовые корабли по Северному морскому пути зимой и весной.</p>"
        "</article></body></html>"
    )
    f = tmp_path / "ru.html"
    f.write_bytes(html.encode("cp1251"))
    d = one(f)
    assert d.paragraphs[0].startswith("Атомный ледокол «Якутия» вошёл")


# --------------------------------------------------------------------------- feeds


def test_rss_full_text_one_article_per_item(db):
    rep = ok(polarwatch.ingest([str(FIX / "full.rss")], db=db))
    assert (rep.read, rep.new) == (2, 2)
    arts = stored(db)
    a = arts["Nuclear icebreaker Yakutia enters service"].article
    assert a.format == "feed" and a.summary_only is False
    assert a.url == "https://tass.com/economy/1900001"
    assert a.published == "2025-03-03"
    assert len(a.paragraphs) == 3 and a.paragraphs[0].startswith("The nuclear icebreaker Yakutia has entered service")
    assert not any("teaser" in p.lower() for p in a.paragraphs)  # content:encoded, not the description
    assert (a.outlet.name, a.outlet.country) == ("TASS", "RU")
    assert [s.locator for s in a.sources] == ["entry 1"]
    b = arts["Arctic port of Sabetta handles record volume"].article
    assert (b.url, b.published, [s.locator for s in b.sources]) == ("https://tass.com/economy/1900002", "2025-03-04", ["entry 2"])


def test_atom_summaries_only(db):
    rep = ok(polarwatch.ingest([str(FIX / "summaries.atom")], db=db))
    assert (rep.read, rep.new) == (3, 3)
    arts = stored(db)
    assert all(a.article.summary_only for a in arts.values())
    g = arts["Greenland opens consultation on new mining law"].article
    assert g.url == "https://arctic.example/news/greenland-mining-law"
    assert g.published == "2025-02-08"
    assert g.paragraphs == [
        "The government of Greenland has opened a public consultation on a new mining law that would tighten "
        "environmental rules for rare earth projects."
    ]
    # An entry with only <updated> is dated by it.
    assert arts["Canada funds Arctic radar upgrade"].article.published == "2025-02-09"
    assert arts["Svalbard tourism recovers"].article.published == "2025-02-10"


@pytest.mark.parametrize(("src", "name"), [("full.rss", "feed.xml"), ("full.rss", "feed"), ("summaries.atom", "feed.html"), ("summaries.atom", "atom.txt")])
def test_feed_detected_by_content(tmp_path, src, name):
    f = tmp_path / name
    shutil.copy(FIX / src, f)
    docs, rej = read(f)
    assert not rej
    assert {d.format for d in docs} == {"feed"} and len(docs) == (2 if src == "full.rss" else 3)
    assert [d.source.locator for d in docs] == [f"entry {i}" for i in range(1, len(docs) + 1)]


# --------------------------------------------------------------------------- JSONL, JSON, CSV

RECORDS = [
    {"url": "https://example.org/a1", "title": "Security Council meets on the Arctic", "text": f"{S[0]}\n\n{S[1]}",
     "published": "2025-01-05T10:00:00Z", "outlet": "TASS"},
    {"url": "https://example.org/a2", "title": "Record from an HTML field", "date": "2025-01-06",
     "html": f"<html><body><nav><a href='/'>Home</a></nav><article><p>{S[2]}</p><p>{S[3]}</p></article></body></html>"},
    {"URL": "https://example.org/a3", "Title": "Upper-case keys", "Body": S[4], "Published": "2025-01-07"},
]  # fmt: skip


def _check_records(docs: list[RawDoc], fmt: str, loc: str) -> None:
    assert [d.format for d in docs] == [fmt] * 3
    assert [d.source.locator for d in docs] == [f"{loc} 1", f"{loc} 2", f"{loc} 3"]
    a, b, c = docs
    assert (a.url, a.title, a.published, a.outlet_hint, a.paragraphs) == (
        "https://example.org/a1", "Security Council meets on the Arctic", "2025-01-05", "TASS", [S[0], S[1]])  # fmt: skip
    assert (b.url, b.title, b.published, b.paragraphs) == ("https://example.org/a2", "Record from an HTML field", "2025-01-06", [S[2], S[3]])
    assert (c.url, c.title, c.published, c.paragraphs) == ("https://example.org/a3", "Upper-case keys", "2025-01-07", [S[4]])


@pytest.mark.parametrize("name", ["recs.jsonl", "recs.ndjson", "recs.json", "recs.txt", "recs"])
def test_jsonl(tmp_path, name):
    f = tmp_path / name
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in RECORDS) + "\n\n", "utf-8")
    docs, rej = read(f)
    assert not rej
    _check_records(docs, "jsonl", "line")


def test_jsonl_outlet_field_resolves_through_registry(tmp_path, db):
    f = tmp_path / "recs.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n", "utf-8")
    rep = ok(polarwatch.ingest([str(f)], db=db))
    assert (rep.read, rep.new) == (3, 3)
    a = stored(db)["Security Council meets on the Arctic"].article
    assert (a.outlet.name, a.outlet.country, a.outlet.kind) == ("TASS", "RU", "state-controlled")
    assert [x.article.title for x in polarwatch.articles(db=db, country="RU")] == ["Security Council meets on the Arctic"]


@pytest.mark.parametrize("name", ["arr.json", "arr"])
def test_json_array(tmp_path, name):
    f = tmp_path / name
    f.write_text(json.dumps(RECORDS, indent=2), "utf-8")
    docs, rej = read(f)
    assert not rej
    _check_records(docs, "json", "item")


def test_json_articles_object(tmp_path):
    f = tmp_path / "wrapped.json"
    f.write_text(json.dumps({"source": "export", "articles": RECORDS}), "utf-8")
    docs, rej = read(f)
    assert not rej and len(docs) == 3


def test_json_without_articles_is_skipped(tmp_path, db):
    f = tmp_path / "gold.json"
    f.write_text(json.dumps({"articles": {"x": {"clean_paragraph_count": 3}}}), "utf-8")
    rep = polarwatch.ingest([str(f)], db=db)
    assert rep.failed == [] and len(rep.skipped) == 1 and rep.skipped[0].source.path == str(f)


CSV_TEXT = (
    "url,title,date,text,outlet\n"
    f'https://example.org/c1,"Quoted, with a comma",2025-02-01,"{S[0]}\n\n{S[1]}",TASS\n'
    f"https://example.org/c2,Plain row,2025-02-02T08:00:00+03:00,{S[2]},\n"
)


@pytest.mark.parametrize("name", ["t.csv", "t.txt", "t"])
def test_csv_with_header_date_column_and_multiline_fields(tmp_path, name):
    f = tmp_path / name
    f.write_text(CSV_TEXT, "utf-8")
    docs, rej = read(f)
    assert not rej
    assert [d.format for d in docs] == ["csv", "csv"]
    assert [d.source.locator for d in docs] == ["row 1", "row 2"]
    a, b = docs
    assert (a.title, a.published, a.outlet_hint, a.paragraphs) == ("Quoted, with a comma", "2025-02-01", "TASS", [S[0], S[1]])
    assert (b.url, b.title, b.published, b.paragraphs) == ("https://example.org/c2", "Plain row", "2025-02-02", [S[2]])


def test_csv_crlf_and_bom(tmp_path):
    f = tmp_path / "excel.csv"
    f.write_bytes(b"\xef\xbb\xbf" + CSV_TEXT.replace("\n", "\r\n").encode("utf-8"))
    docs, rej = read(f)
    assert not rej and [d.title for d in docs] == ["Quoted, with a comma", "Plain row"]
    assert docs[0].paragraphs == [S[0], S[1]]


@pytest.mark.parametrize("name", ["t.tsv", "t.csv", "t"])
def test_tsv(tmp_path, name):
    f = tmp_path / name
    f.write_text(f"url\ttitle\tpublished\tbody\nhttps://example.org/t1\tTab one\t2025-02-03\t{S[3]}\nhttps://example.org/t2\tTab two\t\t{S[4]}\n", "utf-8")
    docs, rej = read(f)
    assert not rej
    assert [(d.format, d.title, d.published, d.paragraphs) for d in docs] == [
        ("csv", "Tab one", "2025-02-03", [S[3]]), ("csv", "Tab two", None, [S[4]])]  # fmt: skip


# --------------------------------------------------------------------------- WARC


def _html(title: str, *paras: str) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paras)
    return f"<html><head><title>{title}</title></head><body><nav><a href='/'>Home</a></nav><article>{body}</article></body></html>".encode()


RU = [
    "Атомный ледокол «Якутия» вошёл в состав флота в Мурманске, сообщила компания в понедельник.",
    "Судно будет сопровождать грузовые корабли по Северному морскому пути зимой и весной, отметили в компании.",
]


def write_warc(path: Path, gz: bool) -> None:
    with open(path, "wb") as fh:
        w = WARCWriter(fh, gzip=gz)
        w.write_record(w.create_warcinfo_record(path.name, {"software": "polarwatch-tests", "format": "WARC File Format 1.1"}))

        def response(uri: str, body: bytes, ctype: str = "text/html; charset=utf-8", status: str = "200 OK") -> None:
            hh = StatusAndHeaders(status, [("Content-Type", ctype), ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
            w.write_record(w.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=hh))

        w.write_record(w.create_warc_record("https://news.example/one", "request", payload=io.BytesIO(b"GET /one HTTP/1.1\r\nHost: news.example\r\n\r\n"),
                                            http_headers=StatusAndHeaders("GET /one HTTP/1.1", [("Host", "news.example")], is_http_request=True)))  # fmt: skip
        response("https://news.example/one", _html("Warc page one", S[6], S[7]))
        w.write_record(w.create_warc_record("https://news.example/one", "metadata", payload=io.BytesIO(b"via: https://news.example/\n"),
                                            warc_content_type="application/warc-fields"))  # fmt: skip
        response("https://news.example/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(64), ctype="image/png")
        response("https://news.example/robots.txt", b"User-agent: *\nDisallow: /private\n", ctype="text/plain")
        # A WET-style conversion record: plain text, title on the first line.
        w.write_record(w.create_warc_record("https://news.example/wet", "conversion", warc_content_type="text/plain",
                                            payload=io.BytesIO(f"Converted page title\n{S[4]}\n{S[5]}\n".encode())))  # fmt: skip
        response("https://news.example/missing", _html("Not found", "The page you asked for does not exist on this server."), status="404 Not Found")
        response("https://news.example/data.json", b'{"a": 1}', ctype="application/json")
        response("https://news.example/ru", _html("Warc page two", *RU).decode().encode("cp1251"),
                 ctype="text/html; charset=windows-1251")  # fmt: skip


def _warc_docs(docs: list[RawDoc], rej: list[Rejected]) -> None:
    # Not the request, metadata, image, robots.txt, 404 or JSON records.
    assert [d.url for d in docs] == ["https://news.example/one", "https://news.example/wet", "https://news.example/ru"]
    assert {d.format for d in docs} == {"warc"}
    one_, wet, two = docs
    assert wet.title == "Converted page title" and wet.paragraphs == [S[4], S[5]]
    assert one_.title == "Warc page one" and one_.paragraphs == [S[6], S[7]]
    assert two.title == "Warc page two" and two.paragraphs == RU  # windows-1251, from the HTTP header
    assert one_.source.locator.startswith("record ") and one_.source.locator.endswith(" https://news.example/one")
    assert not rej, [str(r) for r in rej]


@pytest.mark.parametrize(("name", "gz"), [("crawl.warc", False), ("crawl.warc.gz", True), ("crawl.bin", False), ("crawl", True), ("crawl.dat.gz", True)])
def test_warc_html_responses_become_articles(tmp_path, name, gz):
    f = tmp_path / name
    write_warc(f, gz)
    docs, rej = read(f)
    _warc_docs(docs, rej)
    assert all(d.source.path == str(f) for d in docs)


def test_warc_ingest_stores_only_pages(tmp_path, db):
    f = tmp_path / "crawl.warc.gz"
    write_warc(f, True)
    rep = polarwatch.ingest([str(f)], db=db)
    arts = stored(db)
    assert set(arts) == {"Warc page one", "Warc page two", "Converted page title"}
    assert arts["Warc page one"].article.sources[0].path == str(f)
    assert rep.new == len(arts)


# --------------------------------------------------------------------------- folders, gzip, zip


def _dump(title: str, *paras: str, header: str = "") -> str:
    return (header + "\n" if header else "") + title + "\n" + "\n".join(paras) + "\n"


def test_folder_recursive_mixture(tmp_path, db):
    root = tmp_path / "in"
    (root / "a" / "b" / "c").mkdir(parents=True)
    (root / "top.txt").write_text(_dump("Top level dump", S[0]), "utf-8")
    (root / "a" / "page.html").write_text(_html("Nested page", S[1], S[2]).decode(), "utf-8")
    shutil.copy(FIX / "full.rss", root / "a" / "b" / "feed.rss")
    (root / "a" / "b" / "c" / "deep.jsonl").write_text(json.dumps({"title": "Deep record", "text": S[3]}) + "\n", "utf-8")
    (root / "a" / "b" / "c" / ".hidden.txt").write_text(_dump("Hidden dump", S[4]), "utf-8")
    (root / "a" / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1" + bytes(100))
    rep = ok(polarwatch.ingest([str(root)], db=db))
    assert set(stored(db)) == {
        "Top level dump", "Nested page", "Deep record",
        "Nuclear icebreaker Yakutia enters service", "Arctic port of Sabetta handles record volume",
    }  # fmt: skip
    assert (rep.read, rep.new, rep.skipped) == (5, 5, [])


def test_gzip_of_dump_and_of_jsonl(tmp_path, db):
    dump = tmp_path / "story.txt.gz"
    dump.write_bytes(gzip.compress(_dump("Gzipped dump", S[6], S[7], header="date 2025-04-01 https://example.org/gz").encode()))
    jl = tmp_path / "recs.jsonl.gz"
    jl.write_bytes(gzip.compress(("\n".join(json.dumps(r) for r in RECORDS) + "\n").encode()))
    nameless = tmp_path / "export.gz"  # the inner name says nothing: content decides
    nameless.write_bytes(gzip.compress(json.dumps([{"title": "Nameless gzip", "text": S[5]}]).encode()))
    docs, rej = read(dump, jl, nameless)
    assert not rej
    assert [(d.format, d.source.path, d.source.locator) for d in docs] == [
        ("text", f"{dump}!story.txt", ""),
        ("jsonl", f"{jl}!recs.jsonl", "line 1"), ("jsonl", f"{jl}!recs.jsonl", "line 2"), ("jsonl", f"{jl}!recs.jsonl", "line 3"),
        ("json", f"{nameless}!export", "item 1"),
    ]  # fmt: skip
    assert (docs[0].published, docs[0].url, docs[0].paragraphs) == ("2025-04-01", "https://example.org/gz", [S[6], S[7]])
    _check_records(docs[1:4], "jsonl", "line")
    rep = ok(polarwatch.ingest([str(dump), str(jl), str(nameless)], db=db))
    assert rep.new == 5


def test_gzip_source_is_not_confused_with_a_plain_file_of_the_inner_name(tmp_path, db):
    """a.txt and a.txt.gz hold different articles: each keeps its own source."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(_dump("Plain one", S[0]), "utf-8")
    (tmp_path / "in" / "a.txt.gz").write_bytes(gzip.compress(_dump("Gzipped one", S[1]).encode()))
    ok(polarwatch.ingest([str(tmp_path / "in")], db=db))
    arts = stored(db)
    assert [s.path for s in arts["Plain one"].article.sources] == [str(tmp_path / "in" / "a.txt")]
    assert [s.path for s in arts["Gzipped one"].article.sources] == [str(tmp_path / "in" / "a.txt.gz") + "!a.txt"]


def test_zip_with_a_mixture(tmp_path, db):
    z = tmp_path / "bundle.zip"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("news/one.txt", _dump("Zipped dump", S[0], header=" date 2025-05-05 https://example.org/z1"))
        zf.writestr("news/page.html", _html("Zipped page", S[1], S[2]))
        zf.writestr("news/more/recs.jsonl", json.dumps({"url": "https://example.org/z3", "title": "Zipped record", "text": S[3]}) + "\n")
        zf.writestr("news/feed.xml", (FIX / "summaries.atom").read_bytes())
        zf.writestr("news/inner.txt.gz", gzip.compress(_dump("Gzip in zip", S[4]).encode()))
        zf.writestr("news/README.md", "# about this bundle\n")
        zf.writestr("__MACOSX/news/._one.txt", b"\x00\x05\x16\x07junk")
        zf.writestr("news/.DS_Store", b"\x00\x00\x00\x01Bud1")
    z.write_bytes(buf.getvalue())
    rep = ok(polarwatch.ingest([str(z)], db=db))
    arts = stored(db)
    assert {"Zipped dump", "Zipped page", "Zipped record", "Gzip in zip", "Greenland opens consultation on new mining law"} <= set(arts)
    assert rep.new == 7 and len(arts) == 7
    assert arts["Zipped dump"].article.sources[0].path == f"{z}!news/one.txt"
    assert arts["Zipped dump"].article.published == "2025-05-05"
    assert (arts["Zipped record"].article.sources[0].path, arts["Zipped record"].article.sources[0].locator) == (f"{z}!news/more/recs.jsonl", "line 1")
    assert arts["Gzip in zip"].article.sources[0].path == f"{z}!news/inner.txt.gz!inner.txt"
    assert [r.source.path for r in rep.skipped] == [f"{z}!news/README.md"]


def test_zip_detected_without_extension(tmp_path):
    z = tmp_path / "download"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("x.txt", _dump("Zip with no name", S[6]))
    d = one(z)
    assert (d.title, d.source.path) == ("Zip with no name", f"{z}!x.txt")


# --------------------------------------------------------------------------- duplicates and re-ingest


def test_same_text_under_two_names_is_stored_once_with_both_sources(tmp_path, db):
    root = tmp_path / "in"
    (root / "mirror").mkdir(parents=True)
    text = _dump("The same article twice", S[0], S[1], S[2])
    (root / "original.txt").write_text(text, "utf-8")
    (root / "mirror" / "copy-of-original").write_text(text, "utf-8")
    rep = ok(polarwatch.ingest([str(root)], db=db))
    assert (rep.read, rep.new, rep.duplicate) == (2, 1, 1)
    art = polarwatch.show(rep.new_ids[0], db=db)
    assert sorted(s.path for s in art.article.sources) == sorted([str(root / "original.txt"), str(root / "mirror" / "copy-of-original")])
    assert len(art.sources_detail) == 2
    assert len(polarwatch.articles(db=db)) == 1


def test_same_content_in_two_formats_is_one_article(tmp_path, db):
    """A dump and a JSONL record with the same title and body (no URLs): one article, two sources."""
    (tmp_path / "a.txt").write_text(_dump("Cross-format twin", S[3], S[4]), "utf-8")
    (tmp_path / "b.jsonl").write_text(json.dumps({"title": "Cross-format twin", "text": f"{S[3]}\n{S[4]}"}) + "\n", "utf-8")
    rep = ok(polarwatch.ingest([str(tmp_path / "a.txt"), str(tmp_path / "b.jsonl")], db=db))
    assert (rep.new, rep.duplicate) == (1, 1)
    srcs = polarwatch.show(rep.new_ids[0], db=db).article.sources
    assert {(s.path, s.locator) for s in srcs} == {(str(tmp_path / "a.txt"), ""), (str(tmp_path / "b.jsonl"), "line 1")}


def test_reingest_same_folder_changes_nothing(tmp_path, db):
    root = tmp_path / "in"
    root.mkdir()
    (root / "a.txt").write_text(_dump("Re-ingest one", S[0], header="date 2025-01-01 https://example.org/r1"), "utf-8")
    (root / "b.txt").write_text(_dump("Re-ingest two", S[1]), "utf-8")
    (root / "c.txt").write_text(_dump("Re-ingest two", S[1]), "utf-8")  # an exact duplicate inside the batch
    shutil.copy(FIX / "full.rss", root / "feed.rss")
    (root / "recs.jsonl").write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n", "utf-8")
    write_warc(root / "crawl.warc.gz", True)
    first = ok(polarwatch.ingest([str(root)], db=db))
    assert first.new > 0 and first.duplicate == 1
    before = {a.article.id: (a.article.content_hash, a.article.paragraphs, a.ingested_at, a.sources_detail) for a in polarwatch.articles(db=db, limit=1000)}
    stats_before = polarwatch.stats(db=db)
    again = ok(polarwatch.ingest([str(root)], db=db))
    assert (again.read, again.new, again.updated, again.duplicate) == (first.read, 0, 0, first.read)
    after = {a.article.id: (a.article.content_hash, a.article.paragraphs, a.ingested_at, a.sources_detail) for a in polarwatch.articles(db=db, limit=1000)}
    assert after == before
    assert polarwatch.stats(db=db) == stats_before
    assert len(before) == first.new
