-- Threads (stories/threads.py, kept by it at ingest right after the stories): stories about one ongoing
-- issue, each story in one thread at most, with the score and the reasons (shared terms, actors, themes,
-- event pairs, reply, gap) of the link it is in its thread by; and what threads compare of every story: its
-- profile (JSON: strongest terms, actors, event pairs, themes) and the keys it is indexed under (its most
-- distinctive names, "a:"-prefixed people and organisations), so a changed story finds its candidates by lookup.
CREATE TABLE threads (
    id         INTEGER PRIMARY KEY,
    title      TEXT,               -- the title of its largest story (the earliest of equal ones)
    first_seen TEXT,               -- earliest and latest date of its stories; NULL while none is dated
    last_seen  TEXT,
    stories    INTEGER NOT NULL DEFAULT 0,
    articles   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX threads_last_seen ON threads (last_seen);
CREATE INDEX threads_stories ON threads (stories);
CREATE TABLE thread_stories (
    story_id  INTEGER PRIMARY KEY REFERENCES stories (id) ON DELETE CASCADE,
    thread_id INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    score     REAL NOT NULL,       -- the score of its link
    linked_to INTEGER,             -- the story of the thread it links to best
    reasons   TEXT NOT NULL,       -- JSON: what the two stories share (threads.similarity)
    joined_at TEXT NOT NULL
);
CREATE INDEX thread_stories_thread ON thread_stories (thread_id);
CREATE TABLE story_profiles (
    story_id   INTEGER PRIMARY KEY REFERENCES stories (id) ON DELETE CASCADE,
    first_seen TEXT,
    last_seen  TEXT,
    size       INTEGER NOT NULL,
    profile    TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX story_profiles_last_seen ON story_profiles (last_seen);
CREATE TABLE story_keys (
    key      TEXT NOT NULL,
    story_id INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    PRIMARY KEY (key, story_id)
) WITHOUT ROWID;
CREATE INDEX story_keys_story ON story_keys (story_id);
