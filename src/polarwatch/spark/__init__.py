"""Batch extraction on Spark (issue 7): ``job`` runs the pipeline per partition and writes Parquet tables,
``load`` reads them into a store, ``rows`` holds the stages as plain functions that both share."""
