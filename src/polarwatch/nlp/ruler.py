"""The model's attribute ruler, computed the same way with fewer matcher passes.

spaCy's ``AttributeRuler`` runs one ``Matcher`` over every token for all of
its patterns (179 in the small English model) and then sets each match's
attributes in pattern order, later patterns overriding earlier ones. Most of
those patterns (the tag map: ``{"TAG": "NNS"}``, ``{"TAG": "VBZ", "LOWER":
"is"}``…) test one token's tag, lower-case form or whitespace for equality,
so their matches depend only on that triple: ``FastAttributeRuler`` looks
those up once per distinct triple, runs a ``Matcher`` only for the other
patterns (several tokens, dependency labels, ``IN``/``REGEX`` tests), and
applies each token's matches merged in the same pattern order. The result is
the ruler's own, token for token (``tests/test_nlp_speed.py`` compares them).
"""

from __future__ import annotations

import threading
from typing import Any

_SIMPLE_KEYS = {"TAG", "LOWER", "IS_SPACE"}
_COLUMNS = ("TAG", "LOWER", "IS_SPACE", "DEP")  # the token attributes the vectorised tests read


def _token_test(strings: Any, tok: dict[str, Any]) -> list[tuple[int, str, Any]] | None:
    """One pattern token as (column, operator, operand) tests, or None when it needs the real Matcher."""
    import re

    tests = []
    for key, val in tok.items():
        if key not in _COLUMNS:
            return None
        col = _COLUMNS.index(key)
        if isinstance(val, bool):
            tests.append((col, "==", int(val)))
        elif isinstance(val, str):
            tests.append((col, "==", strings.add(val)))
        elif isinstance(val, dict) and len(val) == 1:
            op, arg = next(iter(val.items()))
            if op in ("IN", "NOT_IN") and all(isinstance(a, str) for a in arg):
                tests.append((col, op, [strings.add(a) for a in arg]))
            elif op == "REGEX" and key == "LOWER":
                tests.append((col, op, re.compile(arg)))
            else:
                return None
        else:
            return None
    return tests


def _struct_columns(attrs: list[dict[int, Any]]) -> list[int] | None:
    """The token fields the ruler's attributes set, when all are plain values of tag, part of speech, morphology,
    lemma or dependency label (what a token array holds); None otherwise."""
    from spacy.attrs import DEP, LEMMA, MORPH, POS, TAG

    cols = sorted({k for a in attrs for k in a})
    ok = all(k in (TAG, POS, MORPH, LEMMA, DEP) and isinstance(v, int) for a in attrs for k, v in a.items())
    return cols if ok and cols else None


def _is_simple(alternatives: list[list[dict[str, Any]]], index: int) -> bool:
    return index == 0 and all(
        len(alt) == 1 and set(alt[0]) <= _SIMPLE_KEYS and all(isinstance(v, (str, bool)) for v in alt[0].values())
        for alt in alternatives
    )


class FastAttributeRuler:
    """Drop-in for the pipeline's ``attribute_ruler`` (``__call__`` and ``pipe``)."""

    def __init__(self, ruler: Any) -> None:
        from spacy.matcher import Matcher

        vocab = ruler.vocab
        self.strings = vocab.strings
        self.attrs: list[dict[int, Any]] = list(ruler.attrs)
        self.indices: list[int] = list(ruler.indices)
        # (attr id, tag hash or None, lower hash or None, is_space or None) for the one-token equality patterns
        self.simple: list[tuple[int, int | None, int | None, bool | None]] = []
        self.matcher = Matcher(vocab)
        # the other patterns, each alternative as a sequence of per-token tests on the columns
        self.vector: list[tuple[int, list[list[tuple[int, str, Any]]]]] = []
        for aid, p in enumerate(ruler.patterns):
            if _is_simple(p["patterns"], p["index"]):
                for alt in p["patterns"]:
                    tok = alt[0]
                    tag = self.strings.add(tok["TAG"]) if "TAG" in tok else None
                    low = self.strings.add(tok["LOWER"]) if "LOWER" in tok else None
                    self.simple.append((aid, tag, low, tok.get("IS_SPACE")))
            else:
                for alt in p["patterns"]:
                    tests = [_token_test(self.strings, tok) for tok in alt]
                    if all(t is not None for t in tests):
                        self.vector.append((aid, tests))  # type: ignore[arg-type]
                    else:
                        self.matcher.add(str(aid), [alt])
        self._regex: dict[int, dict[int, bool]] = {}  # id of a pattern -> lower-case form -> whether it matches
        # Each distinct merged set of attributes, numbered from 1; a token's are written with the batch's arrays
        # (``Doc.from_array`` sets the same token fields as ``set_token_attrs`` does for these attributes).
        self._sets: list[dict[int, Any]] = [{}]
        self._set_ids: dict[int, int] = {}
        self._numbering = threading.Lock()
        self._keyed: dict[tuple[int, int, int], int] = {}
        self._written = _struct_columns(self.attrs)
        self._ids: dict[tuple[int, int, bool], tuple[int, ...]] = {}
        self._merged: dict[tuple[int, ...], dict[int, Any]] = {}

    def _simple_ids(self, key: tuple[int, int, bool]) -> tuple[int, ...]:
        ids = self._ids.get(key)
        if ids is None:
            tag, low, space = key
            ids = self._ids[key] = tuple(sorted({
                aid for aid, t, lo, sp in self.simple
                if (t is None or t == tag) and (lo is None or lo == low) and (sp is None or sp == space)
            }))  # fmt: skip
        return ids

    def _attrs_of(self, ids: tuple[int, ...]) -> dict[int, Any]:
        merged = self._merged.get(ids)
        if merged is None:
            merged = {}
            for aid in ids:  # in pattern order: a later pattern overrides an earlier one
                merged.update(self.attrs[aid])
            self._merged[ids] = merged
        return merged

    def _holds(self, values: Any, op: str, arg: Any, where: Any) -> Any:
        """The test on *values*, computed only at the positions in *where* (False elsewhere)."""
        import numpy as np

        if op == "==":
            return where & (values == arg)
        if op == "IN":
            return where & np.isin(values, arg)
        if op == "NOT_IN":
            return where & ~np.isin(values, arg)
        out = np.zeros(len(values), dtype=bool)  # REGEX on the lower-case form: once per distinct form, ever
        at = np.flatnonzero(where)
        if not len(at):
            return out
        forms, inverse = np.unique(values[at], return_inverse=True)
        known = self._regex.setdefault(id(arg), {})
        hits = []
        for form in forms.tolist():
            hit = known.get(form)
            if hit is None:
                hit = known[form] = arg.search(self.strings[form]) is not None
            hits.append(hit)
        out[at] = np.array(hits, dtype=bool)[inverse]
        return out

    def _vector_matches(self, cols: Any, owner: Any) -> list[tuple[int, int, int]]:
        """(attr id, start, end) of every vectorised pattern over the concatenated docs' columns."""
        import numpy as np

        n = len(cols)
        out = []
        for aid, alt in self.vector:
            k = len(alt)
            if k > n:
                continue
            ok = owner[: n - k + 1] == owner[k - 1 :]  # a match may not run from one doc into the next
            for j, tests in enumerate(alt):
                # equality tests first: the regular expressions then run on few tokens
                for col, op, arg in sorted(tests, key=lambda t: t[1] == "REGEX"):
                    ok = self._holds(cols[j : n - k + 1 + j, col], op, arg, ok)
                if not ok.any():
                    break
            out.extend((aid, s, s + k) for s in np.flatnonzero(ok).tolist())
        return out

    def _apply(self, docs: list[Any]) -> None:
        import numpy as np
        from spacy.attrs import DEP, IS_SPACE, LOWER, TAG
        from spacy.tokens._retokenize import set_token_attrs

        docs = [d for d in docs if len(d)]
        if not docs:
            return
        cols = np.concatenate([d.to_array([TAG, LOWER, IS_SPACE, DEP]) for d in docs])
        owner = np.repeat(np.arange(len(docs)), [len(d) for d in docs])
        first = np.cumsum([0] + [len(d) for d in docs[:-1]]).tolist()
        extra: dict[int, set[int]] = {}
        for aid, start, end in self._vector_matches(cols, owner):
            index = self.indices[aid]
            extra.setdefault((start if index >= 0 else end) + index, set()).add(aid)
        if len(self.matcher):
            for di, doc in enumerate(docs):
                for m, start, end in self.matcher(doc, allow_missing=True, as_spans=False):
                    aid = int(self.strings[m])
                    index = self.indices[aid]
                    extra.setdefault(first[di] + (start if index >= 0 else end) + index, set()).add(aid)
        which = self._set_of_each(cols[:, :3].tolist(), extra)
        if not which.any():
            return
        written = self._written
        if written is None:  # an attribute the struct copy cannot carry: token by token, as spaCy does
            for g, k in enumerate(which.tolist()):
                if k:
                    di = int(owner[g])
                    set_token_attrs(docs[di][g - first[di]], self._sets[k])
            return
        cur = np.concatenate([d.to_array(written) for d in docs])
        for k in np.unique(which).tolist():
            if k:
                at = which == k
                for attr, value in self._sets[k].items():
                    cur[at, written.index(attr)] = value
        for di, doc in enumerate(docs):
            doc.from_array(written, cur[first[di] : first[di] + len(doc)])

    def _set_of_each(self, rows: list[list[int]], extra: dict[int, set[int]]) -> Any:
        """For each token (tag, lower, is_space of the batch's columns), the index of the merged attributes it gets
        (0: none), the one-token patterns looked up once per distinct triple."""
        import numpy as np

        which = np.zeros(len(rows), dtype=np.intp)
        keyed = self._keyed
        for g, (tag, low, space) in enumerate(rows):
            more = extra.get(g)
            if more:
                which[g] = self._set_index(tuple(sorted(set(self._simple_ids((tag, low, bool(space)))) | more)))
                continue
            k = keyed.get((tag, low, space))
            if k is None:
                k = keyed[(tag, low, space)] = self._set_index(self._simple_ids((tag, low, bool(space))))
            which[g] = k
        return which

    def _set_index(self, ids: tuple[int, ...]) -> int:
        """A number for the attributes the patterns *ids* set together (0 when they set none)."""
        if not ids:
            return 0
        merged = self._attrs_of(ids)
        if not merged:
            return 0
        k = self._set_ids.get(id(merged))
        if k is None:
            with self._numbering:  # two threads numbering at once must not both take the same number
                k = self._set_ids.get(id(merged))
                if k is None:
                    self._sets.append(merged)
                    k = self._set_ids[id(merged)] = len(self._sets) - 1
        return k

    def __call__(self, doc: Any) -> Any:
        self._apply([doc])
        return doc

    def pipe(self, docs: Any, batch_size: int = 128) -> Any:
        from spacy.util import minibatch

        for batch in minibatch(docs, batch_size):
            self._apply(batch)
            yield from batch
