"""The Spark batch path: the same records as a single-process ingest, rejects with reasons, the same output
after a killed run, and ``polarwatch load`` into either backend (``db``: both, see conftest.py).

One Spark session (``local[2]``) serves the module: starting the JVM is most of the cost."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from polarwatch.config import load_settings
from polarwatch.pipeline import ingest
from polarwatch.spark import rows as R
from polarwatch.store import open_store

pytestmark = pytest.mark.slow

# Fictional reports: two outlets on one icebreaker, a wire story and its repost, a Canadian exercise, a quote.
ITEMS = [
    ("https://tass.com/a1", "2031-03-03", "Icebreaker Zarya Severa completes sea trials",
     "Rosatom said on Monday that the nuclear icebreaker Zarya Severa had completed its sea trials in the Gulf of Finland. "
     "\"The ship is ready to lead convoys on the Northern Sea Route,\" said Rosatom's Arctic director Pavel Orlov."),
    ("https://thebarentsobserver.com/a2", "2031-03-04", "Zarya Severa finishes trials, heads for Murmansk",
     "The nuclear icebreaker Zarya Severa finished sea trials in the Gulf of Finland this week, according to Rosatom. "
     "Pavel Orlov said the icebreaker would be based in Murmansk and escort tankers along the Northern Sea Route."),
    ("https://www.cbc.ca/a3", "2031-03-05", "Canadian patrol ships begin exercise in Nunavut",
     "Two Canadian offshore patrol ships sailed from Halifax on Wednesday for an exercise near Resolute Bay. "
     "Norway and Canada agreed to share ice charts, and Denmark criticised Russia over GPS jamming near Greenland."),
    ("https://www.nrk.no/a4", "2031-03-06", "Fisheries commission meets in Tromsø",
     "Norway and Russia agreed on Tuesday to extend their fisheries cooperation in the Barents Sea for another year. "
     "The commission also discussed snow crab quotas around Svalbard."),
]  # fmt: skip


def _spark_or_skip():  # type: ignore[no-untyped-def]
    try:
        import pyspark  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip("pyspark is not installed: pip install 'polarwatch[spark]'")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        if os.environ.get("CI"):
            pytest.fail("CI must run the Spark tests, but no Java was found (apt-get install openjdk-17-jre-headless)")
        pytest.skip("no Java: Spark needs Java 17")


@pytest.fixture(scope="module")
def spark():  # type: ignore[no-untyped-def]
    _spark_or_skip()
    from polarwatch.spark.job import session

    s = session("local[2]", app="polarwatch-tests")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    import pyarrow as pa
    import pyarrow.parquet as pq
    from test_readers import write_warc

    d = tmp_path_factory.mktemp("corpus")
    with (d / "a.jsonl").open("w", encoding="utf-8") as fh:
        for url, day, title, text in ITEMS:
            fh.write(json.dumps({"url": url, "published": day, "title": title, "text": text}) + "\n")
        fh.write("{this line is not JSON\n")
        fh.write(json.dumps({"url": "https://x.example/none", "title": "No body"}) + "\n")
        fh.write(json.dumps({"url": "https://wire.example/a1", "title": ITEMS[0][2], "text": ITEMS[0][3]}) + "\n")  # a repost
    write_warc(d / "b.warc.gz", gz=True)
    (d / "z").mkdir()
    pq.write_table(pa.table({"url": ["https://www.arctictoday.com/p1", "https://www.arctictoday.com/p2"],
                             "title": ["Greenland opens mining tender", None],
                             "text": ["Greenland's government opened a tender for rare earth mining near Narsaq on Friday.", None],
                             "published": ["2031-03-07", "2031-03-08"]}), d / "z" / "c.parquet")  # fmt: skip
    return d


def _single_process(corpus: Path, db: str) -> object:
    """The reference: polarwatch ingest's path over the same files (the Parquet file through the job's reader)."""
    from polarwatch.ingest import read_paths

    settings = load_settings()
    pq_path = str(corpus / "z" / "c.parquet")
    items = [*read_paths([corpus / "a.jsonl", corpus / "b.warc.gz"], settings),
             *R.read_file(pq_path, Path(pq_path).read_bytes(), settings)]  # fmt: skip
    with open_store(db) as s:
        return ingest([], s, settings, items=items)


def _dump(db: str) -> dict:
    """Everything the store says about each article, minus when it was stored."""
    out: dict = {}
    with open_store(db) as s:
        ids = [a.article.id for a in s.list_articles(limit=1000)]
        for aid in ids:
            a = s.get_article(aid).as_dict(raw=True)  # type: ignore[union-attr]
            a.pop("ingested_at")
            out[aid] = {
                "article": a, "mentions": [m.as_dict() for m in s.get_mentions(aid)], "quotes": [q.as_dict() for q in s.get_quotes(aid)],  # type: ignore[attr-defined]
                "events": [vars(e) if hasattr(e, "__dict__") else {k: getattr(e, k) for k in e.__dataclass_fields__} for e in s.get_events(aid)],  # type: ignore[attr-defined]
                "themes": s.get_themes(aid), "tone": s.get_tone(aid), "near": s.get_near_duplicates(aid),  # type: ignore[attr-defined]
            }  # fmt: skip
        stories = {}
        for aid in ids:
            stories.setdefault(s.story_of(aid), set()).add(aid)  # type: ignore[attr-defined]
        out["_stories"] = sorted(sorted(v) for v in stories.values())
    return out


@pytest.fixture(scope="module")
def spark_out(spark, corpus, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    from polarwatch.spark.job import run

    out = tmp_path_factory.mktemp("out")
    rep = run(str(corpus), str(out), spark=spark)
    assert rep.articles >= 8 and rep.rejects >= 3
    return out


def _tables(out: Path) -> dict[str, list[dict]]:
    import pyarrow.dataset as ds

    got = {}
    for t in R.TABLES:
        rows = ds.dataset(str(out / t), format="parquet", partitioning="hive").to_table().to_pylist() if (out / t).is_dir() else []
        got[t] = sorted(rows, key=lambda r: tuple(str(r.get(k)) for k in (*R.key_of(t), "source_path", "source_locator")))
    return got


def test_spark_and_single_process_store_identical_records(spark_out, corpus, db, tmp_path):
    from polarwatch.spark.load import load

    ref_db = str(tmp_path / "ref.db")
    ref = _single_process(corpus, ref_db)
    with open_store(db) as s:
        rep = load(spark_out, s)
    assert (rep.new, rep.duplicate) == (ref.new, ref.duplicate)  # type: ignore[attr-defined]
    want, got = _dump(ref_db), _dump(db)
    assert got.keys() == want.keys() and len(got) > 8
    for aid in want:
        assert got[aid] == want[aid], aid
    # Each malformed input is a reject with the same reason a single-process ingest gives.
    rejects = {(r["source_path"], r["source_locator"], r["reason"]) for r in _tables(spark_out)["rejects"] if not r["skipped"]}
    assert rejects == {(f.source.path, f.source.locator, f.reason) for f in ref.failed}  # type: ignore[attr-defined]
    assert any("malformed JSON" in r[2] for r in rejects) and any("no 'text'" in r[2] for r in rejects)
    # Loading again changes nothing.
    with open_store(db) as s:
        again = load(spark_out, s)
    assert again.new == 0 and _dump(db) == got


def test_parquet_rows_are_articles_with_their_row_number(spark_out):
    arts = [r for r in _tables(spark_out)["articles"] if r["source_path"].endswith("c.parquet")]
    assert [(r["source_locator"], r["title"]) for r in arts] == [("row 1", "Greenland opens mining tender")]
    rej = [r for r in _tables(spark_out)["rejects"] if r["source_path"].endswith("c.parquet")]
    assert [r["source_locator"] for r in rej] == ["row 2"]


def test_a_killed_run_rerun_writes_the_same_tables(spark, spark_out, corpus, tmp_path):
    """Kill a spark-run while it writes, run it again over the same OUTPUT: the tables equal a clean run's."""
    out = tmp_path / "out"
    cmd = [sys.executable, "-c", "from polarwatch.cli import main; main()", "spark-run", "--master", "local[1]", "--partitions", "2",
           str(corpus), str(out)]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.time() + 600
    while time.time() < deadline and proc.poll() is None and not (out / "mentions").exists():
        time.sleep(0.2)  # killed once the first table is on disk and the second is being written
    assert proc.poll() is None, f"spark-run ended before it could be killed: {proc.communicate()[1].decode()[-2000:]}"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    from polarwatch.spark.job import run

    run(str(corpus), str(out), spark=spark)
    assert _tables(out) == _tables(spark_out)
