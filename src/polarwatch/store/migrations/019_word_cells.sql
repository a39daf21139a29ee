-- Word counts per aggregate cell (src/polarwatch/analysis/aggregates.py, counts.py): each day and week cell
-- of agg_cells gets the summed article_words counts of its articles (their current bodies) and how many
-- articles it holds, so that a period's distinctive words and a side's outlets are summed from a few cells
-- instead of every article's vector. counts: the word ids ascending and their counts (counts.pack_cell).
-- A cell without articles has no row. Kept in the writer's transaction with the other cell aggregates.
CREATE TABLE agg_words (
    cell     INTEGER PRIMARY KEY,
    articles INTEGER NOT NULL,
    counts   BLOB NOT NULL
);
-- An article whose body changes (a re-ingest) marks its cell stale like a new date or outlet, so that the
-- next write counts its words again and recounts its cell.
CREATE TRIGGER agg_stale_body AFTER UPDATE OF content_hash ON articles
WHEN OLD.content_hash IS NOT NEW.content_hash
BEGIN INSERT INTO agg_stale (article_rowid) VALUES (NEW.rowid); END;
-- words = 1 once every cell's words are counted: fill_aggregates counts them for a store from before this
-- migration (`polarwatch serve` runs it on start); until then the readers sum the articles' own vectors.
ALTER TABLE agg_state ADD COLUMN words INTEGER NOT NULL DEFAULT 0;
UPDATE agg_state SET words = CASE WHEN EXISTS (SELECT 1 FROM agg_article_cell) THEN 0 ELSE 1 END;
