"""The extraction stage: actors, mentions, quotes and speakers.

``analyse_batch`` parses many articles' paragraphs in one ``nlp.pipe`` call
(the model is loaded once per process) and returns one ``Analysis`` each.
"""

from __future__ import annotations

from collections.abc import Sequence

from .quotes import Analysis, analyse

# Bump when extraction rules or models change, so `polarwatch reprocess` redoes stored articles.
VERSION = "quotes-1"

__all__ = ["Analysis", "analyse", "analyse_batch", "VERSION"]


def analyse_batch(paragraph_lists: Sequence[list[str]], batch_size: int = 64) -> list[Analysis]:
    from .model import nlp

    flat = [p for ps in paragraph_lists for p in ps]
    docs = list(nlp().pipe(flat, batch_size=batch_size))
    out, i = [], 0
    for ps in paragraph_lists:
        out.append(analyse(ps, docs[i : i + len(ps)]))
        i += len(ps)
    return out
