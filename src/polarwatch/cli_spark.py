"""Commands of the batch path (issue 7): ``spark-run`` writes Parquet tables, ``load`` stores them."""

from __future__ import annotations

import click

from .cli import _db, _emit, _fail, db_option, main
from .config import load_settings
from .store import StoreError, open_store


@main.command("spark-run")
@click.argument("input_path", metavar="INPUT", type=click.Path())
@click.argument("output", type=click.Path())
@click.option("--master", default="local[*]", show_default=True, help="Spark master: local[N] for N cores here, or a cluster URL.")
@click.option("--partitions", type=click.IntRange(min=1), help="Partitions for the extraction (default: 4 per core).")
@click.option("--no-nlp", is_flag=True, help="Clean only: write articles and rejects, no extraction.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
def spark_run(input_path: str, output: str, master: str, partitions: int | None, no_nlp: bool, as_json: bool) -> None:
    """Extract every file under INPUT (JSONL, WARC, Parquet, or anything ingest reads) on Spark into Parquet tables
    under OUTPUT: articles, mentions, quotes, events, themes, tone and rejects. Re-running overwrites OUTPUT with
    the same rows."""
    try:
        from .spark.job import run
    except ImportError as exc:  # pyspark is an extra
        _fail(f"{exc}: pip install 'polarwatch[spark]'")
    try:
        rep = run(input_path, output, master=master, partitions=partitions, nlp=not no_nlp)
    except RuntimeError as exc:
        _fail(str(exc))
    if as_json:
        _emit({"articles": rep.articles, "rejects": rep.rejects, "rows": rep.counts, "seconds": rep.seconds})
    else:
        click.echo(f"{rep.articles} articles and {rep.rejects} rejects written to {output} in {rep.seconds}s "
                   f"({', '.join(f'{k} {v}' for k, v in sorted(rep.counts.items()))})")  # fmt: skip


@main.command("load")
@click.argument("folder", metavar="PARQUET_DIR", type=click.Path(exists=True, file_okay=False))
@db_option
@click.option("--by-bucket", is_flag=True, help="Read one bucket of the tables at a time (bounded memory for large outputs).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@click.pass_context
def load_cmd(ctx: click.Context, folder: str, db: str | None, by_bucket: bool, as_json: bool) -> None:
    """Store the tables that spark-run wrote in PARQUET_DIR (SQLite or PostgreSQL store), then place the new
    articles in near-duplicates, stories and threads as ingest does. Loading twice changes nothing."""
    from .spark.load import load

    try:
        with open_store(_db(ctx, db)) as store:
            rep = load(folder, store, load_settings(), by_bucket=by_bucket)
    except (StoreError, FileNotFoundError) as exc:
        _fail(str(exc))
    if as_json:
        _emit({"new": rep.new, "duplicate": rep.duplicate, "updated": rep.updated, "analysed": rep.analysed, "rejects": rep.rejects})
    else:
        click.echo(f"{rep.new} new, {rep.duplicate} duplicate, {rep.updated} updated, {rep.analysed} analysed; "
                   f"{rep.rejects} rejects in the tables")  # fmt: skip
