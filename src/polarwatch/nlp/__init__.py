"""The extraction stage: actors, mentions, quotes and speakers.

``analyse_batch`` annotates many articles' paragraphs in one batch (the model
is loaded once per process; ``parse.py`` can limit parsing to the sentences
the rules read) and returns one ``Analysis`` each.
"""

from __future__ import annotations

from collections.abc import Sequence

from .quotes import Analysis, analyse

# Bump when extraction rules or models change, so `polarwatch reprocess` redoes stored articles.
VERSION = "quotes-1"

__all__ = ["Analysis", "analyse", "analyse_batch", "VERSION"]


def analyse_batch(paragraph_lists: Sequence[list[str]], batch_size: int = 64, full_parse: bool | None = None) -> list[Analysis]:
    """One ``Analysis`` per article; *full_parse* False parses only candidate sentences (default: full unless
    ``POLARWATCH_PARSE_FILTER`` is set; see parse.py)."""
    from .parse import annotate

    flat = [p for ps in paragraph_lists for p in ps]
    docs = annotate(flat, batch_size=batch_size, full=full_parse)
    out, i = [], 0
    for ps in paragraph_lists:
        out.append(analyse(ps, docs[i : i + len(ps)]))
        i += len(ps)
    return out
