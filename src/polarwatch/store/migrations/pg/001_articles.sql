-- PostgreSQL's counterpart of 001's FTS5 table, triggers and 002's BM25 weights (store/postgres.py runs this
-- after the translated 001): a tsvector per article, title weighted A and body B, kept by a trigger in a
-- table of its own so that SELECT * FROM articles stays lean. Words are folded like FTS5's
-- 'unicode61 remove_diacritics 2' when the unaccent extension can be had, else kept as they are.
DO $$
DECLARE s text;
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS unaccent;
    EXCEPTION WHEN OTHERS THEN
        NULL;
    END;
    SELECT extnamespace::regnamespace::text INTO s FROM pg_extension WHERE extname = 'unaccent';
    IF s IS NULL THEN
        EXECUTE 'CREATE FUNCTION pw_fold(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$ SELECT lower(t) $f$';
    ELSE
        EXECUTE format('CREATE FUNCTION pw_fold(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS '
                       '$f$ SELECT lower(%I.unaccent(%L::regdictionary, t)) $f$', s, s || '.unaccent');
    END IF;
END $$;

CREATE TABLE articles_fts (
    rowid BIGINT PRIMARY KEY REFERENCES articles (rowid) ON DELETE CASCADE,
    fts   tsvector NOT NULL
);
CREATE INDEX articles_fts_gin ON articles_fts USING GIN (fts);

CREATE FUNCTION pw_articles_fts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO articles_fts (rowid, fts)
    VALUES (NEW.rowid, setweight(to_tsvector('simple', pw_fold(coalesce(NEW.title, ''))), 'A')
                       || setweight(to_tsvector('simple', pw_fold(NEW.body)), 'B'))
    ON CONFLICT (rowid) DO UPDATE SET fts = EXCLUDED.fts;
    RETURN NULL;
END $$;
CREATE TRIGGER articles_fts_write AFTER INSERT OR UPDATE OF title, body ON articles
    FOR EACH ROW EXECUTE FUNCTION pw_articles_fts();

-- SQLite's strftime(format, time) for the formats the store uses (%Y %m %d %H %M %S %j %W %w %%), NULL for a
-- time it cannot read, as SQLite gives: the dialect layer turns strftime( into pw_strftime(.
CREATE FUNCTION pw_strftime(fmt text, t text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    ts timestamp;
    res text := '';
    i int := 1;
    c text;
BEGIN
    IF t IS NULL OR fmt IS NULL THEN
        RETURN NULL;
    END IF;
    BEGIN
        ts := CAST(t AS timestamp);
    EXCEPTION WHEN OTHERS THEN
        RETURN NULL;
    END;
    WHILE i <= length(fmt) LOOP
        c := substr(fmt, i, 1);
        IF c = '%' AND i < length(fmt) THEN
            i := i + 1;
            c := substr(fmt, i, 1);
            res := res || CASE c
                WHEN 'Y' THEN to_char(ts, 'YYYY') WHEN 'm' THEN to_char(ts, 'MM') WHEN 'd' THEN to_char(ts, 'DD')
                WHEN 'H' THEN to_char(ts, 'HH24') WHEN 'M' THEN to_char(ts, 'MI') WHEN 'S' THEN to_char(ts, 'SS')
                WHEN 'j' THEN to_char(ts, 'DDD') WHEN 'w' THEN CAST(EXTRACT(DOW FROM ts) AS int)::text
                -- week of the year, Monday first, 00 before the year's first Monday
                WHEN 'W' THEN lpad(((CAST(EXTRACT(DOY FROM ts) AS int) + 7 - CAST(EXTRACT(ISODOW FROM ts) AS int)) / 7)::text, 2, '0')
                WHEN '%' THEN '%' ELSE '%' || c END;
        ELSE
            res := res || c;
        END IF;
        i := i + 1;
    END LOOP;
    RETURN res;
END $$;
