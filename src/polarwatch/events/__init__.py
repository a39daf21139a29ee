"""Who did what to whom: actor-to-actor events coded per sentence (docs/events.md).

Two modules: ``lexicon`` holds the data (triggers, modes, the world table of countries, non-state
groups) and resolves the actors of a paragraph to countries; ``rules`` finds triggers and places
source and target from the parse or word order, with negation, hypotheticals and reported speech.
"""

from __future__ import annotations

from .lexicon import TYPES, Country, Ref, Trigger, country_code, demonyms, groups, lexicon, world
from .rules import COOPERATIVE, HOSTILE, MUTUAL, code_events

__all__ = ["TYPES", "MUTUAL", "COOPERATIVE", "HOSTILE", "Country", "Trigger", "Ref", "code_events", "country_code", "demonyms", "groups", "lexicon", "world"]
