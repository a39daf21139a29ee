-- FTS5's rank: BM25 with title matches weighing four times body matches. (Store.search
-- calls bm25(articles_fts, 4.0, 1.0) directly, which measured faster than ORDER BY rank.)
INSERT INTO articles_fts (articles_fts, rank) VALUES ('rank', 'bm25(4.0, 1.0)');
