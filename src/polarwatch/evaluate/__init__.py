"""Evaluation against reference annotations: gold loading and scoring (``polarwatch eval``).

Pure data in, numbers out: predictions are passed as :class:`PredQuote` /
:class:`PredEntity` values, so everything here is testable without any NLP.
See ``docs/eval.md`` for the gold formats, the matching rules and the JSON shape.
"""

from __future__ import annotations

from .gold import (
    GoldArticle,
    GoldEntity,
    GoldError,
    GoldQuote,
    article_text,
    detect_format,
    is_direct,
    load_gold,
    load_polnear_gold,
    load_seeds_gold,
)
from .score import (
    PredEntity,
    PredQuote,
    aggregate,
    entities_from_mentions,
    format_table,
    match_quotes,
    prf,
    same_entity,
    same_speaker,
    score_entities,
    score_entities_many,
    score_quotes,
    score_quotes_many,
    tokens,
)

__all__ = [
    "GoldArticle",
    "GoldEntity",
    "GoldError",
    "GoldQuote",
    "PredEntity",
    "PredQuote",
    "aggregate",
    "article_text",
    "detect_format",
    "entities_from_mentions",
    "format_table",
    "is_direct",
    "load_gold",
    "load_polnear_gold",
    "load_seeds_gold",
    "match_quotes",
    "prf",
    "same_entity",
    "same_speaker",
    "score_entities",
    "score_entities_many",
    "score_quotes",
    "score_quotes_many",
    "tokens",
]
