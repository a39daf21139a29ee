-- Indexes for the analysis layer and the REST API (src/polarwatch/analysis/queries.py): article lists
-- filtered by outlet country or kind in date order, and the actor, theme and tone lookups answered from
-- the index alone (covering), without reading the rows.
CREATE INDEX articles_country_published ON articles (outlet_country, published);
CREATE INDEX articles_kind_published ON articles (outlet_kind, published);
CREATE INDEX mentions_actor_article ON mentions (actor_id, article_rowid);
CREATE INDEX article_themes_theme_article ON article_themes (theme, article_rowid);
CREATE INDEX actor_tone_actor_article ON actor_tone (actor_id, article_rowid, tone);
CREATE INDEX quotes_speaker_article ON quotes (speaker_id, article_rowid);
-- Each of these is the first column of one above: the longer index serves every query the shorter did.
DROP INDEX mentions_actor;
DROP INDEX actor_tone_actor;
DROP INDEX quotes_speaker;
