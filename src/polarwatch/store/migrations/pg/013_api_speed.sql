-- The article lists walk published DESC with undated articles last (the dialect adds NULLS LAST after a
-- DESC of a nullable column), which an index on published alone does not give in either direction (read
-- backwards it yields NULLs first): indexes in that order are scanned forward instead of sorting.
CREATE INDEX articles_published_desc ON articles (published DESC NULLS LAST, rowid DESC);
CREATE INDEX articles_country_published_desc ON articles (outlet_country, published DESC NULLS LAST, rowid DESC);
CREATE INDEX articles_kind_published_desc ON articles (outlet_kind, published DESC NULLS LAST, rowid DESC);
