"""The model's rule lemmatizer, with every answer cached.

spaCy's English lemmatizer caches the lemmas it derives from its rules, but
not the early answers (a base form, a proper noun, punctuation), and those
are most tokens of news text: each is worked out again, in Python, from the
token's part of speech and morphology. The lemma depends on nothing but the
token's form, part of speech and morphology, so ``FastLemmatizer`` keys every
answer on that triple and writes a whole document's lemmas at once. Tokens
that already carry a lemma (set by the attribute ruler) keep it, as with the
model's ``overwrite = false``. The result is the lemmatizer's own, token for
token (``tests/test_nlp_speed.py``).

A cache miss costs the lemmatizer's own rule lookup, whose table of known
base forms ("lemma_index") is a list per part of speech (57,528 nouns): each
candidate form was looked for by a scan of that list, about 60 µs a miss,
and a fresh process misses on most words of its first few hundred articles.
Each list gets a set once, at start, that answers its membership tests: the
same answers, and the list itself is unchanged.
"""

from __future__ import annotations

from typing import Any

_MAX_CACHE = 400_000  # entries (about 60 MB); cleared when full, as a long batch meets new names and numbers


class FastLemmatizer:
    def __init__(self, lemmatizer: Any) -> None:
        self.lemmatizer = lemmatizer
        self.overwrite = bool(getattr(lemmatizer, "overwrite", False))
        self.cache: dict[tuple[int, int, int], int] = {}
        _index_as_sets(lemmatizer)

    def __call__(self, doc: Any) -> Any:
        from spacy.attrs import LEMMA, MORPH, ORTH, POS

        n = len(doc)
        if not n:
            return doc
        arr = doc.to_array([ORTH, POS, MORPH, LEMMA])
        rows = arr.tolist()
        cache, strings, lemmatize = self.cache, doc.vocab.strings, self.lemmatizer.lemmatize
        if len(cache) > _MAX_CACHE:
            cache.clear()
        lemmas = arr[:, 3].copy()
        for i, (orth, pos, morph, lemma) in enumerate(rows):
            if lemma and not self.overwrite:
                continue
            key = (orth, pos, morph)
            h = cache.get(key)
            if h is None:
                h = cache[key] = strings.add(lemmatize(doc[i])[0])
            lemmas[i] = h
        doc.from_array([LEMMA], lemmas.reshape(n, 1))
        return doc

    def pipe(self, docs: Any, batch_size: int = 128) -> Any:
        for doc in docs:
            yield self(doc)


def _index_as_sets(lemmatizer: Any) -> None:
    """Give the lemmatizer's per-part-of-speech lists of base forms a set for its membership tests.

    Each list stays a list (``_IndexedForms``), so the model's lookups still serialise (``to_bytes``)
    to what was shipped."""
    lookups = getattr(lemmatizer, "lookups", None)
    if lookups is None or not lookups.has_table("lemma_index"):
        return
    table = lookups.get_table("lemma_index")  # keyed by the hash of a lower-case universal tag
    for pos in _UNIVERSAL_TAGS:
        forms = table.get(pos)
        if isinstance(forms, list) and not isinstance(forms, _IndexedForms):
            table[pos] = _IndexedForms(forms)


class _IndexedForms(list):
    """A list of base forms whose ``in`` asks a set made from it once (the list must not change afterwards)."""

    def __init__(self, forms: list[str]) -> None:
        super().__init__(forms)
        self._members = frozenset(forms)

    def __contains__(self, form: object) -> bool:
        return form in self._members


_UNIVERSAL_TAGS = ("adj", "adp", "adv", "aux", "cconj", "conj", "det", "intj", "noun", "num", "part", "pron", "propn",
                   "punct", "sconj", "sym", "verb", "x")  # fmt: skip
