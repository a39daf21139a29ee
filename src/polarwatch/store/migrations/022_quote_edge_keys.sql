-- Integer keys of the network's quote edges, as 020 and 021 key the comparison's event groups and the
-- network's event edges: speaker pairs quoted in one article (agg_coquoted) and speakers with the actor
-- their quotes name (agg_quoted_about), summed on one integer column instead of two text ones.
CREATE TABLE agg_pair_keys (
    id   INTEGER PRIMARY KEY,
    low  TEXT NOT NULL,
    high TEXT NOT NULL
);
CREATE UNIQUE INDEX agg_pair_keys_names ON agg_pair_keys (low, high);
ALTER TABLE agg_coquoted ADD COLUMN ekey INTEGER;
INSERT INTO agg_pair_keys (low, high) SELECT DISTINCT low, high FROM agg_coquoted;
UPDATE agg_coquoted SET ekey = (SELECT k.id FROM agg_pair_keys k WHERE k.low = agg_coquoted.low AND k.high = agg_coquoted.high);
CREATE INDEX agg_coquoted_cell_key ON agg_coquoted (cell, ekey, articles);
CREATE TABLE agg_about_keys (
    id         INTEGER PRIMARY KEY,
    speaker_id TEXT NOT NULL,
    target     TEXT NOT NULL
);
CREATE UNIQUE INDEX agg_about_keys_names ON agg_about_keys (speaker_id, target);
ALTER TABLE agg_quoted_about ADD COLUMN ekey INTEGER;
INSERT INTO agg_about_keys (speaker_id, target) SELECT DISTINCT speaker_id, target FROM agg_quoted_about;
UPDATE agg_quoted_about SET ekey = (SELECT k.id FROM agg_about_keys k
                                    WHERE k.speaker_id = agg_quoted_about.speaker_id AND k.target = agg_quoted_about.target);
CREATE INDEX agg_quoted_about_cell_key ON agg_quoted_about (cell, ekey, quotes, articles);
