-- Weekly cells beside the daily ones (src/polarwatch/analysis/aggregates.py): one outlet over one ISO week
-- (Monday to Sunday), the sums of that outlet's day cells of the week, kept in the same transaction as the
-- day cells. A period's comparison and network sum the week cells of the whole weeks inside the period and
-- the day cells of its ends only (a month: four or five cells an outlet instead of thirty). Stored in
-- agg_cells and the same agg_* tables as the day cells, told apart by span ('D' a day or a bucket of undated
-- articles, 'X' a day that is no calendar date (published is free text): in no week cell, the readers take it
-- from the day cells; 'W' a week: day holds its Monday, upto the next Monday).
-- Every article is counted again by fill_aggregates, which also marks the X cells and fills the weeks
-- (`polarwatch serve` runs it on start; the readers count from the child rows until it completes).
ALTER TABLE agg_cells ADD COLUMN span TEXT NOT NULL DEFAULT 'D';
ALTER TABLE agg_cells ADD COLUMN upto TEXT;
CREATE INDEX agg_cells_span_day ON agg_cells (span, day);
CREATE INDEX agg_cells_oid_span_day ON agg_cells (oid, span, day);
UPDATE agg_state SET complete = CASE WHEN EXISTS (SELECT 1 FROM articles) THEN 0 ELSE 1 END;
