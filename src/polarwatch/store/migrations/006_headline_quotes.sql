-- Quotes found in the headline: their offsets point into articles.title, not the body.
ALTER TABLE quotes ADD COLUMN in_title INTEGER NOT NULL DEFAULT 0;
