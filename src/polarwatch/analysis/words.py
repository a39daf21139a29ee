"""The words most distinctive of each side: log-odds ratios with an informative Dirichlet prior.

Monroe, Colaresi and Quinn (2008), "Fightin' Words", section 3.5: for word *w*, side *i* with counts
``y_i`` (``n_i`` words in all) and the rest ``j``, and a prior ``alpha_w = alpha0 * pi_w`` from a
background frequency ``pi``::

    delta_w = log((y_iw + a_w) / (n_i + a0 - y_iw - a_w)) - log((y_jw + a_w) / (n_j + a0 - y_jw - a_w))
    var(delta_w) ~= 1 / (y_iw + a_w) + 1 / (y_jw + a_w)
    z_w = delta_w / sqrt(var)

The background is the pooled counts of every side compared (so no outside word list is needed); the
prior shrinks the log-odds of rare words towards zero, which plain log-odds and frequency differences
do not.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

# English function words and news furniture that say nothing about framing.
STOP_WORDS = frozenset("""
a about above after again against all also although am among an and another any are around as at be because been
before being below between both but by can could did do does doing done down during each either else ever every few
for from further had has have having he her here hers herself him himself his how however i if in into is it its
itself just least less like made make many may me might more most much must my myself near neither never new no nor
not now of off often on once one only onto or other others our ours ourselves out over own per perhaps rather said
same say says several she should since so some such than that the their theirs them themselves then there these they
this those though through thus to too toward towards two under until up upon us very via was we were what when where
whether which while who whom whose why will with within without would yet you your yours yourself yourselves year
years according told including amid week weeks day days month months time times first last next well still even
""".split())  # fmt: skip

# A side's counts as arrays: (word keys ascending, counts, the key space, a function naming keys).
Vector = tuple[np.ndarray, np.ndarray, object, Callable[[np.ndarray], list[str]]]

_TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def tokens(text: str) -> list[tuple[str, int, int]]:
    """Lower-cased words of *text* with their offsets, stop words and words under three letters dropped."""
    out = []
    for m in _TOKEN.finditer(text):
        w = m.group().lower().replace("’", "'")
        if w.endswith("'s"):
            w = w[:-2]
        if len(w) >= 3 and w not in STOP_WORDS:
            out.append((w, m.start(), m.end()))
    return out


def _normal(w: str) -> str:
    w = w.replace("’", "'")
    return w[:-2] if w.endswith("'s") else w


@dataclass(slots=True)
class WordCounts:
    """Word counts of one side. Texts are counted word by word in C (``re.findall`` and ``Counter``),
    stop words dropped afterwards over the distinct words only; where a word occurs (the evidence) is
    looked up later, for the words shown alone."""

    counts: Counter[str] = field(default_factory=Counter)
    texts: list[tuple[str, str]] = field(default_factory=list)
    articles: int = 0

    def add(self, article_id: str, text: str) -> None:
        self.articles += 1
        self.texts.append((article_id, text))
        self.counts.update(_TOKEN.findall(text.lower()))

    def finish(self) -> "WordCounts":
        """Normalise the counted words (apostrophes, possessive 's) and drop stop words and short words."""
        out: Counter[str] = Counter()
        for w, n in self.counts.items():
            if "'" in w or "’" in w:  # only these change under _normal
                w = _normal(w)
            if len(w) >= 3 and w not in STOP_WORDS:
                out[w] += n
        self.counts = out
        return self

    def vector(self) -> Vector | None:
        """The finished counts as (word keys ascending, counts, key space, names of keys), for sides that hold
        them as arrays (:func:`distinctive` then scores arrays when every side shares the key space); None here."""
        return None

    def expect(self, words: list[str], keep: int = 3) -> None:
        """*words* are those :meth:`where` will be asked for, *keep* occurrences each (a subclass may prepare
        for them at once)."""

    def where(self, word: str, keep: int = 3) -> list[tuple[str, int, int]]:
        """Up to *keep* occurrences of *word*, one per article, as (article id, start, end)."""
        find = WordFinder(word)
        out = []
        for aid, text in self.texts:
            m = find.span(text)
            if m:
                out.append((aid, *m))
                if len(out) >= keep:
                    break
        return out


def pattern(word: str) -> re.Pattern[str]:
    """Where *word* occurs in a text: as a whole word, any case, either apostrophe, possessive 's allowed."""
    body = re.escape(word).replace("'", "['’]")
    return re.compile(r"(?<![^\W\d_])" + body + r"(?:['’]s)?(?![^\W\d_])", re.I)


class WordFinder:
    """Where *word* occurs in a text as :func:`pattern` finds it (first ``(start, end)``, else None), without
    compiling that pattern for an ASCII word in an ASCII text: a match can then start only where the
    lower-cased text holds the lower-cased word (same length, same positions), and the pattern's
    boundaries are checked there by hand: no letter before, an optional ``'s``, no letter after (a letter
    being what ``[^\\W\\d_]`` matches, in ASCII A-Z and a-z). Compiling the pattern (~0.1 ms a word, 50 words
    a comparison) and searching with it (its look-behind gets no literal-prefix scan: ~46 against ~3 µs a
    2 kB body) cost more than the rest of finding the evidence; other texts are searched with the pattern."""

    def __init__(self, word: str) -> None:
        self.word, self.low, self.ascii = word, word.lower(), word.isascii()
        self._rx: re.Pattern[str] | None = None

    def span(self, text: str, low: str | None = None) -> tuple[int, int] | None:
        """*low*: ``text.lower()`` when the caller has it already (one text searched for many words)."""
        if not (self.ascii and text.isascii()):
            if self._rx is None:
                self._rx = pattern(self.word)
            m = self._rx.search(text)
            return m.span() if m else None
        low, w = text.lower() if low is None else low, self.low
        i = low.find(w)
        while i >= 0:
            if not (i and text[i - 1].isalpha()):
                j = i + len(w)
                if low.startswith("'s", j) and not text[j + 2 : j + 3].isalpha():
                    return i, j + 2
                if not text[j : j + 1].isalpha():
                    return i, j
            i = low.find(w, i + 1)
        return None


def _scores(y: np.ndarray, alpha0: float) -> tuple[np.ndarray, np.ndarray]:
    """z-scores and deltas (groups x words) of the counts *y* (groups x words), each group against all the
    others together. Every sum is of whole numbers, and the prior's total is *alpha0* itself (the sum of the
    words' priors is alpha0 but in floating point depends on their order), so a word's scores are the same
    bits whatever order or subset of other words the columns hold."""
    pooled = y.sum(axis=0)
    alpha = alpha0 * pooled / pooled.sum()
    n = y.sum(axis=1, keepdims=True)
    rest = pooled - y
    n_rest = n.sum() - n
    a0 = float(alpha0)
    with np.errstate(divide="ignore", invalid="ignore"):
        li = np.log(y + alpha) - np.log(n + a0 - y - alpha)
        lj = np.log(rest + alpha) - np.log(n_rest + a0 - rest - alpha)
        delta = li - lj
        z = delta / np.sqrt(1.0 / (y + alpha) + 1.0 / (rest + alpha))
    return z, delta


def _log_odds(groups: list[Counter[str]], alpha0: float, min_count: int) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """The words counted at least *min_count* times over all *groups* (sorted), and per group and word its
    count, z-score and delta against all the others together (arrays groups x words)."""
    total: Counter[str] = Counter()
    for g in groups:
        total.update(g)
    vocab = sorted(w for w, c in total.items() if c >= min_count)
    if not vocab or len(groups) < 2:
        return [], np.empty((len(groups), 0)), np.empty((len(groups), 0)), np.empty((len(groups), 0))
    y = np.array([[g.get(w, 0) for w in vocab] for g in groups], dtype=np.float64)  # groups x words
    z, delta = _scores(y, alpha0)
    return vocab, y, z, delta


def _vectors(sides: list[WordCounts]) -> list[Vector] | None:
    """The sides' counts as arrays when every side has them in one key space (see :meth:`WordCounts.vector`)."""
    vecs = [s.vector() for s in sides]
    if len(sides) < 2 or any(v is None for v in vecs) or any(v[2] is not vecs[0][2] for v in vecs):  # type: ignore[index]
        return None
    return vecs  # type: ignore[return-value]


def _distinctive_arrays(vecs: list[Vector], top: int, alpha0: float, min_count: int) -> list[list[tuple[float, float, str, int]]]:
    """Per side, its *top* words as (z, delta, word, count), from counts as arrays of word keys: only the
    words that can be among the top are named. The same words and scores as the counters' way."""
    keys = np.sort(np.concatenate([v[0] for v in vecs]), kind="stable")  # sorted runs, merged (np.unique hashes: slower)
    keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))] if len(keys) else keys
    y = np.zeros((len(vecs), len(keys)))
    for g, (k, c, _, _) in enumerate(vecs):
        y[g, np.searchsorted(keys, k)] = c
    keep = y.sum(axis=0) >= min_count
    keys, y = keys[keep], y[:, keep]
    if not len(keys):
        return [[] for _ in vecs]
    z, delta = _scores(y, alpha0)
    out = []
    for g, (_, _, _, names) in enumerate(vecs):
        cand = np.flatnonzero(np.isfinite(z[g]) & (y[g] > 0))
        if len(cand) > top:  # those at least as high as the top-th (ties with it kept: the word breaks them)
            cut = np.partition(z[g, cand], len(cand) - top)[len(cand) - top]
            cand = cand[z[g, cand] >= cut]
        named = sorted(zip((-z[g, cand]).tolist(), names(keys[cand]), cand.tolist()))[:top]
        out.append([(-nz, float(delta[g, k]), w, int(y[g, k])) for nz, w, k in named])
    return out


def log_odds(groups: list[Counter[str]], *, alpha0: float = 1000.0, min_count: int = 3) -> list[dict[str, tuple[float, float]]]:
    """Per group, word -> (z-score, delta) of that group against all the others together, for words
    counted at least *min_count* times over all groups. The prior is the pooled frequency scaled to *alpha0*."""
    vocab, _, z, delta = _log_odds(groups, alpha0, min_count)
    if not vocab:
        return [{} for _ in groups]
    out = []
    finite = np.isfinite(z).tolist()
    zs, ds = z.tolist(), delta.tolist()  # Python floats at once: indexing numpy element by element is slow
    for gi in range(len(groups)):
        zi, di, fi = zs[gi], ds[gi], finite[gi]
        out.append({w: (zi[k], di[k]) for k, w in enumerate(vocab) if fi[k]})
    return out


def distinctive(sides: list[WordCounts], top: int = 25, *, alpha0: float = 1000.0, min_count: int = 3,
                evidence: int = 3) -> list[list[dict]]:  # fmt: skip
    """The *top* words most distinctive of each side (highest z, then the word), each ``{word, z, delta, count,
    evidence}``: up to *evidence* occurrences of the word in the side's articles (none looked for when 0: the
    list is empty). Sides whose counts come as arrays of one vocabulary (:meth:`WordCounts.vector`) are
    scored as arrays, naming only the words that can be shown."""
    vecs = _vectors(sides)
    if vecs is not None:
        chosen = _distinctive_arrays(vecs, top, alpha0, min_count)
    else:
        for side in sides:
            side.finish()
        vocab, y, zs, ds = _log_odds([s.counts for s in sides], alpha0, min_count)
        chosen = []
        for gi in range(len(sides)):
            # The side's words (counted there, finite z) by z descending, then the word: the vocabulary is
            # sorted, so a word's index orders as the word does; only the *top* become Python objects.
            z = zs[gi]
            keep = np.flatnonzero(np.isfinite(z) & (y[gi] > 0))
            first = keep[np.lexsort((keep, -z[keep]))[:top]].tolist()
            chosen.append([(float(zs[gi, k]), float(ds[gi, k]), vocab[k], int(y[gi, k])) for k in first])
    out = []
    for side, best in zip(sides, chosen):
        if evidence > 0:
            side.expect([w for _, _, w, _ in best], evidence)
        out.append([
            {"word": w, "z": round(z, 3), "delta": round(d, 4), "count": n,
             "evidence": [{"article": a, "start": s, "end": e} for a, s, e in (side.where(w, evidence) if evidence > 0 else [])]}
            for z, d, w, n in best
        ])  # fmt: skip
    return out
