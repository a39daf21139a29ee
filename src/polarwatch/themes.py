"""Arctic themes: which of the taxonomy's themes an article and each of its paragraphs is about.

The taxonomy is a data file (``data/themes.csv``): per theme a description,
*strong* terms (enough on their own: "icebreaker", "rare earths") and *weak*
terms (only with others: "port", "ice"). A term ending in ``*`` matches any
word ending ("sanction*" → sanctions, sanctioned); an all-capitals term
("LNG", "GPS") matches only in capitals, the rest ignore case.

Scoring is lexical on purpose: it is fast, needs no model and every score can
be shown with the words behind it. A distinct term weighs 2 (strong) or 1
(weak), and each repeat adds half its weight again, up to three repeats. A
paragraph carries a theme at a score of ``PARAGRAPH_MIN`` (one strong term,
or two different weak ones); an article carries it when one of its paragraphs
does, or when the article's score reaches ``ARTICLE_MIN`` (a theme it keeps
returning to in passing). ``share`` is the theme's part of the article's
theme scores.
Evidence spans are character offsets into ``Article.body`` (paragraphs joined
by a blank line), like every other extracted fact.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

PARAGRAPH_MIN = 2.0
ARTICLE_MIN = 3.0
_REPEAT_BONUS, _REPEAT_CAP = 0.5, 3


@dataclass(frozen=True, slots=True)
class Theme:
    id: str
    name: str
    description: str
    strong: tuple[str, ...]
    weak: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Evidence:
    """One term occurrence: where it is in the body and whether it is a strong term."""

    start: int
    end: int
    term: str
    strong: bool
    paragraph: int


@dataclass(slots=True)
class ThemeScore:
    theme: str
    score: float
    share: float = 0.0
    paragraphs: list[int] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)

    def as_dict(self, body: str | None = None) -> dict:
        d = {
            "theme": self.theme,
            "score": round(self.score, 2),
            "share": round(self.share, 3),
            "paragraphs": self.paragraphs,
            "evidence": [
                {"start": e.start, "end": e.end, "term": e.term, "strong": e.strong, "paragraph": e.paragraph}
                | ({"text": body[e.start : e.end]} if body is not None else {})
                for e in self.evidence
            ],
        }
        return d


# Words as the matcher sees them: letters and digits, with an inner apostrophe ("Yup’ik", "Gwich’in").
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_STEM_KEY = 4  # stem terms are indexed by their first letters


@dataclass(frozen=True, slots=True)
class _Term:
    theme: str
    term: str
    strong: bool
    words: tuple[str, ...]  # lower-cased unless caps
    stem: bool  # the last word is a prefix ("sanction*")
    caps: bool  # an acronym: matched in capitals only


class Taxonomy:
    """The themes and an index of their terms by first word, so a paragraph is read once for all themes.

    A term's words must follow each other with only spaces or hyphens between
    them ("rare earths", "rare-earth"); a term never matches inside a word."""

    def __init__(self, themes: list[Theme]) -> None:
        self.themes = themes
        self.by_id = {t.id: t for t in themes}
        self._exact: dict[str, list[_Term]] = {}
        self._prefix: dict[str, list[_Term]] = {}
        for t in themes:
            for strong, terms in ((True, t.strong), (False, t.weak)):
                for term in terms:
                    caps = term.isupper() and len(term.rstrip("*")) >= 2
                    stem = term.endswith("*")
                    words = tuple(_WORD.findall(term.rstrip("*") if caps else term.rstrip("*").lower()))
                    if not words:
                        continue
                    rec = _Term(t.id, term, strong, words, stem, caps)
                    first = words[0].lower()
                    if stem and len(words) == 1:
                        self._prefix.setdefault(first[:_STEM_KEY], []).append(rec)
                    else:
                        self._exact.setdefault(first, []).append(rec)

    @staticmethod
    def _word_ok(word: str, want: str, t: _Term, last: bool) -> bool:
        w = word if t.caps else word.lower()
        return w.startswith(want) if (last and t.stem) else w == want

    def hits(self, text: str, offset: int = 0, paragraph: int = 0) -> dict[str, list[Evidence]]:
        """Every term occurrence in *text*, by theme; offsets shifted by *offset*."""
        words = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]
        out: dict[str, list[Evidence]] = {}
        for i, (w, start, _end) in enumerate(words):
            low = w.lower()
            cands = self._exact.get(low, [])
            if len(low) >= _STEM_KEY or low in self._prefix:
                cands = cands + self._prefix.get(low[:_STEM_KEY], [])
            for t in cands:
                n = len(t.words)
                if i + n > len(words):
                    continue
                ok = True
                for k in range(n):
                    if not self._word_ok(words[i + k][0], t.words[k], t, k == n - 1):
                        ok = False
                        break
                    if k and text[words[i + k - 1][2] : words[i + k][1]].strip(" -\u00a0\n") != "":
                        ok = False  # something other than a space or hyphen between the words
                        break
                if ok:
                    out.setdefault(t.theme, []).append(Evidence(offset + start, offset + words[i + n - 1][2], t.term, t.strong, paragraph))
        for tid, ev in out.items():  # leftmost-longest, no overlaps: "Northern Sea Route" is not also "sea route*"
            ev.sort(key=lambda e: (e.start, -e.end))
            kept: list[Evidence] = []
            for e in ev:
                if not kept or e.start >= kept[-1].end:
                    kept.append(e)
            out[tid] = kept
        return out


@lru_cache(maxsize=1)
def taxonomy() -> Taxonomy:
    text = resources.files("polarwatch").joinpath("data/themes.csv").read_text("utf-8")
    themes = []
    for row in csv.DictReader(text.splitlines()):
        split = lambda s: tuple(x.strip() for x in (s or "").split("|") if x.strip())  # noqa: E731
        themes.append(Theme(row["id"], row["name"], row["description"], split(row["strong"]), split(row["weak"])))
    return Taxonomy(themes)


def _score(ev: list[Evidence]) -> float:
    counts: dict[tuple[str, bool], int] = {}
    for e in ev:
        counts[(e.term, e.strong)] = counts.get((e.term, e.strong), 0) + 1
    return sum((2.0 if strong else 1.0) * (1 + _REPEAT_BONUS * min(c - 1, _REPEAT_CAP)) for (_, strong), c in counts.items())


def _paragraph_carries(ev: list[Evidence]) -> bool:
    return 2 * len({e.term for e in ev if e.strong}) + len({e.term for e in ev if not e.strong}) >= PARAGRAPH_MIN


def score_paragraphs(paragraphs: list[str], tax: Taxonomy | None = None) -> list[ThemeScore]:
    """The article's themes, best first, each with its paragraphs and evidence (offsets into the body)."""
    tax = tax or taxonomy()
    per_theme: dict[str, list[Evidence]] = {}
    para_themes: dict[str, list[int]] = {}
    offset = 0
    for i, p in enumerate(paragraphs):
        for tid, ev in tax.hits(p, offset, i).items():
            per_theme.setdefault(tid, []).extend(ev)
            if _paragraph_carries(ev):
                para_themes.setdefault(tid, []).append(i)
        offset += len(p) + 2
    scores: list[ThemeScore] = []
    for tid, ev in per_theme.items():
        total = _score(ev)
        if tid in para_themes or total >= ARTICLE_MIN:
            scores.append(ThemeScore(tid, total, paragraphs=para_themes.get(tid, []), evidence=ev))
    whole = sum(s.score for s in scores)
    for s in scores:
        s.share = s.score / whole if whole else 0.0
    scores.sort(key=lambda s: (-s.score, s.theme))
    return scores
