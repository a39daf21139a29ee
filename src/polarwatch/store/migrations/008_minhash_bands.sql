-- The near-duplicate index on disk (stories/service.py): each article's MinHash signature cut into
-- bands, one hashed key per band. Candidates are the articles sharing a band key, found through the
-- index, so memory stays flat however many articles the store holds.
CREATE TABLE minhash_bands (
    band          INTEGER NOT NULL,
    key           INTEGER NOT NULL,
    article_rowid INTEGER NOT NULL REFERENCES articles (rowid) ON DELETE CASCADE
);
CREATE INDEX minhash_bands_key ON minhash_bands (band, key);
CREATE INDEX minhash_bands_article ON minhash_bands (article_rowid);
