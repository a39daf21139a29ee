-- Who said what: actor mentions and quotes per article, with character offsets into articles.body.
ALTER TABLE articles ADD COLUMN analysed_with TEXT;  -- extractor version; NULL = not analysed yet

CREATE TABLE mentions (
    article_rowid INTEGER NOT NULL REFERENCES articles (rowid) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    start        INTEGER NOT NULL,
    end          INTEGER NOT NULL,
    text         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    actor_id     TEXT,
    actor_name   TEXT,
    country      TEXT,
    how          TEXT NOT NULL,
    PRIMARY KEY (article_rowid, seq)
);
CREATE INDEX mentions_actor ON mentions (actor_id);

CREATE TABLE quotes (
    article_rowid   INTEGER NOT NULL REFERENCES articles (rowid) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    start           INTEGER NOT NULL,
    end             INTEGER NOT NULL,
    text            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    cue             TEXT,
    cue_start       INTEGER,
    speaker_text    TEXT,
    speaker_start   INTEGER,
    speaker_end     INTEGER,
    speaker_id      TEXT,
    speaker_name    TEXT,
    speaker_country TEXT,
    about           TEXT NOT NULL DEFAULT '[]',  -- JSON list of actor ids mentioned inside the quote
    PRIMARY KEY (article_rowid, seq)
);
CREATE INDEX quotes_speaker ON quotes (speaker_id);
CREATE INDEX quotes_speaker_name ON quotes (speaker_name);
