-- Integer keys of the comparison's event groups (src/polarwatch/analysis/aggregates.py): a period's groups
-- were summed on agg_events' three text columns (type, source, target), and sorting a month of a bloc's cell
-- rows on them was the largest part of a month-wide comparison (5.6 ms of its ~20 for RU state media); on
-- one integer column the same sums take 2.7. A key's id never changes and no key is deleted, so a reader may
-- keep the names of the ids it has seen. Every agg_events row gets its key in the writer's transaction.
CREATE TABLE agg_event_keys (
    id     INTEGER PRIMARY KEY,
    type   TEXT NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL
);
CREATE UNIQUE INDEX agg_event_keys_names ON agg_event_keys (type, source, target);
ALTER TABLE agg_events ADD COLUMN ekey INTEGER;
INSERT INTO agg_event_keys (type, source, target) SELECT DISTINCT type, source, target FROM agg_events;
UPDATE agg_events SET ekey = (SELECT k.id FROM agg_event_keys k
                              WHERE k.type = agg_events.type AND k.source = agg_events.source AND k.target = agg_events.target);
CREATE INDEX agg_events_cell_key ON agg_events (cell, ekey, events, articles);
