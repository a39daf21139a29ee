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
        self._regex: dict[tuple[int, int], bool] = {}
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
        out = np.zeros(len(values), dtype=bool)  # REGEX on the lower-case form, once per form
        for i in np.flatnonzero(where).tolist():
            key = (id(arg), int(values[i]))
            hit = self._regex.get(key)
            if hit is None:
                hit = self._regex[key] = arg.search(self.strings[key[1]]) is not None
            out[i] = hit
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
        rows = cols[:, :3].tolist()
        g = 0
        for doc in docs:
            for i in range(len(doc)):
                tag, low, space = rows[g]
                ids = self._simple_ids((tag, low, bool(space)))
                more = extra.get(g)
                if more:
                    ids = tuple(sorted(set(ids) | more))
                if ids:
                    set_token_attrs(doc[i], self._attrs_of(ids))
                g += 1

    def __call__(self, doc: Any) -> Any:
        self._apply([doc])
        return doc

    def pipe(self, docs: Any, batch_size: int = 128) -> Any:
        from spacy.util import minibatch

        for batch in minibatch(docs, batch_size):
            self._apply(batch)
            yield from batch
