-- What the REST API reads to answer quickly (src/polarwatch/analysis/counts.py, api/cache.py):
-- a store generation that every write to the tables the analysis reads moves on, so that a cached result
-- is known to be stale; and each article's word counts, kept when its analysis is stored, so that the
-- distinctive words of a side are summed from stored vectors instead of re-tokenising every body.
CREATE TABLE store_generation (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
);
INSERT INTO store_generation (id, generation) VALUES (1, 0);

-- Words as small integers: article_words.counts is an array of (word id, count) pairs, int32 little-endian.
CREATE TABLE words (
    id   INTEGER PRIMARY KEY,
    word TEXT NOT NULL UNIQUE
);
CREATE TABLE article_words (
    article_rowid INTEGER PRIMARY KEY REFERENCES articles (rowid) ON DELETE CASCADE,
    content_hash  TEXT NOT NULL,   -- the body counted: a body changed since has no usable counts
    counts        BLOB NOT NULL
);

-- The generation follows the articles table: ingest, update, delete, and every analysis stored (put_analyses
-- sets analysed_with, so mentions, quotes, events, themes and tone never change without it). Results scoped
-- by story or thread membership are not cached, so those tables need no trigger.
-- SQLite has row triggers only: each written row moves the generation within the writer's transaction.
-- On PostgreSQL the dialect makes each a statement trigger, so a many-row COPY moves it once.
CREATE TRIGGER generation_articles_i AFTER INSERT ON articles BEGIN UPDATE store_generation SET generation = generation + 1; END;
CREATE TRIGGER generation_articles_u AFTER UPDATE ON articles BEGIN UPDATE store_generation SET generation = generation + 1; END;
CREATE TRIGGER generation_articles_d AFTER DELETE ON articles BEGIN UPDATE store_generation SET generation = generation + 1; END;
