-- Daily aggregates (migration 014), counted again: a cell is now one outlet on one day, the first ten
-- characters of published on SQLite as on PostgreSQL (SQLite's trends had put an article with a UTC offset
-- on its UTC day, so both backends disagreed across midnight), and an outlet's undated articles are split
-- into cells of 1,024 rowids each (one cell for all of them made every write recount the whole backlog).
-- The column of the old day of the periods goes; the cells are emptied and counted again from the rows by
-- fill_aggregates (`polarwatch serve` runs it on start; the readers count the rows until it completes).
ALTER TABLE agg_cells DROP COLUMN pday;
DELETE FROM agg_speakers;
DELETE FROM agg_quote_origins;
DELETE FROM agg_themes;
DELETE FROM agg_tone;
DELETE FROM agg_mentions;
DELETE FROM agg_events;
DELETE FROM agg_event_edges;
DELETE FROM agg_event_actors;
DELETE FROM agg_coquoted;
DELETE FROM agg_quoted_about;
DELETE FROM agg_article_cell;
DELETE FROM agg_cells;
DELETE FROM agg_stale;
UPDATE agg_state SET complete = CASE WHEN EXISTS (SELECT 1 FROM articles) THEN 0 ELSE 1 END;
