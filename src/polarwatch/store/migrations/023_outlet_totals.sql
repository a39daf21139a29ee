-- All-outlet cells (src/polarwatch/analysis/aggregates.py): per day (span 'AD', one per day of the day
-- cells) and per ISO week ('AW'), the network's three edge tables (agg_event_edges, agg_coquoted,
-- agg_quoted_about) summed over every outlet. A month's network with no outlet filter summed every outlet's
-- cells (~20 rows of cells a day for each group); it now reads one cell a day or week. The cells belong to a
-- reserved agg_outlets row whose columns are all NULL, and no reader of the outlet cells selects their spans.
-- totals = 1 once they are counted for every day and week: fill_aggregates counts them for a store from
-- before this migration (`polarwatch serve` runs it on start); until then the network sums the outlets' cells.
ALTER TABLE agg_state ADD COLUMN totals INTEGER NOT NULL DEFAULT 0;
UPDATE agg_state SET totals = CASE WHEN EXISTS (SELECT 1 FROM agg_article_cell) THEN 0 ELSE 1 END;
