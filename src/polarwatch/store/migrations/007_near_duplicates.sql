-- Near-duplicates (stories/dedup.py): each article's MinHash signature, from which the LSH index is
-- rebuilt in a new process, and a link from an article to each earlier one it nearly duplicates.
CREATE TABLE article_minhash (
    article_rowid INTEGER PRIMARY KEY REFERENCES articles (rowid) ON DELETE CASCADE,
    signature     BLOB NOT NULL   -- NUM_PERM unsigned 64-bit hash values
);
CREATE TABLE near_duplicates (
    article_rowid      INTEGER NOT NULL REFERENCES articles (rowid) ON DELETE CASCADE,
    duplicate_of_rowid INTEGER NOT NULL REFERENCES articles (rowid) ON DELETE CASCADE,
    estimated          REAL NOT NULL,   -- Jaccard estimated from the signatures
    jaccard            REAL NOT NULL,   -- exact Jaccard of the shingle sets
    PRIMARY KEY (article_rowid, duplicate_of_rowid)
);
CREATE INDEX near_duplicates_of ON near_duplicates (duplicate_of_rowid);
