-- Articles, where each came from, what cleaning removed, and full-text search.
CREATE TABLE articles (
    rowid             INTEGER PRIMARY KEY,
    id                TEXT NOT NULL UNIQUE,
    content_hash      TEXT NOT NULL UNIQUE,
    url               TEXT,
    title             TEXT,
    published         TEXT,            -- ISO date, NULL when the input does not state it
    author            TEXT,
    outlet_domain     TEXT,
    outlet_name       TEXT,
    outlet_country    TEXT,
    outlet_kind       TEXT,
    outlet_language   TEXT,
    outlet_confidence REAL,
    outlet_inferred   INTEGER NOT NULL DEFAULT 0,
    format            TEXT NOT NULL,
    summary_only      INTEGER NOT NULL DEFAULT 0,
    paragraphs        TEXT NOT NULL,   -- JSON list of clean paragraphs
    body              TEXT NOT NULL,   -- paragraphs joined by blank lines; offsets point here
    raw               BLOB,            -- zlib-compressed original input
    ingested_at       TEXT NOT NULL
);
CREATE INDEX articles_published ON articles (published);
CREATE INDEX articles_outlet ON articles (outlet_country, outlet_name);

CREATE TABLE sources (
    path         TEXT NOT NULL,
    locator      TEXT NOT NULL DEFAULT '',
    article_rowid INTEGER NOT NULL REFERENCES articles (rowid) ON DELETE CASCADE,
    url          TEXT,
    first_seen   TEXT NOT NULL,
    PRIMARY KEY (path, locator)
);
CREATE INDEX sources_article ON sources (article_rowid);

CREATE TABLE removals (
    article_rowid INTEGER NOT NULL REFERENCES articles (rowid) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    rule         TEXT NOT NULL,
    text         TEXT NOT NULL,
    PRIMARY KEY (article_rowid, seq)
);

CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title, body, content = 'articles', content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, body) VALUES (new.rowid, new.title, new.body);
END;
CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, body) VALUES ('delete', old.rowid, old.title, old.body);
END;
CREATE TRIGGER articles_au AFTER UPDATE OF title, body ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, body) VALUES ('delete', old.rowid, old.title, old.body);
    INSERT INTO articles_fts (rowid, title, body) VALUES (new.rowid, new.title, new.body);
END;
