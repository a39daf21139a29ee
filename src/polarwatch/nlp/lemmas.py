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
"""

from __future__ import annotations

from typing import Any

_MAX_CACHE = 400_000  # entries (about 60 MB); cleared when full, as a long batch meets new names and numbers


class FastLemmatizer:
    def __init__(self, lemmatizer: Any) -> None:
        self.lemmatizer = lemmatizer
        self.overwrite = bool(getattr(lemmatizer, "overwrite", False))
        self.cache: dict[tuple[int, int, int], int] = {}

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
