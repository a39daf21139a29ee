-- Daily aggregates per outlet (src/polarwatch/analysis/aggregates.py): what a period's comparison, the
-- network and the trends sum instead of reading every mention, quote, event, theme and tone row of the
-- period. A cell is one outlet on one day; every figure is kept per cell and recomputed from the child rows
-- of the cell's articles whenever one of them is analysed, reprocessed or deleted (in the writer's
-- transaction), so a cell always equals a recount. Blocs, countries and kinds sum the cells of their outlets.
CREATE TABLE agg_outlets (
    id             INTEGER PRIMARY KEY,
    okey           TEXT NOT NULL UNIQUE,   -- the four columns below as one key (NULL written as \x01)
    outlet_name    TEXT,
    outlet_domain  TEXT,
    outlet_country TEXT,
    outlet_kind    TEXT
);
CREATE TABLE agg_cells (
    id   INTEGER PRIMARY KEY,
    ckey TEXT NOT NULL UNIQUE,  -- day, pday and oid as one key
    day  TEXT,                  -- the first ten characters of published (NULL when undated)
    pday TEXT,                  -- the day the trends' periods start from (SQLite: date(published))
    oid  INTEGER NOT NULL
);
CREATE INDEX agg_cells_day ON agg_cells (day);
-- Which cell each analysed article is counted in (no cascade: a deleted article's cell is read here).
CREATE TABLE agg_article_cell (
    article_rowid INTEGER PRIMARY KEY,
    cell          INTEGER NOT NULL
);
CREATE INDEX agg_article_cell_cell ON agg_article_cell (cell);
-- Articles whose date or outlet changed, or that were deleted, since their cell was last recomputed: the
-- readers count from the child rows while any is listed, and the next write recomputes their cells.
CREATE TABLE agg_stale (article_rowid INTEGER NOT NULL);
-- complete = 1 once every stored article is counted (a store from before this migration is filled by
-- fill_aggregates, which `polarwatch serve` runs on start; the readers count from the child rows until then).
CREATE TABLE agg_state (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    complete INTEGER NOT NULL
);
INSERT INTO agg_state (id, complete) VALUES (1, CASE WHEN EXISTS (SELECT 1 FROM articles) THEN 0 ELSE 1 END);

-- Quotes whose speaker has a name, by COALESCE(speaker_id, speaker_name) (what the comparison ranks).
CREATE TABLE agg_speakers (
    cell            INTEGER NOT NULL,
    skey            TEXT NOT NULL,
    speaker_id      TEXT,      -- MAX over the cell's quotes, as the comparison shows it
    speaker_name    TEXT,
    speaker_country TEXT,
    quotes          INTEGER NOT NULL,
    articles        INTEGER NOT NULL
);
CREATE INDEX agg_speakers_cell ON agg_speakers (cell);
-- All quotes by speaker id and country (the comparison's shares by country and speaker type).
CREATE TABLE agg_quote_origins (
    cell            INTEGER NOT NULL,
    speaker_id      TEXT,
    speaker_country TEXT,
    quotes          INTEGER NOT NULL
);
CREATE INDEX agg_quote_origins_cell ON agg_quote_origins (cell);
CREATE TABLE agg_themes (
    cell      INTEGER NOT NULL,
    theme     TEXT NOT NULL,
    articles  INTEGER NOT NULL,
    score_micro INTEGER NOT NULL, -- sums in millionths (exact: means do not depend on the order of the rows summed)
    tone_micro  INTEGER,          -- the articles' own tone (article_tone), for theme trends
    tone_n      INTEGER NOT NULL
);
CREATE INDEX agg_themes_cell ON agg_themes (cell);
CREATE TABLE agg_tone (
    cell     INTEGER NOT NULL,
    actor_id TEXT NOT NULL,
    tone_micro INTEGER NOT NULL,
    mentions   INTEGER NOT NULL,
    articles INTEGER NOT NULL
);
CREATE INDEX agg_tone_cell ON agg_tone (cell);
CREATE TABLE agg_mentions (
    cell     INTEGER NOT NULL,
    actor_id TEXT NOT NULL,
    mentions INTEGER NOT NULL,
    articles INTEGER NOT NULL
);
CREATE INDEX agg_mentions_cell ON agg_mentions (cell);
-- Events by type and source/target as the comparison names them.
CREATE TABLE agg_events (
    cell     INTEGER NOT NULL,
    type     TEXT,
    source   TEXT NOT NULL,
    target   TEXT NOT NULL,
    events   INTEGER NOT NULL,
    articles INTEGER NOT NULL
);
CREATE INDEX agg_events_cell ON agg_events (cell);
-- Events between two resolved actors, as network edges (a symmetric event's ends in order).
CREATE TABLE agg_event_edges (
    cell      INTEGER NOT NULL,
    low       TEXT NOT NULL,
    high      TEXT NOT NULL,
    type      TEXT,
    is_symmetric INTEGER,
    events    INTEGER NOT NULL,
    articles  INTEGER NOT NULL
);
CREATE INDEX agg_event_edges_cell ON agg_event_edges (cell);
-- Events per actor on either side (an event with the actor on both sides once), for the trends.
CREATE TABLE agg_event_actors (
    cell     INTEGER NOT NULL,
    actor_id TEXT NOT NULL,
    events   INTEGER NOT NULL
);
CREATE INDEX agg_event_actors_cell ON agg_event_actors (cell);
-- Articles quoting both speakers (speaker ids in order) and quotes of a speaker about another actor.
CREATE TABLE agg_coquoted (
    cell     INTEGER NOT NULL,
    low      TEXT NOT NULL,
    high     TEXT NOT NULL,
    articles INTEGER NOT NULL
);
CREATE INDEX agg_coquoted_cell ON agg_coquoted (cell);
CREATE TABLE agg_quoted_about (
    cell       INTEGER NOT NULL,
    speaker_id TEXT NOT NULL,
    target     TEXT NOT NULL,
    quotes     INTEGER NOT NULL,
    articles   INTEGER NOT NULL
);
CREATE INDEX agg_quoted_about_cell ON agg_quoted_about (cell);

-- An article whose date or outlet changes, or that is deleted, marks its cell stale (on PostgreSQL the
-- dialect makes each a row trigger calling a plpgsql function).
CREATE TRIGGER agg_stale_u AFTER UPDATE OF published, outlet_name, outlet_domain, outlet_country, outlet_kind ON articles
WHEN OLD.published IS NOT NEW.published OR OLD.outlet_name IS NOT NEW.outlet_name OR OLD.outlet_domain IS NOT NEW.outlet_domain
  OR OLD.outlet_country IS NOT NEW.outlet_country OR OLD.outlet_kind IS NOT NEW.outlet_kind
BEGIN INSERT INTO agg_stale (article_rowid) VALUES (NEW.rowid); END;
CREATE TRIGGER agg_stale_d AFTER DELETE ON articles BEGIN INSERT INTO agg_stale (article_rowid) VALUES (OLD.rowid); END;
