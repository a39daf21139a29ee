-- Small stories placed again (stories/cluster.py, replacement): each story keeps the count of clustered
-- articles (rows of story_articles) when it last took a new article, so the stories stage finds, batch by
-- batch, the small ones that have just gone stories/cluster.SETTLE articles without growing. Stories
-- stored before: the count when their latest member (by article rowid, the order ingest stores and places
-- articles in) was placed, read from the rank of that member among all placed articles.
ALTER TABLE stories ADD COLUMN grown_at INTEGER NOT NULL DEFAULT 0;
UPDATE stories SET grown_at = g.n FROM (
    SELECT r.story_id, MAX(r.n) AS n FROM (
        SELECT story_id, ROW_NUMBER() OVER (ORDER BY article_rowid) AS n FROM story_articles
    ) AS r GROUP BY r.story_id
) AS g WHERE g.story_id = stories.id;
CREATE INDEX stories_grown ON stories (grown_at, size);
