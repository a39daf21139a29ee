-- Rank full-text hits with title matches weighing four times body matches, so that
-- queries can ORDER BY rank inside FTS5 and fetch snippets for the top hits only.
INSERT INTO articles_fts (articles_fts, rank) VALUES ('rank', 'bm25(4.0, 1.0)');
