-- The trends' tables (agg_mentions, agg_event_actors, agg_tone, agg_themes) join the all-outlet day cells of
-- migration 023 (src/polarwatch/analysis/aggregates.py, DAY_TOTALS): trends over every outlet read one cell a
-- day. A store whose all-outlet cells were counted under 023 alone counts them again (fill_aggregates, which
-- `polarwatch serve` runs on start); until then the readers sum the outlets' cells.
UPDATE agg_state SET totals = CASE WHEN EXISTS (SELECT 1 FROM agg_article_cell) THEN 0 ELSE 1 END;
