-- Themes and tone per article (the events/themes/tone issue); offsets into articles.body, like mentions and quotes.
CREATE TABLE article_themes (
    article_rowid INTEGER NOT NULL REFERENCES articles (rowid) ON DELETE CASCADE,
    theme         TEXT NOT NULL,
    score         REAL NOT NULL,
    share         REAL NOT NULL,
    paragraphs    TEXT NOT NULL DEFAULT '[]',  -- JSON list of paragraph indexes that carry the theme
    evidence      TEXT NOT NULL DEFAULT '[]',  -- JSON list of {start, end, term, strong, paragraph}
    PRIMARY KEY (article_rowid, theme)
);
CREATE INDEX article_themes_theme ON article_themes (theme, score);

CREATE TABLE article_tone (
    article_rowid INTEGER PRIMARY KEY REFERENCES articles (rowid) ON DELETE CASCADE,
    tone          REAL NOT NULL,
    positive      INTEGER NOT NULL,
    negative      INTEGER NOT NULL,
    scored        INTEGER NOT NULL,
    sentences     TEXT NOT NULL DEFAULT '[]'   -- JSON: scored sentences {start, end, compound, words}
);

CREATE TABLE actor_tone (
    article_rowid INTEGER NOT NULL REFERENCES articles (rowid) ON DELETE CASCADE,
    actor_id      TEXT NOT NULL,
    tone          REAL NOT NULL,
    mentions      INTEGER NOT NULL,
    sentences     TEXT NOT NULL DEFAULT '[]',  -- JSON: the sentences behind the number
    PRIMARY KEY (article_rowid, actor_id)
);
CREATE INDEX actor_tone_actor ON actor_tone (actor_id);
