-- Actor-to-actor events (docs/events.md): one row per coded event, offsets into articles.body.
CREATE TABLE events (
    article_rowid      INTEGER NOT NULL REFERENCES articles (rowid) ON DELETE CASCADE,
    seq                INTEGER NOT NULL,
    type               TEXT NOT NULL,
    mode               TEXT,
    trigger            TEXT NOT NULL,
    trigger_start      INTEGER NOT NULL,
    trigger_end        INTEGER NOT NULL,
    sentence_start     INTEGER NOT NULL,
    sentence_end       INTEGER NOT NULL,
    source_id          TEXT,
    source_name        TEXT,
    source_country     TEXT,
    source_text        TEXT,
    target_id          TEXT,
    target_name        TEXT,
    target_country     TEXT,
    target_text        TEXT,
    symmetric          INTEGER NOT NULL DEFAULT 0,
    claimed_by_id      TEXT,
    claimed_by_name    TEXT,
    claimed_by_country TEXT,
    evidence_start     INTEGER NOT NULL,
    evidence_end       INTEGER NOT NULL,
    PRIMARY KEY (article_rowid, seq)
);
CREATE INDEX events_source ON events (source_country, type);
CREATE INDEX events_target ON events (target_country, type);
CREATE INDEX events_source_actor ON events (source_id);
CREATE INDEX events_target_actor ON events (target_id);
