-- Live monitoring (monitor/): the user's own sources, each source's poll state and health, every feed or
-- sitemap entry seen (so a restart neither fetches a known page again nor loses one in flight), watch rules
-- and the alerts they raised.
CREATE TABLE monitor_sources (
    id       TEXT PRIMARY KEY,          -- short name, unique across default and user sources
    url      TEXT NOT NULL,
    kind     TEXT NOT NULL,             -- feed | sitemap
    outlet   TEXT,                      -- outlet domain (as in data/outlets.csv) when known
    origin   TEXT NOT NULL,             -- user: added by the user; default: a row of data/sources.csv switched off
    enabled  INTEGER NOT NULL DEFAULT 1,
    added_at TEXT NOT NULL
);
CREATE TABLE monitor_state (
    source_id     TEXT PRIMARY KEY,
    etag          TEXT,                 -- validators of the last 200 response, sent back as If-None-Match / If-Modified-Since
    last_modified TEXT,
    last_checked  TEXT,
    last_success  TEXT,
    last_status   TEXT,                 -- ok | not-modified | error
    last_error    TEXT,
    error_streak  INTEGER NOT NULL DEFAULT 0,
    entries_seen  INTEGER NOT NULL DEFAULT 0,
    articles_found INTEGER NOT NULL DEFAULT 0,   -- new articles stored from this source
    next_due      REAL NOT NULL DEFAULT 0        -- unix time of the next poll
);
CREATE TABLE monitor_entries (
    key          TEXT PRIMARY KEY,      -- the entry's canonical URL, else its feed id
    source_id    TEXT NOT NULL,         -- the source that listed it first
    url          TEXT,
    title        TEXT,
    published    TEXT,
    author       TEXT,
    body         TEXT,                  -- the feed's full text (HTML) when it carried one; cleared when no longer pending
    summary      TEXT,                  -- the feed's summary (HTML), the fallback when the page cannot be had; likewise
    feed_title   TEXT,
    status       TEXT NOT NULL,         -- pending | done | failed
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    article_id   TEXT,
    first_seen   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX monitor_entries_pending ON monitor_entries (status) WHERE status = 'pending';
CREATE TABLE watch_rules (
    id         INTEGER PRIMARY KEY,
    spec       TEXT NOT NULL,           -- as the user wrote it: "source=CN theme=minerals"
    conditions TEXT NOT NULL,           -- JSON: [[key, [value, ...]], ...], values normalised
    created_at TEXT NOT NULL
);
CREATE TABLE alerts (
    id         INTEGER PRIMARY KEY,
    rule_id    INTEGER NOT NULL,
    rule       TEXT NOT NULL,           -- the rule's spec when the alert was raised
    article_id TEXT NOT NULL,
    title      TEXT,
    url        TEXT,
    outlet     TEXT,
    published  TEXT,
    sentence   TEXT NOT NULL,           -- the evidence sentence ...
    start      INTEGER NOT NULL,        -- ... and its span in the article's clean body (title: in_title = 1)
    "end"      INTEGER NOT NULL,
    in_title   INTEGER NOT NULL DEFAULT 0,
    matched    TEXT NOT NULL,           -- JSON: what each condition matched
    delivery   TEXT NOT NULL DEFAULT '{}',  -- JSON: channel -> {ok, attempts, error, at}
    created_at TEXT NOT NULL,
    UNIQUE (rule_id, article_id)
);
CREATE INDEX alerts_created ON alerts (created_at);
