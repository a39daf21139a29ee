"""The Spark batch job: input files -> documents -> clean -> NLP -> events -> themes/tone -> Parquet tables.

Run it with ``polarwatch spark-run INPUT OUTPUT`` (a local Spark, ``--master local[N]``), or on a cluster::

    spark-submit --master spark://host:7077 "$(python -m polarwatch.spark.submit --path)" INPUT OUTPUT

(docs/scaling.md). Files are listed and read as bytes by Spark (any Hadoop file system), each file is
split into documents on an executor, the documents are spread over ``partitions`` by a hash of where
they came from, and each partition runs :func:`polarwatch.spark.rows.process`: the models load once
per Python worker, which Spark reuses across tasks. The result is written as one Parquet dataset per
table under OUTPUT (articles, mentions, quotes, events, themes, tone, rejects), each split into
``bucket`` partitions by article id and sorted by key inside, with dynamic partition overwrite: a job
killed half-way and run again writes the same files, and nothing of the killed run is left visible.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any

from ..config import Settings, load_settings
from . import rows as R

SPARK_HINT = "the Spark job needs pyspark and pyarrow: pip install 'polarwatch[spark]' (and Java 17)"


@dataclass(slots=True)
class RunReport:
    articles: int
    rejects: int
    counts: dict[str, int]
    seconds: float


def _spark_type(name: str) -> Any:
    from pyspark.sql import types as T

    return {"string": T.StringType(), "long": T.LongType(), "double": T.DoubleType(), "boolean": T.BooleanType()}[name]


def schema(table: str) -> Any:
    from pyspark.sql import types as T

    return T.StructType([T.StructField(n, _spark_type(t), True) for n, t in R.TABLES[table]] + [T.StructField("bucket", T.IntegerType(), False)])


def session(master: str | None = None, app: str = "polarwatch", conf: dict[str, str] | None = None) -> Any:
    """A Spark session whose Python workers run this interpreter (so they import this polarwatch)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise RuntimeError(SPARK_HINT) from exc
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    b = SparkSession.builder.appName(app)
    if master:
        b = b.master(master)
    settings = {
        "spark.sql.sources.partitionOverwriteMode": "dynamic",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": "8",
        "spark.python.worker.reuse": "true",
        **(conf or {}),
    }
    if (master or "").startswith("local"):  # a local run talks to itself on the loopback interface only
        settings = {"spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1", **settings}
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    for k, v in settings.items():
        b = b.config(k, v)
    spark = b.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _local_path(uri: str) -> str:
    """Spark's ``file:/a/b`` as the path ``polarwatch ingest`` would record (other schemes stay URIs)."""
    from urllib.parse import unquote

    return unquote(uri[len("file:") :]) if uri.startswith("file:") else uri


def run(input_path: str, output: str, master: str | None = "local[*]", partitions: int | None = None, nlp: bool = True,
        settings: Settings | None = None, spark: Any = None) -> RunReport:  # fmt: skip
    """Run the job over every file under *input_path* and write the tables under *output*."""
    import time

    from pyspark import StorageLevel

    t0 = time.perf_counter()
    settings = settings or load_settings()
    own = spark is None
    spark = spark or session(master)
    try:
        sc = spark.sparkContext
        n = partitions or max(2, sc.defaultParallelism * 4)
        files = (spark.read.format("binaryFile").option("recursiveFileLookup", "true").option("pathGlobFilter", "[!.]*")
                 .load(input_path).select("path", "content").rdd)  # fmt: skip

        def docs(rec: Any) -> list[Any]:
            path = _local_path(rec["path"])
            return [(f"{d.source.path}#{d.source.locator}", d) for d in R.read_file(path, bytes(rec["content"]), settings)]

        def part(it: Any) -> Any:
            return ((t, R.as_tuple(t, r)) for t, r in R.process((d for _, d in it), nlp=nlp))

        # Documents go to partitions by where they came from (stable), then are read in that order.
        tagged = (files.flatMap(docs).partitionBy(n, R.stable_hash).mapPartitions(lambda it: iter(sorted(it, key=lambda kv: kv[0])))
                  .mapPartitions(part).persist(StorageLevel.MEMORY_AND_DISK))  # fmt: skip
        counts = dict(tagged.map(lambda tr: (tr[0], 1)).reduceByKey(lambda a, b: a + b).collect())
        for table in R.TABLES:
            rows = tagged.filter(lambda tr, t=table: tr[0] == t).map(lambda tr: tr[1])
            df = spark.createDataFrame(rows, schema(table))
            # No shuffle: each task writes its rows of each bucket, sorted (file names differ from run to run, rows do not).
            (df.sortWithinPartitions("bucket", *R.key_of(table)).write.mode("overwrite")
             .partitionBy("bucket").parquet(os.path.join(output, table)))  # fmt: skip
        tagged.unpersist()
    finally:
        if own:
            spark.stop()
    return RunReport(counts.get("articles", 0), counts.get("rejects", 0), counts, round(time.perf_counter() - t0, 2))


def main(argv: list[str] | None = None) -> int:
    """The spark-submit entry point: ``job.py INPUT OUTPUT [--partitions N] [--no-nlp]`` (the master comes from spark-submit)."""
    import argparse

    ap = argparse.ArgumentParser(prog="polarwatch.spark.job", description="polarwatch batch extraction on Spark")
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--partitions", type=int, default=None)
    ap.add_argument("--no-nlp", action="store_true")
    args = ap.parse_args(argv)
    rep = run(args.input, args.output, master=None, partitions=args.partitions, nlp=not args.no_nlp)
    print(f"{rep.articles} article rows, {rep.rejects} rejects in {rep.seconds}s: {rep.counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
