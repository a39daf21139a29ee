"""Search snippets cut from an article's body in Python, for queries of plain words.

FTS5's ``snippet()`` costs ~90 µs a hit on the 100,000-article benchmark store: each hit is a separate
look-up of the query in every segment of the index before the body is tokenised twice, so a page of 20
hits cost ~2 ms, more than ranking it. Here the body already read with the hit's metadata is searched
for the query's words with ``str.find`` on its lower-cased text, and only the few hundred characters
around the best group of hits are split into tokens. The snippet has the same form as FTS5's: up to
:data:`SNIPPET_TOKENS` tokens around the hits, the words marked with ``MARK_START``/``MARK_END``, and an
ellipsis on a side where the body goes on.

When this cannot find a query word as FTS5 would (a word of the title only, an accented spelling in the
body, a word the tokeniser splits), :func:`cut` returns ``None`` and the store asks FTS5 for that hit.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left

from .base import MARK_END, MARK_START

SNIPPET_TOKENS = 24
ELLIPSIS = " … "
_TOKEN = re.compile(r"[^\W_]+")  # a run of letters and digits, as FTS5's unicode61 tokeniser splits text
_ASCII_TOKEN = re.compile(r"[A-Za-z0-9]+")  # the same for ASCII text, faster
MAX_HITS = 100  # a word's hits looked at in one body (a long article full of a common word stays cheap)


def plain_terms(words: list[str]) -> list[str] | None:
    """The query's words as the body search looks for them (lower case, distinct), or ``None`` when one
    of them is not a single token without diacritics, which FTS5 would read differently."""
    out: list[str] = []
    for w in words:
        t = w.lower()
        if not t or _TOKEN.fullmatch(t) is None or (not t.isascii() and unicodedata.normalize("NFD", t) != t):
            return None
        if t not in out:
            out.append(t)
    return out or None


def _whole_words(low: str, term: str) -> list[int]:
    """Start of the first MAX_HITS occurrences of *term* in *low* as a whole word (no letter or digit on
    either side)."""
    out, n, pos = [], len(low), low.find(term)
    while pos >= 0 and len(out) < MAX_HITS:
        end = pos + len(term)
        if (pos == 0 or not low[pos - 1].isalnum()) and (end == n or not low[end].isalnum()):
            out.append(pos)
        pos = low.find(term, pos + 1)
    return out


def _words_between(low: str, a: int, b: int) -> int:
    """Roughly how many words start in ``low[a:b]`` (spaces and line breaks counted, without a tokeniser)."""
    return low.count(" ", a, b) + low.count("\n", a, b) - low.count("\n\n", a, b)


def _sentence_start(low: str, pos: int, reach: int) -> int:
    """Where the sentence holding *pos* starts (after a full stop or colon and a space or line break),
    looking back *reach* characters at most; -1 when none starts there."""
    lo = max(0, pos - reach)
    at = max(low.rfind(". ", lo, pos), low.rfind(".\n", lo, pos), low.rfind(": ", lo, pos), low.rfind(":\n", lo, pos))
    if at >= 0:
        return at + 2
    return 0 if lo == 0 else -1


def _tokens(body: str, lo: int, hi: int, ascii_only: bool) -> list[tuple[int, int]]:
    """(start, end) of the tokens wholly inside ``body[lo:hi]``."""
    spans = [m.span() for m in (_ASCII_TOKEN if ascii_only else _TOKEN).finditer(body, lo, hi)]
    if spans and lo > 0 and body[lo - 1].isalnum() and spans[0][0] == lo:
        spans = spans[1:]
    if spans and hi < len(body) and body[hi].isalnum() and spans[-1][1] == hi:
        spans = spans[:-1]
    return spans


def cut(body: str, terms: list[str], title: str = "", size: int = SNIPPET_TOKENS) -> str | None:
    """A marked snippet of *body*: the window of *size* words with the most distinct *terms*, then the
    most hits, preferring one that starts a sentence, as FTS5 chooses; the body's first words when the
    terms are all in the *title* alone. ``None`` when a term is in neither as a whole word (FTS5, which
    folds accents, may still find it)."""
    low = body.lower()
    if len(low) != len(body):  # a letter whose lower case is longer: positions would not line up
        return None
    hits: list[tuple[int, int]] = []  # (start, term index)
    for k, term in enumerate(terms):
        found = _whole_words(low, term)
        if not found and not _whole_words(title.lower(), term):
            return None
        hits.extend((s, k) for s in found)
    hits.sort()
    ascii_only = body.isascii()
    begin = 0
    if hits:
        words, at, prev = [], 0, 0  # the word each hit is, counted from the body's start
        for s, _ in hits:
            at += _words_between(low, prev, s)
            words.append(at)
            prev = s
        total = at + _words_between(low, prev, len(low)) + 1
        best, best_score = (0, -1, 0, 0), -1  # (window's first word, its start character or -1, hit, hit's word)
        for i, (s, _) in enumerate(hits):
            tries = [(words[i], -1, 0)]
            ss = _sentence_start(low, s, 12 * size)
            if 0 <= ss < s:
                tries.append((words[i] - _words_between(low, ss, s), ss, 120 if ss == 0 else 100))
            for first, char, bonus in tries:
                lo, hi = bisect_left(words, first), bisect_left(words, first + size)
                kinds = len({hits[j][1] for j in range(lo, hi)})
                score = bonus + 1000 * kinds + (hi - lo - kinds)  # a term's first hit counts 1,000, a repeat 1
                if char < 0 and hi > lo:  # centre the hits in the window
                    first = max(0, min(words[lo] - (size - (words[hi - 1] + 1 - words[lo])) // 2, total - size))
                if score > best_score:
                    best, best_score = (first, char, s, words[i]), score
        first, char, s, w = best
        if char >= 0:
            begin = char
        elif first < w:  # the window opens some words before the hit s
            back = _tokens(body, max(0, s - 16 * (w - first) - 16), s, ascii_only)
            if len(back) < w - first and s - 16 * (w - first) - 16 > 0:
                back = _tokens(body, max(0, s - 64 * (w - first)), s, ascii_only)
            back = back[-(w - first) :]
            begin = back[0][0] if back else s
        else:
            begin = s
    spans = _tokens(body, begin, min(len(body), begin + 16 * size), ascii_only)
    if len(spans) < size and begin + 16 * size < len(body):
        spans = _tokens(body, begin, len(body), ascii_only)
    if not spans:
        return None
    window = spans[:size]
    c0, c1 = window[0][0], window[-1][1]
    out, at = [], c0
    for s, k in hits:
        if c0 <= s and s + len(terms[k]) <= c1:
            out += [body[at:s], MARK_START, body[s : s + len(terms[k])], MARK_END]
            at = s + len(terms[k])
    out.append(body[at:c1])
    before, after = ELLIPSIS if _TOKEN.search(body, 0, c0) else "", ELLIPSIS if _TOKEN.search(body, c1) else ""
    # As FTS5: a window that reaches an end of the body runs to it, punctuation and all.
    return before + body[0 if not before else c0 : c0] + "".join(out) + body[c1 : c1 if after else len(body)] + after
