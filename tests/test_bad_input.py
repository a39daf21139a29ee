"""Bad input: one clear failure line naming the file (and line or record), the rest stored, exit status 1.

Every case builds its input in ``tmp_path`` (a few malformed pages and feeds
live in ``tests/fixtures/bad/``). The two 200 MB cases run the CLI in a
subprocess and check its peak memory.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import polarwatch
from _sentences import SENTENCES
from polarwatch.cli import main as cli_main
from polarwatch.config import Settings
from polarwatch.records import IngestReport

BAD = Path(__file__).resolve().parent / "fixtures" / "bad"

S = SENTENCES[:6]
GOOD_TITLE = "A good article beside the bad one"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00" + bytes(range(256)) * 4


@pytest.fixture(autouse=True)
def _no_default_store(tmp_path, monkeypatch):
    monkeypatch.setenv("POLARWATCH_DB", str(tmp_path / "stray-default.db"))
    monkeypatch.delenv("POLARWATCH_MAX_ARTICLE_BYTES", raising=False)


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Fail instead of hanging (a symlink loop must not loop)."""

    def boom(*_: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, boom)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def ingest(paths: list[Path | str], db: str, **kw: object) -> IngestReport:
    with deadline(30):
        return polarwatch.ingest([str(p) for p in paths], settings=Settings(db=db, **kw))


def cli(args: list[str]) -> tuple[int, list[str]]:
    """Exit status and output lines of ``polarwatch ingest ARGS -q``."""
    with deadline(30):
        res = CliRunner().invoke(cli_main, ["ingest", *args, "-q"])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    return res.exit_code, res.output.splitlines()


def titles(db: str) -> list[str]:
    return sorted(a.article.title or "" for a in polarwatch.articles(db=db, limit=10_000))


def dump(title: str, *paras: str) -> str:
    return title + "\n" + "\n".join(paras) + "\n"


def good_file(folder: Path) -> Path:
    f = folder / "good.txt"
    f.write_text(dump(GOOD_TITLE, S[0], S[1]), "utf-8")
    return f


def response(w: WARCWriter, uri: str, body: bytes, ctype: str = "text/html; charset=utf-8") -> None:
    hh = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
    w.write_record(w.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=hh))


def page(title: str, *paras: str) -> bytes:
    return f"<html><head><title>{title}</title></head><body><article>{''.join(f'<p>{p}</p>' for p in paras)}</article></body></html>".encode()


# --------------------------------------------------------------------------- one bad file beside a good one


@dataclass
class Case:
    """A bad input: its path (under the input folder, or given separately), the reason and locator expected."""

    path: Path
    reason: str  # a substring of the failure reason
    locator: str | Callable[[str], bool] = ""  # exact locator, or a predicate on it
    extra_titles: tuple[str, ...] = ()  # articles from the bad file that are still stored
    outside: bool = False  # pass the path itself on the command line, not inside the folder
    absent: tuple[str, ...] = ()  # articles that must not be stored (a record cut in half)


def _empty(d: Path) -> Case:
    (d / "empty.txt").write_bytes(b"")
    return Case(d / "empty.txt", "empty file")


def _whitespace(d: Path) -> Case:
    (d / "blank.html").write_bytes(b" \n\n\t \r\n")
    return Case(d / "blank.html", "empty file")


def _random_bytes(d: Path) -> Case:
    (d / "noise.bin").write_bytes(random.Random(7).randbytes(20_000))
    return Case(d / "noise.bin", "binary file")


def _random_bytes_no_extension(d: Path) -> Case:
    (d / "noise").write_bytes(random.Random(8).randbytes(20_000))
    return Case(d / "noise", "binary file")


def _png(d: Path) -> Case:
    (d / "chart.png").write_bytes(PNG)
    return Case(d / "chart.png", "binary file")


def _png_named_txt(d: Path) -> Case:
    (d / "photo.txt").write_bytes(PNG)
    # Read as text because of its name: it still fails, and says it is binary.
    return Case(d / "photo.txt", "binary file")


def _damaged_utf8(d: Path) -> Case:
    data = dump("Café owners in Tromsø fear a slump", "“We have never seen a winter like this,” said the owner of a café on Monday.",
                S[2]).encode("utf-8")  # fmt: skip
    cut = data.index(b"never")
    (d / "damaged.txt").write_bytes(data[:cut] + b"\xff\xfe\xc3" + data[cut:])
    return Case(d / "damaged.txt", f"invalid UTF-8 at byte {cut}")


def _truncated_gzip_dump(d: Path) -> Case:
    z = gzip.compress(dump("Cut dump", S[3], S[4]).encode())
    (d / "cut.txt.gz").write_bytes(z[: len(z) - 12])
    return Case(d / "cut.txt.gz", "truncated gzip")


def _truncated_gzip_jsonl(d: Path) -> Case:
    lines = [json.dumps({"url": f"https://example.org/gz{i}", "title": f"Gzipped record {i:04d}", "text": f"{S[i % 6]} Record {i}."}) for i in range(600)]
    z = gzip.compress(("\n".join(lines) + "\n").encode(), compresslevel=1)
    (d / "records.jsonl.gz").write_bytes(z[: len(z) * 2 // 3])
    return Case(d / "records.jsonl.gz", "truncated gzip", lambda loc: loc.startswith("after line "), ("Gzipped record 0000", "Gzipped record 0100"))


def _truncated_warc_gz(d: Path) -> Case:
    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=True)
    starts = []
    for i in range(40):
        starts.append(buf.tell())
        response(w, f"https://example.org/w{i}", page(f"Archived page {i:02d}", f"{S[i % 6]} Page number {i}.", S[(i + 1) % 6]))
    data = buf.getvalue()
    (d / "crawl.warc.gz").write_bytes(data[: (starts[20] + starts[21]) // 2])  # in the middle of record 21's gzip member
    return Case(d / "crawl.warc.gz", "truncated WARC", lambda loc: loc.startswith("record 21"),
                tuple(f"Archived page {i:02d}" for i in range(20)), absent=("Archived page 20",))  # fmt: skip


def _no_text_html(d: Path) -> Case:
    shutil.copy(BAD / "no_text.html", d / "gallery.html")
    return Case(d / "gallery.html", "no article text")


def _garbage_html(d: Path) -> Case:
    shutil.copy(BAD / "garbage_tags.html", d / "garbage.html")
    return Case(d / "garbage.html", "no article text")


def _malformed_feed(d: Path) -> Case:
    shutil.copy(BAD / "broken_feed.xml", d / "broken.xml")
    return Case(d / "broken.xml", "malformed feed")


def _cut_feed(d: Path) -> Case:
    shutil.copy(BAD / "cut_feed.rss", d / "cut.rss")
    return Case(d / "cut.rss", "neither content nor summary", "entry 2", ("Complete entry before the cut",))


def _feed_without_entries(d: Path) -> Case:
    (d / "empty.atom").write_text('<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>Nothing</title></feed>\n', "utf-8")
    return Case(d / "empty.atom", "feed has no entries")


def _malformed_json_line(d: Path) -> Case:
    lines = [
        json.dumps({"title": "Record line 1", "text": S[2]}),
        json.dumps({"title": "Record line 2", "text": S[3]}),
        '{"title": "Record line 3", "text": "unterminated',
        json.dumps({"title": "Record line 4", "text": S[4]}),
        json.dumps({"title": "Record line 5", "text": S[5]}),
    ]
    (d / "export.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    return Case(d / "export.jsonl", "malformed JSON", "line 3", ("Record line 1", "Record line 2", "Record line 4", "Record line 5"))


def _damaged_utf8_json_line(d: Path) -> Case:
    bad = json.dumps({"title": "Damaged line", "text": "“Quoted” café talk, said the owner of a café in Tromsø on Monday."}, ensure_ascii=False).encode()
    cut = bad.index(b"talk")
    lines = [json.dumps({"title": "Before the damage", "text": S[2]}).encode(), bad[:cut] + b"\xff" + bad[cut:],
             json.dumps({"title": "After the damage", "text": S[3]}).encode()]  # fmt: skip
    (d / "export.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    return Case(d / "export.jsonl", f"invalid UTF-8 at byte {cut}", "line 2", ("After the damage", "Before the damage"))


def _malformed_json_document(d: Path) -> Case:
    (d / "export.json").write_text('[{"title": "Cut document", "text": "The body of the article starts here and', "utf-8")
    return Case(d / "export.json", "malformed JSON")


def _csv_without_text_column(d: Path) -> Case:
    shutil.copy(BAD / "no_text_column.csv", d / "table.csv")
    return Case(d / "table.csv", "no text or html column")


def _warc_record_without_body(d: Path) -> Case:
    with open(d / "crawl.warc", "wb") as fh:
        w = WARCWriter(fh, gzip=False)
        response(w, "https://example.org/first", page("Archived before the empty one", S[2], S[3]))
        response(w, "https://example.org/empty", b"")
        response(w, "https://example.org/last", page("Archived after the empty one", S[4], S[5]))
    return Case(d / "crawl.warc", "WARC record has no body", "record 2 https://example.org/empty",
                ("Archived after the empty one", "Archived before the empty one"))  # fmt: skip


def _corrupt_gzip(d: Path) -> Case:
    (d / "data.jsonl.gz").write_bytes(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + random.Random(3).randbytes(300))
    return Case(d / "data.jsonl.gz", "corrupt gzip")


def _corrupt_zip(d: Path) -> Case:
    (d / "bundle.zip").write_bytes(b"PK\x03\x04" + random.Random(4).randbytes(300))
    return Case(d / "bundle.zip", "corrupt zip")


def _broken_symlink(d: Path) -> Case:
    os.symlink(d / "gone.txt", d / "dangling.txt")
    return Case(d / "dangling.txt", "broken symlink")


def _symlink_loop(d: Path) -> Case:
    (d / "sub").mkdir()
    (d / "sub" / "inner.txt").write_text(dump("Inside the looped folder", S[5]), "utf-8")
    os.symlink("..", d / "sub" / "up")  # sub/up -> the input folder itself
    return Case(d / "sub" / "up", "symlink loop", extra_titles=("Inside the looped folder",))


def _self_symlink(d: Path) -> Case:
    os.symlink(d / "me", d / "me")
    return Case(d / "me", "symbolic links")


def _missing_path(d: Path) -> Case:
    return Case(d.parent / "no-such-input.jsonl", "no such file or folder", outside=True)


CASES = {f.__name__.lstrip("_"): f for f in [
    _empty, _whitespace, _random_bytes, _random_bytes_no_extension, _png, _png_named_txt, _damaged_utf8,
    _truncated_gzip_dump, _truncated_gzip_jsonl, _truncated_warc_gz, _no_text_html, _garbage_html,
    _malformed_feed, _cut_feed, _feed_without_entries, _malformed_json_line, _damaged_utf8_json_line,
    _malformed_json_document, _csv_without_text_column, _warc_record_without_body, _corrupt_gzip, _corrupt_zip,
    _broken_symlink, _symlink_loop, _self_symlink, _missing_path,
]}  # fmt: skip


def _setup(tmp_path: Path, make: Callable[[Path], Case]) -> tuple[Path, Case, list[str]]:
    d = tmp_path / "in"
    d.mkdir()
    good_file(d)
    case = make(d)
    args = [str(d)] + ([str(case.path)] if case.outside else [])
    return d, case, args


def _located(case: Case, locator: str) -> bool:
    return case.locator(locator) if callable(case.locator) else locator == case.locator


@pytest.mark.parametrize("name", list(CASES))
def test_one_failure_line_rest_stored(tmp_path, name):
    d, case, args = _setup(tmp_path, CASES[name])
    db = str(tmp_path / "api.db")
    rep = ingest(args, db)
    assert len(rep.failed) == 1, [str(r) for r in rep.failed]
    fail = rep.failed[0]
    # The file itself, or the member of it ("x.jsonl.gz!x.jsonl") that was being read.
    assert fail.source.path == str(case.path) or fail.source.path.startswith(f"{case.path}!"), str(fail)
    assert case.reason in fail.reason, str(fail)
    assert _located(case, fail.source.locator), str(fail)
    assert rep.skipped == []
    got = titles(db)
    assert GOOD_TITLE in got
    assert set(case.extra_titles) <= set(got)
    assert not set(case.absent) & set(got)
    if not callable(case.locator):  # an exact list when nothing was cut off mid-stream
        assert got == sorted([GOOD_TITLE, *case.extra_titles])


@pytest.mark.parametrize("name", list(CASES))
def test_cli_prints_the_failure_and_exits_1(tmp_path, name):
    d, case, args = _setup(tmp_path, CASES[name])
    db = str(tmp_path / "cli.db")
    code, lines = cli([*args, "--db", db])
    assert code == 1, lines
    failed = [ln for ln in lines if ln.startswith("failed: ")]
    assert len(failed) == 1, lines
    # "failed: PATH[!MEMBER][ (LOCATOR)]: REASON"
    m = re.fullmatch(rf"failed: {re.escape(str(case.path))}(![^ ]*)?(?: \((.+?)\))?: (.+)", failed[0])
    assert m, failed[0]
    assert _located(case, m.group(2) or ""), failed[0]
    assert case.reason in m.group(3), failed[0]
    assert lines[0].startswith("read ") and ", failed 1, skipped 0" in lines[0]
    assert GOOD_TITLE in titles(db)


def test_cli_exit_0_without_failures(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    good_file(d)
    code, lines = cli([str(d), "--db", str(tmp_path / "t.db")])
    assert code == 0 and lines == ["read 1, new 1, duplicate 0, updated 0, failed 0, skipped 0"]


def test_cli_json_lists_every_failure(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    good_file(d)
    for make in (_empty, _png, _malformed_json_line, _csv_without_text_column):
        make(d)
    with deadline(30):
        res = CliRunner().invoke(cli_main, ["ingest", str(d), "--db", str(tmp_path / "t.db"), "--json"])
    assert res.exit_code == 1
    out = json.loads(res.stdout)
    assert out["failed"] == 4 and out["new"] == 5
    assert sorted(f["source"] for f in out["failures"]) == sorted([
        str(d / "empty.txt"), str(d / "chart.png"), f"{d / 'export.jsonl'} (line 3)", str(d / "table.csv")])  # fmt: skip


# --------------------------------------------------------------------------- JSONL details


def test_several_bad_lines_each_named(tmp_path):
    f = tmp_path / "mixed.jsonl"
    f.write_text(
        "\n".join([
            json.dumps({"title": "Line one", "text": S[0]}),
            "{not json at all",
            "[1, 2, 3]",
            "",
            json.dumps({"title": "Line five", "text": S[1]}),
            json.dumps({"title": "No body", "url": "https://example.org/x"}),
            json.dumps({"title": "Line seven", "text": S[2]}),
        ]) + "\n",
        "utf-8",
    )  # fmt: skip
    db = str(tmp_path / "t.db")
    rep = ingest([f], db)
    assert [(r.source.locator, r.reason.split(":")[0]) for r in rep.failed] == [
        ("line 2", "malformed JSON"), ("line 3", "expected a JSON object, got list"), ("line 6", "no 'text' or 'html' field (fields")]  # fmt: skip
    assert titles(db) == ["Line five", "Line one", "Line seven"]


# --------------------------------------------------------------------------- legacy encodings


CAFE = ["“We have never seen a winter like this,” said the owner of a café in the centre of Tromsø on Monday.",
        "She said bookings from abroad had fallen by almost a third – the worst figure since the café opened."]  # fmt: skip
RU = ["Грузопоток по Северному морскому пути в этом году вырастет до четырёх миллионов тонн, сообщили в дирекции в понедельник.",
      "Суда будут сопровождать атомные ледоколы в течение всей летней и осенней навигации, отметил представитель ведомства."]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "encoding", "title", "paras"),
    [
        ("cafe_cp1252.txt", "cp1252", "Café owners in Tromsø fear a slump", CAFE),
        ("nsr_koi8r.txt", "koi8-r", "Северный морской путь открыт для судов", RU),
        ("nsr_cp1251.txt", "cp1251", "Северный морской путь: рекорд грузоперевозок", RU),
        ("nsr_utf16.txt", "utf-16", "Северный морской путь в UTF-16", RU),
    ],
)
def test_legacy_encoding_stored_as_unicode(tmp_path, name, encoding, title, paras):
    f = tmp_path / name
    f.write_bytes(dump(title, *paras).encode(encoding))
    db = str(tmp_path / "t.db")
    rep = ingest([f], db)
    assert rep.failed == [] and rep.new == 1
    a = polarwatch.show(rep.new_ids[0], db=db).article
    assert a.title == title
    assert a.paragraphs == paras
    assert "\ufffd" not in a.raw


def test_legacy_encoding_in_records(tmp_path):
    csv_f = tmp_path / "ru.csv"
    csv_f.write_bytes(("url,title,text\nhttps://example.ru/1,Ледоколы,\"" + RU[0] + "\"\n").encode("cp1251"))
    jl = tmp_path / "fr.jsonl"
    jl.write_bytes((json.dumps({"title": "Café", "text": CAFE[0]}, ensure_ascii=False) + "\n").encode("cp1252"))
    db = str(tmp_path / "t.db")
    rep = ingest([csv_f, jl], db)
    assert rep.failed == [] and rep.new == 2
    got = {a.article.title: a.article.paragraphs for a in polarwatch.articles(db=db)}
    assert got == {"Ледоколы": [RU[0]], "Café": [CAFE[0]]}


# --------------------------------------------------------------------------- size limit


def _big_inputs(d: Path, big: str) -> dict[str, tuple[Path, str]]:
    """One over-long article per format, each beside a normal one in the same file where the format allows."""
    out: dict[str, tuple[Path, str]] = {}
    (d / "long.txt").write_text(dump("Too long dump", "Dump: " + big), "utf-8")
    out["text"] = (d / "long.txt", "")
    (d / "long.html").write_bytes(page("Too long page", "Page: " + big))
    out["html"] = (d / "long.html", "")
    (d / "recs.jsonl").write_text("\n".join(json.dumps(r) for r in [
        {"title": "Normal record", "text": S[2]}, {"title": "Too long record", "text": "Record: " + big}, {"title": "Normal record two", "text": S[3]}]) + "\n", "utf-8")  # fmt: skip
    out["jsonl"] = (d / "recs.jsonl", "line 2")
    (d / "rows.csv").write_text(f'title,text\nNormal row,"{S[4]}"\nToo long row,"Row: {big}"\n', "utf-8")
    out["csv"] = (d / "rows.csv", "row 2")
    items = "".join(f"<item><title>{t}</title><link>https://feed.example/{i}</link><description>{b}</description></item>"
                    for i, (t, b) in enumerate([("Normal entry", S[5]), ("Too long entry", "Entry: " + big)], 1))  # fmt: skip
    (d / "feed.rss").write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>Long feed</title>{items}</channel></rss>', "utf-8")
    out["feed"] = (d / "feed.rss", "entry 2")
    with open(d / "crawl.warc", "wb") as fh:
        w = WARCWriter(fh, gzip=False)
        response(w, "https://example.org/normal", page("Normal archived page", S[0], S[1]))
        response(w, "https://example.org/long", page("Too long archived page", "Archived: " + big))
    out["warc"] = (d / "crawl.warc", "record 2 https://example.org/long")
    return out


NORMAL = ["Normal archived page", "Normal entry", "Normal record", "Normal record two", "Normal row"]


def test_article_over_the_limit_is_refused_in_every_format(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    big = " ".join([S[0]] * 200)  # ~24 KB
    expected = _big_inputs(d, big)
    db = str(tmp_path / "t.db")
    rep = ingest([d], db, max_article_bytes=20_000)
    got = {(r.source.path, r.source.locator): r.reason for r in rep.failed}
    assert set(got) == {(str(p), loc) for p, loc in expected.values()}, got
    for reason in got.values():
        assert "over the limit of 20,000" in reason and "--max-article-bytes" in reason
    assert titles(db) == NORMAL
    # Raised, the same input is stored whole.
    rep2 = ingest([d], str(tmp_path / "t2.db"), max_article_bytes=1_000_000)
    assert rep2.failed == [] and rep2.new == len(NORMAL) + len(expected)


def test_cli_max_article_bytes_flag_and_env(tmp_path, monkeypatch):
    d = tmp_path / "in"
    d.mkdir()
    good_file(d)
    (d / "long.txt").write_text(dump("Too long dump", " ".join([S[3]] * 100)), "utf-8")
    code, lines = cli([str(d), "--db", str(tmp_path / "a.db"), "--max-article-bytes", "5000"])
    assert code == 1
    assert [ln for ln in lines if ln.startswith("failed: ")] == [
        f"failed: {d / 'long.txt'}: article is 5,001 bytes, over the limit of 5,000 "
        "(raise it with --max-article-bytes or POLARWATCH_MAX_ARTICLE_BYTES)"]  # fmt: skip
    monkeypatch.setenv("POLARWATCH_MAX_ARTICLE_BYTES", "5000")
    code, lines = cli([str(d), "--db", str(tmp_path / "b.db")])
    assert code == 1 and sum(ln.startswith("failed: ") for ln in lines) == 1
    code, lines = cli([str(d), "--db", str(tmp_path / "c.db"), "--max-article-bytes", "100000"])  # the flag wins
    assert code == 0, lines


# --------------------------------------------------------------------------- earlier batches are kept


def test_nothing_stored_is_lost_when_a_later_batch_fails(tmp_path):
    db = str(tmp_path / "t.db")
    first = tmp_path / "first"
    first.mkdir()
    good_file(first)
    (first / "recs.jsonl").write_text("\n".join(json.dumps({"url": f"https://example.org/k{i}", "title": f"Kept {i}", "text": f"{S[i]} Kept number {i}."}) for i in range(2, 6)) + "\n", "utf-8")
    rep1 = ingest([first], db)
    assert rep1.failed == [] and rep1.new == 5
    before = {a.article.id: (a.article.paragraphs, a.sources_detail) for a in polarwatch.articles(db=db)}

    second = tmp_path / "second"
    second.mkdir()
    for make in (_empty, _png, _damaged_utf8, _truncated_gzip_dump, _malformed_json_line, _csv_without_text_column,
                 _warc_record_without_body, _broken_symlink, _corrupt_zip):  # fmt: skip
        make(second)
    (second / "also_good.txt").write_text(dump("Added in the failing batch", "A sentence that only the second batch holds, the editor said."), "utf-8")
    rep2 = ingest([second, tmp_path / "missing"], db, batch_size=2)
    assert len(rep2.failed) == 10 and rep2.new == 7
    after = {a.article.id: (a.article.paragraphs, a.sources_detail) for a in polarwatch.articles(db=db)}
    assert len(after) == 5 + 7
    assert {k: after[k] for k in before} == before

    # A batch where everything fails changes nothing at all.
    third = tmp_path / "third"
    third.mkdir()
    for make in (_empty, _png, _corrupt_gzip):
        make(third)
    code, lines = cli([str(third), "--db", db])
    assert code == 1 and sum(ln.startswith("failed: ") for ln in lines) == 3
    assert {a.article.id: (a.article.paragraphs, a.sources_detail) for a in polarwatch.articles(db=db)} == after


def test_symlink_loop_in_a_subprocess_does_not_hang(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    good_file(d)
    _symlink_loop(d)
    (d / "sub" / "sideways").symlink_to(d / "sub")
    polarwatch_bin = Path(sys.executable).with_name("polarwatch")
    cmd = [str(polarwatch_bin)] if polarwatch_bin.exists() else [sys.executable, "-m", "polarwatch.cli"]
    res = subprocess.run([*cmd, "ingest", str(d), "--db", str(tmp_path / "t.db"), "-q"], capture_output=True, text=True, timeout=60)
    assert res.returncode == 1, res.stderr
    failed = [ln for ln in res.stdout.splitlines() if ln.startswith("failed: ")]
    assert sorted(failed) == sorted([
        f"failed: {d / 'sub' / 'up'}: symlink loop: this folder was already read",
        f"failed: {d / 'sub' / 'sideways'}: symlink loop: this folder was already read",
    ])  # fmt: skip


# --------------------------------------------------------------------------- 200 MB inputs in constant memory

# The child reports its own peak: VmHWM of its address space. (ru_maxrss would not do: after a
# vfork+exec Linux carries the parent's peak over, so a big pytest process would inflate it.)
CHILD = textwrap.dedent(
    """
    import json, re, resource, sys
    from polarwatch.cli import main
    try:
        main(sys.argv[1:], prog_name="polarwatch")
        code = 0
    except SystemExit as exc:
        code = exc.code
    try:
        with open("/proc/self/status") as fh:
            peak = int(re.search(r"^VmHWM:\\s+(\\d+) kB", fh.read(), re.M).group(1))
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"exit": code, "max_rss_kb": peak}), file=sys.stderr)
    """
)
MB = 1 << 20


def _run_child(tmp_path: Path, path: Path, max_bytes: int, db_name: str = "big.db") -> tuple[dict, dict]:
    """Run ``polarwatch ingest PATH --json`` in a fresh interpreter: (its report, {"exit", "max_rss_kb"})."""
    db = str(tmp_path / db_name)
    res = subprocess.run(
        # --no-nlp: this measures the readers' streaming, not the language model's fixed size
        [sys.executable, "-c", CHILD, "ingest", str(path), "--db", db, "--max-article-bytes", str(max_bytes), "--json", "--no-nlp"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    child = json.loads(res.stderr.strip().splitlines()[-1])
    return json.loads(res.stdout), child


def _check_memory(child: dict, baseline: dict, size: int) -> None:
    peak, base = child["max_rss_kb"] * 1024, baseline["max_rss_kb"] * 1024
    msg = f"peak RSS {peak // MB} MB for a {size // MB} MB file (the same ingest of a small file: {base // MB} MB)"
    assert peak < 150 * MB, msg
    # Constant memory: no more than a small file needs, give or take buffers (one 10 MB line held would show).
    assert peak - base < 25 * MB, msg


@pytest.mark.slow
def test_200mb_jsonl_streams_in_constant_memory(tmp_path):
    normal = {i: json.dumps({"url": f"https://example.org/n{i}", "title": f"Normal line {i}", "text": f"{S[i % 6]} Number {i}."}) for i in range(0, 30, 3)}
    small = tmp_path / "small.jsonl"
    small.write_text("\n".join(normal.values()) + "\n", "utf-8")
    _, baseline = _run_child(tmp_path, small, 200_000, "small.db")

    f = tmp_path / "huge.jsonl"
    filler = ("x" * 1023 + " ") * (10 * 1024)  # 10 MB of text
    huge_lines = []
    try:
        with open(f, "w", encoding="utf-8") as fh:
            for i in range(30):
                if i in normal:
                    fh.write(normal[i] + "\n")
                else:
                    fh.write(f'{{"url": "https://example.org/h{i}", "title": "Huge line {i}", "text": "{filler}"}}\n')
                    huge_lines.append(f"line {i + 1}")
        size = f.stat().st_size
        assert size > 200 * MB
        report, child = _run_child(tmp_path, f, 200_000)
    finally:
        f.unlink(missing_ok=True)
    assert child["exit"] == 1
    _check_memory(child, baseline, size)
    assert report["new"] == len(normal) == 10 and report["failed"] == 20
    assert [x["source"] for x in report["failures"]] == [f"{f} ({loc})" for loc in huge_lines]
    for x in report["failures"]:
        # The size given is the line's real one (about 10 MB), though the line was never held whole.
        assert "over the limit of 200,000" in x["reason"], x
        assert 10 * MB < int(x["reason"].split(" bytes")[0].removeprefix("article is ").replace(",", "")) < 11 * MB, x
    assert titles(str(tmp_path / "big.db")) == sorted(f"Normal line {i}" for i in normal)


def _warc_record(uri: str, title: str, *paras: str) -> bytes:
    buf = io.BytesIO()
    response(WARCWriter(buf, gzip=False), uri, page(title, *paras))
    return buf.getvalue()


@pytest.mark.slow
def test_200mb_warc_streams_in_constant_memory(tmp_path):
    before = _warc_record("https://example.org/before", "Archived before the huge one", S[0], S[1])
    after = _warc_record("https://example.org/after", "Archived after the huge one", S[3], S[4])
    small = tmp_path / "small.warc"
    small.write_bytes(before + after)
    _, baseline = _run_child(tmp_path, small, 200_000, "small.db")

    f = tmp_path / "huge.warc"
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    block = ((b"<p>" + S[2].encode() + b"</p>\n") * (MB // 100))[:MB].ljust(MB, b" ")
    body_len = 200 * MB
    try:
        with open(f, "wb") as fh:
            fh.write(before)
            fh.write(
                b"WARC/1.0\r\nWARC-Type: response\r\n"
                + f"WARC-Record-ID: <urn:uuid:{uuid.uuid4()}>\r\nWARC-Date: 2025-01-01T00:00:00Z\r\n".encode()
                + b"WARC-Target-URI: https://example.org/huge\r\nContent-Type: application/http; msgtype=response\r\n"
                + f"Content-Length: {len(http) + body_len}\r\n\r\n".encode()
                + http
            )
            for _ in range(body_len // MB):
                fh.write(block)
            fh.write(b"\r\n\r\n")
            fh.write(after)
        size = f.stat().st_size
        assert size > 200 * MB
        report, child = _run_child(tmp_path, f, 200_000)
    finally:
        f.unlink(missing_ok=True)
    assert child["exit"] == 1
    _check_memory(child, baseline, size)
    assert report["new"] == 2 and report["failed"] == 1
    assert report["failures"][0]["source"] == f"{f} (record 2 https://example.org/huge)"
    assert "over the limit of 200,000" in report["failures"][0]["reason"]
    assert titles(str(tmp_path / "big.db")) == ["Archived after the huge one", "Archived before the huge one"]


def test_child_memory_probe_is_its_own(tmp_path):
    """The peak the slow tests read is the child's alone: a big parent does not inflate it."""
    ballast = b"x" * (200 * MB)  # the parent's memory, touched
    try:
        report, child = _run_child(tmp_path, good_file(tmp_path), 200_000)
    finally:
        del ballast
    assert child["exit"] == 0 and report["new"] == 1
    assert 10 * MB < child["max_rss_kb"] * 1024 < 150 * MB
