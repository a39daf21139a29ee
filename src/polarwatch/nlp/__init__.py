"""The extraction stage: actors, mentions, quotes and speakers, events, themes and tone.

``analyse_batch`` annotates many articles' paragraphs in one batch (the model
is loaded once per process; ``parse.py`` can limit parsing to the sentences
the rules read) and returns one ``Analysis`` each, with the events coded over
the same parse, the article's themes and its tone (overall and per actor).
"""

from __future__ import annotations

from collections.abc import Sequence

from .quotes import Analysis, analyse

# Bump when extraction rules or models change, so `polarwatch reprocess` redoes stored articles.
VERSION = "extract-9"

__all__ = ["Analysis", "analyse", "analyse_batch", "VERSION"]


def analyse_batch(
    paragraph_lists: Sequence[list[str]], batch_size: int = 64, full_parse: bool | None = None,
    titles: Sequence[str | None] | None = None,
) -> list[Analysis]:
    """One ``Analysis`` per article; *full_parse* False parses only candidate sentences (default: full unless
    ``POLARWATCH_PARSE_FILTER`` is set; see parse.py). With *titles*, a headline that attributes its claim
    adds a quote first in ``quotes`` (``in_title``; offsets into the title)."""
    from ..events import code_events
    from ..themes import score_paragraphs
    from ..tone import article_tone
    from .headlines import headline_quotes
    from .parse import annotate

    flat = [p for ps in paragraph_lists for p in ps]
    docs = annotate(flat, batch_size=batch_size, full=full_parse)
    out, i = [], 0
    for k, ps in enumerate(paragraph_lists):
        d = docs[i : i + len(ps)]
        an = analyse(ps, d)
        an.events = code_events(ps, d, an)
        an.themes = score_paragraphs(ps)
        an.tone = article_tone(ps, [(m.start, m.end, m.actor_id) for m in an.mentions if m.actor_id])
        if titles is not None:
            an.quotes = headline_quotes(titles[k], an) + an.quotes
        out.append(an)
        i += len(ps)
    return out
