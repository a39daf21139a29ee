-- Integer keys of the network's event edges (src/polarwatch/analysis/aggregates.py), as migration 020 keys
-- the comparison's event groups: a month's network summed every outlet's cell rows on four text columns
-- (low, high, type, is_symmetric), the largest part of its cost; on one integer column SQLite's sort is
-- about a third. A key's id never changes and no key is deleted.
CREATE TABLE agg_edge_keys (
    id           INTEGER PRIMARY KEY,
    low          TEXT NOT NULL,
    high         TEXT NOT NULL,
    type         TEXT NOT NULL,
    is_symmetric INTEGER NOT NULL
);
CREATE UNIQUE INDEX agg_edge_keys_names ON agg_edge_keys (low, high, type, is_symmetric);
ALTER TABLE agg_event_edges ADD COLUMN ekey INTEGER;
INSERT INTO agg_edge_keys (low, high, type, is_symmetric)
SELECT DISTINCT low, high, type, is_symmetric FROM agg_event_edges WHERE type IS NOT NULL AND is_symmetric IS NOT NULL;
UPDATE agg_event_edges SET ekey = (SELECT k.id FROM agg_edge_keys k WHERE k.low = agg_event_edges.low
    AND k.high = agg_event_edges.high AND k.type = agg_event_edges.type AND k.is_symmetric = agg_event_edges.is_symmetric);
CREATE INDEX agg_event_edges_cell_key ON agg_event_edges (cell, ekey, type, events, articles);
