-- Same-event stories (stories/cluster.py, kept by stories/service.py at ingest): each story with the
-- clusterer's running state, so a new process resumes it without reading the articles again, the
-- article each story holds (an article is in one story at most), and the document frequencies of words
-- over every clustered article (the IDF of the text similarity).
CREATE TABLE stories (
    id         INTEGER PRIMARY KEY,
    title      TEXT,               -- the title of its first article
    first_seen TEXT,               -- earliest and latest article date (YYYY-MM-DD); NULL while undated
    last_seen  TEXT,
    size       INTEGER NOT NULL DEFAULT 0,
    state      TEXT NOT NULL,      -- JSON: terms, actors, events and recent members' terms (cluster.Story)
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX stories_last_seen ON stories (last_seen);
CREATE INDEX stories_updated ON stories (updated_at);
CREATE INDEX stories_size ON stories (size);
CREATE TABLE story_articles (
    article_rowid INTEGER PRIMARY KEY REFERENCES articles (rowid) ON DELETE CASCADE,
    story_id      INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    similarity    REAL,             -- the score it joined with; NULL for the article that started the story
    joined_at     TEXT NOT NULL
);
CREATE INDEX story_articles_story ON story_articles (story_id);
CREATE TABLE story_df (
    term TEXT PRIMARY KEY,
    df   INTEGER NOT NULL
) WITHOUT ROWID;
