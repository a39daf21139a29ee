"""Word counts per article, kept when an article's analysis is stored (migration 013), so that the
distinctive words of a comparison are summed from stored vectors rather than every body tokenised again.

An article's counts are the lower-cased tokens of its body as :class:`.words.WordCounts` counts them
(before the possessive and apostrophe normalisation, which is applied to the sum), leaving out tokens
whose normal form is a stop word or shorter than three letters. They are stored as int32 pairs
(word id, count) against the ``words`` table, with the content hash of the body they were counted
from: an article whose body changed since, or that was never analysed, has no usable counts and is
counted from its body at query time instead.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections import Counter
from typing import Any

import numpy as np

from .words import _TOKEN, STOP_WORDS, WordCounts, WordFinder, _normal

_PAIR = np.dtype("<i4")
CHUNK = 500  # values per IN (...) list


def raw_counts(text: str) -> Counter[str]:
    """The tokens of *text* that a comparison can show, before normalisation, with their counts."""
    out: Counter[str] = Counter(_TOKEN.findall(text.lower()))
    for w in [w for w in out if len(n := _normal(w)) < 3 or n in STOP_WORDS]:
        del out[w]
    return out


def pack(ids_counts: list[tuple[int, int]]) -> bytes:
    return np.array(ids_counts, dtype=_PAIR).reshape(-1).tobytes() if ids_counts else b""


def unpack(blob: bytes | memoryview) -> tuple[np.ndarray, np.ndarray]:
    """(word ids, counts) of a stored blob."""
    a = np.frombuffer(bytes(blob), dtype=_PAIR)
    return a[0::2], a[1::2]


_WIDTHS = (np.dtype("<u1"), np.dtype("<u2"), np.dtype("<u4"))


def _narrowest(values: np.ndarray) -> np.dtype:
    top = int(values.max()) if len(values) else 0
    return next(w for w in _WIDTHS if top < 1 << (8 * w.itemsize))


def pack_cell(ids: np.ndarray, counts: np.ndarray) -> bytes:
    """A cell's summed counts as stored in ``agg_words``: two bytes giving the widths (1, 2 or 4 bytes), then
    the ids ascending as differences from the one before and the counts, each in the narrowest width that
    holds all of them (3 bytes a pair on the benchmark store against 8 for int32 pairs; read back with two
    ``frombuffer`` and a ``cumsum``, where zlib took ~80 µs a cell)."""
    ids, counts = np.asarray(ids, dtype=np.int64), np.asarray(counts, dtype=np.int64)
    steps = np.diff(ids, prepend=0)
    dw, cw = _narrowest(steps), _narrowest(counts)
    return bytes((dw.itemsize, cw.itemsize)) + steps.astype(dw).tobytes() + counts.astype(cw).tobytes()


def unpack_cell(blob: bytes | memoryview) -> tuple[np.ndarray, np.ndarray]:
    """(word ids, counts) of a cell's stored sum."""
    b = bytes(blob)
    dw, cw = b[0], b[1]
    n = (len(b) - 2) // (dw + cw)
    steps = np.frombuffer(b, dtype=f"<u{dw}", count=n, offset=2)
    counts = np.frombuffer(b, dtype=f"<u{cw}", count=n, offset=2 + n * dw)
    return np.cumsum(steps, dtype=np.int64), counts.astype(np.int64)


_BINS = 1 << 20  # counters summed at once by :func:`sum_pairs` (8 MB)


def _dense(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the distinct *values* ascending, each value's index among them), without sorting: *values* are ids."""
    seen = np.zeros(int(values.max()) + 1, dtype=bool)
    seen[values] = True
    return np.flatnonzero(seen), (np.cumsum(seen) - 1)[values]


def sum_pairs(groups: np.ndarray, ids: np.ndarray, counts: np.ndarray) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Sum the (word id, count) pairs per group (*groups*: each pair's group, a non-negative int): group ->
    (distinct word ids ascending, summed counts). The batch's distinct ids are numbered densely and each
    group's pairs counted into a row of bins (``bincount``), as many groups at once as ``_BINS`` holds: no
    sort of the pairs (300 scattered articles' cells of the benchmark store: ~3 million pairs)."""
    if not len(ids):
        return {}
    words, local = _dense(ids.astype(np.int64))
    names, which = _dense(groups.astype(np.int64))
    width = len(words)
    step = max(1, _BINS // width)
    out: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    if len(names) > step:  # the pairs in group order, so that each slice of groups is one slice of pairs
        order = np.argsort(which, kind="stable")
        which, local, counts = which[order], local[order], counts[order]
        bounds = np.searchsorted(which, np.arange(0, len(names) + step, step))
    else:
        bounds = np.array([0, len(which)])
    for k, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])):
        first = k * step
        n = min(step, len(names) - first)
        if n <= 0:
            break
        bins = np.bincount((which[a:b] - first) * width + local[a:b], weights=counts[a:b], minlength=n * width).reshape(n, width)
        for g in range(n):
            row = bins[g]
            nz = np.flatnonzero(row)
            if len(nz):
                out[int(names[first + g])] = (words[nz], row[nz].astype(np.int64))
    return out


def pairs_of(items: list[tuple[int, bytes]], cells: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(groups, word ids, counts) of the pairs of (group, blob) *items*: article blobs read as one array
    (:func:`unpack`), or cells' sums (:func:`unpack_cell`) when *cells*."""
    if cells:
        parts = [unpack_cell(b) for _, b in items]
        sizes = np.array([len(i) for i, _ in parts], dtype=np.int64)
        ids = np.concatenate([i for i, _ in parts]) if parts else np.empty(0, dtype=np.int64)
        counts = np.concatenate([c for _, c in parts]) if parts else np.empty(0, dtype=np.int64)
    else:
        blobs = [bytes(b) for _, b in items]
        sizes = np.array([len(b) // (2 * _PAIR.itemsize) for b in blobs], dtype=np.int64)
        ids, counts = unpack(b"".join(blobs))
    return np.repeat(np.array([g for g, _ in items], dtype=np.int64), sizes), ids, counts


def _word_ids(db: Any, words: set[str]) -> dict[str, int]:
    """Ids of *words*, adding the ones the store does not have yet (within the caller's transaction)."""
    out: dict[str, int] = {}
    todo = sorted(words)
    for i in range(0, len(todo), CHUNK):
        part = todo[i : i + CHUNK]
        out.update((w, int(k)) for k, w in db.execute(f"SELECT id, word FROM words WHERE word IN ({', '.join('?' * len(part))})", part))  # noqa: S608
    missing = [w for w in todo if w not in out]
    if missing:
        db.executemany("INSERT OR IGNORE INTO words (word) VALUES (?)", [(w,) for w in missing])
        for i in range(0, len(missing), CHUNK):
            part = missing[i : i + CHUNK]
            out.update((w, int(k)) for k, w in db.execute(f"SELECT id, word FROM words WHERE word IN ({', '.join('?' * len(part))})", part))  # noqa: S608
    return out


def keep_word_counts(db: Any, rowids: list[int]) -> None:
    """Store the word counts of the articles *rowids* (called by the store's writers inside their
    transaction, after an article's analysis is written); replaces what was kept for them."""
    rowids = list(dict.fromkeys(rowids))
    if not rowids:
        return
    counted: list[tuple[int, str, Counter[str]]] = []
    for i in range(0, len(rowids), CHUNK):
        part = rowids[i : i + CHUNK]
        for rowid, h, body in db.execute(
            f"SELECT rowid, content_hash, body FROM articles WHERE rowid IN ({', '.join('?' * len(part))})", part  # noqa: S608
        ):
            counted.append((int(rowid), h, raw_counts(body or "")))
    ids = _word_ids(db, {w for _, _, c in counted for w in c})
    for i in range(0, len(rowids), CHUNK):
        part = rowids[i : i + CHUNK]
        db.execute(f"DELETE FROM article_words WHERE article_rowid IN ({', '.join('?' * len(part))})", part)  # noqa: S608
    db.executemany(
        "INSERT INTO article_words (article_rowid, content_hash, counts) VALUES (?, ?, ?)",
        [(rowid, h, pack(sorted((ids[w], n) for w, n in c.items()))) for rowid, h, c in counted],
    )


def fill_word_counts(store: Any, batch: int = 2000) -> int:
    """Count the words of every article that has no current counts (a store from before migration 013,
    or bodies changed since); returns how many were counted. One transaction per *batch* articles."""
    db = store.db
    done, after = 0, 0
    while True:
        rows = [int(r[0]) for r in db.execute(
            "SELECT a.rowid FROM articles a LEFT JOIN article_words w ON w.article_rowid = a.rowid "
            "WHERE a.rowid > ? AND (w.article_rowid IS NULL OR w.content_hash != a.content_hash) ORDER BY a.rowid LIMIT ?",
            (after, batch),
        )]  # fmt: skip
        if not rows:
            return done
        db.execute("BEGIN IMMEDIATE")
        try:
            keep_word_counts(db, rows)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        done += len(rows)
        after = rows[-1]


_JOINED = re.compile("['’-]")  # a token joined by an apostrophe or a hyphen (a compound or a possessive)


class Vocabulary:
    """The ``words`` table of one store, read once and then extended with the ids added since. The word of
    the last id known is checked on every use, so a store file replaced by another is read afresh."""

    def __init__(self) -> None:
        self.words: list[str | None] = []
        self.joined: np.ndarray = np.empty(0, dtype=np.int64)  # ids of the words joined by an apostrophe or a hyphen
        self.array: np.ndarray = np.empty(0, dtype=object)  # the words as an array, indexed by id at once
        self.apostrophes: np.ndarray = np.empty(0, dtype=np.int64)  # ids of the words holding an apostrophe
        self.extra: dict[str, int] = {}  # negative keys of words the table does not hold (see :meth:`keys`)
        self.lock = threading.Lock()

    def names(self, db: Any, ids: np.ndarray) -> list[str]:
        ids = np.asarray(ids, dtype=np.int64)
        array = self.sync(db, int(ids.max()) if len(ids) else -1)
        out = array[np.maximum(ids, 0)].tolist() if len(array) else [None] * len(ids)
        if len(ids) and ids.min() < 0:
            with self.lock:  # another thread may be adding keys
                named = {k: w for w, k in self.extra.items()}
            out = [named[int(k)] if k < 0 else w for k, w in zip(ids, out)]
        return out  # type: ignore[no-any-return]

    def sync(self, db: Any, top: int) -> np.ndarray:
        """Read the ids up to *top* not read yet (all again when the store's table is another's); returns
        the words as an array indexed by id."""
        with self.lock:
            last = len(self.words) - 1
            if last >= 0:
                r = db.execute("SELECT word FROM words WHERE id = ?", (last,)).fetchone()
                if r is None or r[0] != self.words[last]:
                    self.words, self.joined, self.array = [], np.empty(0, dtype=np.int64), np.empty(0, dtype=object)
                    self.apostrophes, self.extra = np.empty(0, dtype=np.int64), {}
            if top >= len(self.words):
                rows = db.execute("SELECT id, word FROM words WHERE id >= ? ORDER BY id", (len(self.words),)).fetchall()
                if rows:
                    grown = self.words + [None] * (int(rows[-1][0]) + 1 - len(self.words))
                    for k, w in rows:
                        grown[int(k)] = w
                    new = np.array([int(k) for k, w in rows if _JOINED.search(w)], dtype=np.int64)
                    had = len(self.words)
                    self.words, self.joined = grown, np.concatenate([self.joined, new])
                    if len(grown) > len(self.array):  # room doubled: a live store adds a few words at a time
                        room = np.empty(max(len(grown), 2 * len(self.array)), dtype=object)
                        room[:had] = self.array[:had]
                        self.array = room
                    self.array[had : len(grown)] = grown[had:]
                    apos = np.array([int(k) for k, w in rows if "'" in w or "’" in w], dtype=np.int64)
                    self.apostrophes = np.concatenate([self.apostrophes, apos])
            return self.array

    def keys(self, db: Any, words: list[str]) -> list[int]:
        """The key of each of *words*: its id, or for a word the table does not hold a negative key of its
        own for this process (a possessive's stem seen only in its possessive form)."""
        ids: dict[str, int] = {}
        for i in range(0, len(words), CHUNK):
            part = words[i : i + CHUNK]
            ids.update((w, int(k)) for k, w in db.execute(f"SELECT id, word FROM words WHERE word IN ({', '.join('?' * len(part))})", part))  # noqa: S608
        with self.lock:
            for w in words:
                if w not in ids:
                    ids[w] = self.extra.setdefault(w, -1 - len(self.extra))
        return [ids[w] for w in words]


_vocabularies: dict[str, Vocabulary] = {}
_vocab_lock = threading.Lock()


def vocabulary(store: Any) -> Vocabulary:
    """The vocabulary of *store*, shared by every reader of the same database in this process."""
    key = str(getattr(store, "url", None) or getattr(store, "path", None) or "")
    if not key or key == ":memory:":
        key = f"object {id(store.db)}"
    with _vocab_lock:
        return _vocabularies.setdefault(key, Vocabulary())


class CountedWords(WordCounts):
    """Word counts summed from stored vectors (per article or per cell)."""

    def finish(self) -> "CountedWords":
        """As :meth:`WordCounts.finish`; the stored and body counts already leave out stop words and short
        words (:func:`raw_counts`), so only the words holding an apostrophe change."""
        for w in [w for w in self.counts if "'" in w or "’" in w]:
            n = self.counts.pop(w)
            v = _normal(w)
            if len(v) >= 3 and v not in STOP_WORDS:
                self.counts[v] += n
        return self


class StoredWords(CountedWords):
    """A side's word counts summed from the stored per-article vectors (and counted from the body for the
    articles without current ones). Where a shown word occurs is found as :meth:`WordCounts.where` finds
    it — the first articles in the side's order whose body the same pattern matches — but only the
    bodies of articles holding the word (or a hyphenated or apostrophe compound containing it) are read."""

    def __init__(self, db: Any) -> None:
        super().__init__()
        self.db = db
        self.order: list[tuple[str | None, int]] = []  # (article id, rowid), the side's order; an id read with its body when not given
        self.bodies: dict[int, str] = {}  # position -> body, read so far
        self.uncounted: list[int] = []  # positions counted from their body
        self.ids: np.ndarray = np.empty(0, dtype=np.int64)  # every stored (word id, position) pair, in position order
        self.positions: np.ndarray = np.empty(0, dtype=np.int64)
        self.indexed: set[int] = set()  # word ids of :meth:`expect`'s words, sorted into by_id with their positions
        self.by_id: np.ndarray = np.empty(0, dtype=np.int64)
        self.pos_by_id: np.ndarray = np.empty(0, dtype=np.int64)
        self.word_id: dict[str, int] = {}
        self.compounds: list[str] = []

    def load(self, vocab: Vocabulary, rows: list[tuple[int, str | None, Any]]) -> "StoredWords":
        """*rows*: (rowid, article id or None, counts blob or None) in the side's order."""
        self.order = [(aid, int(rowid)) for rowid, aid, _ in rows]
        self.uncounted = [pos for pos, (_, _, blob) in enumerate(rows) if blob is None]
        stored = [(pos, bytes(blob)) for pos, (_, _, blob) in enumerate(rows) if blob is not None]
        self.articles = len(rows)
        if stored:  # every blob read as one array; each pair's article position repeated from the blob lengths
            pairs = np.frombuffer(b"".join(blob for _, blob in stored), dtype=_PAIR)
            ids, counts = pairs[0::2].astype(np.int64), pairs[1::2]
            positions = np.repeat(np.array([pos for pos, _ in stored], dtype=np.int64),
                                  np.array([len(blob) // (2 * _PAIR.itemsize) for _, blob in stored], dtype=np.int64))  # fmt: skip
            totals = np.bincount(ids, weights=counts)
            present = np.flatnonzero(totals)
            names = vocab.names(self.db, present)
            self.word_id = dict(zip(names, present.tolist()))
            self.counts.update(dict(zip(names, totals[present].astype(np.int64).tolist())))  # into an empty Counter: dict.update
            self.ids, self.positions = ids, positions
            self.compounds = vocab.names(self.db, present[np.isin(present, vocab.joined)])
        for pos, body in self._read([p for p in self.uncounted]).items():
            self.counts.update(raw_counts(body))
        return self

    def _read(self, positions: list[int]) -> dict[int, str]:
        want = [p for p in positions if p not in self.bodies]
        for i in range(0, len(want), CHUNK):
            part = want[i : i + CHUNK]
            rowid_pos = {self.order[p][1]: p for p in part}
            for rowid, aid, body in self.db.execute(
                f"SELECT rowid, id, body FROM articles WHERE rowid IN ({', '.join('?' * len(part))})", list(rowid_pos)  # noqa: S608
            ):
                p = rowid_pos[int(rowid)]
                self.bodies[p] = body or ""
                self.order[p] = (aid, int(rowid))
        return {p: self.bodies.get(p, "") for p in positions}

    def _related(self, word: str) -> list[int]:
        """Ids of *word* and of the stored compounds holding it (what the pattern of ``where`` also matches in)."""
        return [self.word_id[r] for r in {word, *(c for c in self.compounds if word in c.replace("’", "'"))} if r in self.word_id]

    def expect(self, words: list[str], keep: int = 3) -> None:
        """Index the pairs of *words* (those :meth:`where` will be asked for) by word id, once: only their
        pairs are sorted, not the side's every pair (a month of a bloc: 150,000 pairs, ~5 ms a side)."""
        want = np.array(sorted({k for w in words for k in self._related(w)} - self.indexed), dtype=np.int64)
        if not len(want) or not len(self.ids):
            return
        sel = np.flatnonzero(np.isin(self.ids, want))
        ids, positions = np.concatenate([self.by_id, self.ids[sel]]), np.concatenate([self.pos_by_id, self.positions[sel]])
        order = np.argsort(ids, kind="stable")  # the positions of one id stay in side order
        self.by_id, self.pos_by_id = ids[order], positions[order]
        self.indexed.update(want.tolist())

    def _candidates(self, word: str) -> list[int]:
        """Positions of the articles whose counted tokens could hold *word* as the pattern of ``where`` reads it."""
        pos: set[int] = set(self.uncounted)
        for k in self._related(word):
            if k in self.indexed:
                lo, hi = np.searchsorted(self.by_id, [k, k + 1])
                pos.update(self.pos_by_id[lo:hi].tolist())
            else:
                pos.update(self.positions[self.ids == k].tolist())
        return sorted(pos)

    def where(self, word: str, keep: int = 3) -> list[tuple[str, int, int]]:
        find = WordFinder(word)
        out: list[tuple[str, int, int]] = []
        cands = self._candidates(word)
        step = keep + 2
        for i in range(0, len(cands), step):
            part = cands[i : i + step]
            bodies = self._read(part)
            for p in part:
                m = find.span(bodies[p])
                if m and self.order[p][0] is not None:  # None: the article was deleted before its body was read
                    out.append((self.order[p][0], *m))  # type: ignore[arg-type]
                    if len(out) >= keep:
                        return out
        return out


def side_words(store: Any, cond: str, args: list[Any], limit: int) -> WordCounts:
    """The word counts of the *limit* most recent articles matching *cond* (over ``articles a``)."""
    db = store.db
    rows = db.execute(
        "SELECT a.rowid, a.id, CASE WHEN w.content_hash = a.content_hash THEN w.counts END FROM articles a "  # noqa: S608
        f"LEFT JOIN article_words w ON w.article_rowid = a.rowid WHERE {cond} ORDER BY a.published DESC, a.rowid DESC LIMIT ?",
        [*args, limit],
    ).fetchall()
    return StoredWords(db).load(vocabulary(store), [(r[0], r[1], r[2]) for r in rows])


def stored_words(store: Any, rowids: list[int]) -> WordCounts:
    """The word counts of the articles *rowids*, in the side's order, that the caller has already selected
    (a comparison reads its side's articles once for its outlets, evidence and words). The counts are
    read without the articles' rows: whether an article's body is still the one counted is checked
    on the unique index of the content hashes (an article's row is a page of its own, body and all)."""
    db = store.db
    blobs: dict[int, Any] = {}
    for i in range(0, len(rowids), CHUNK):
        part = rowids[i : i + CHUNK]
        blobs.update((int(r), b) for r, b in db.execute(
            f"SELECT w.article_rowid, w.counts FROM article_words w WHERE w.article_rowid IN ({', '.join('?' * len(part))}) "  # noqa: S608
            "AND EXISTS (SELECT 1 FROM articles x WHERE x.content_hash = w.content_hash AND x.rowid = w.article_rowid)", part,
        ))  # fmt: skip
    return StoredWords(db).load(vocabulary(store), [(r, None, blobs.get(r)) for r in rowids])


_LETTERS = re.compile(r"[^\W\d_]+")


class CellWords(CountedWords):
    """A side's word counts over a period summed from its cells' rollups (``agg_words``, migration 019): every
    article of the side in the period is counted, not a sample of the most recent ones, so the log-odds
    describe the whole period; :attr:`articles` is how many articles that is.

    Where a shown word occurs (as :meth:`WordCounts.where` finds it: the first articles, most recently
    published first, then newest stored, undated last, whose body :class:`WordFinder` matches), among the
    articles of the side's day cells (*cells*: a condition over ``agg_cells c`` and ``agg_outlets a``, as
    ``aggregates.scope`` gives it): :meth:`expect` reads the side's ``WALK`` newest articles once and looks
    for every shown word in each, which finds most of a side's distinctive words (frequent there); a word
    with fewer occurrences there is looked up in the full-text index (FTS5, or PostgreSQL's tsvector): the
    side's articles holding all its letter runs (a superset: title included, accents folded), then their
    bodies in order. An occurrence glued to digits (``abc123``) is one token for the index and is not found
    that way. On the benchmark store the walk finds three occurrences of every shown word of 20 month-wide comparisons
    (with 40 articles, 59 words of 1,000 were left to the index, 11 ms a comparison: ~7 ms a common word)."""

    WALK = 100  # the side's newest articles read by :meth:`expect`

    def __init__(self, db: Any, cells: tuple[str, list[Any]] | None = None) -> None:
        super().__init__()
        self.db, self.cells = db, cells
        self.found: dict[str, list[tuple[str, int, int]]] = {}  # word -> its first occurrences among the walked articles
        self.walked_all = False  # the walk read every article of the side
        self.vocab: Vocabulary | None = None  # set by :meth:`load`, with the summed ids and counts
        self.ids, self.totals = np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)

    def _newest(self) -> list[int]:
        """Rowids of the side's ``WALK`` most recently published articles in order (whole days of cells read)."""
        cond, args = self.cells  # type: ignore[misc]
        cells = self.db.execute(
            "SELECT c.id, c.day, x.articles FROM agg_cells c JOIN agg_outlets a ON a.id = c.oid JOIN agg_words x ON x.cell = c.id "  # noqa: S608
            f"WHERE {cond}", args,
        ).fetchall()  # fmt: skip
        day_of: dict[int, str] = {}
        total, want, last = 0, [], None
        for cell, day, n in sorted(cells, key=lambda r: r[1] or "", reverse=True):
            if total >= self.WALK and (day or "") != last:
                break
            want.append(int(cell))
            day_of[int(cell)], total, last = day or "", total + int(n), day or ""
        rows: list[tuple[str, int]] = []
        for i in range(0, len(want), CHUNK):
            part = want[i : i + CHUNK]
            rows += [(day_of[int(c)], int(r)) for r, c in self.db.execute(
                f"SELECT article_rowid, cell FROM agg_article_cell WHERE cell IN ({', '.join('?' * len(part))})", part  # noqa: S608
            )]  # fmt: skip
        rows.sort(reverse=True)
        self.walked_all = len(rows) <= self.WALK and len(rows) == self.articles
        return [r for _, r in rows[: self.WALK]]

    def expect(self, words: list[str], keep: int = 3) -> None:
        """Look for *words* in the side's newest articles, *keep* occurrences each at most."""
        if self.cells is None or keep <= 0 or not words:
            return
        order = self._newest()
        todo = {w: WordFinder(w) for w in words}
        self.found = {w: [] for w in words}
        for i in range(0, len(order), 10):
            part = order[i : i + 10]
            rows = {int(r): (aid, body or "") for r, aid, body in self.db.execute(
                f"SELECT rowid, id, body FROM articles WHERE rowid IN ({', '.join('?' * len(part))})", part  # noqa: S608
            )}  # fmt: skip
            for r in part:
                if r not in rows:
                    continue
                aid, body = rows[r]
                low = body.lower()
                for w, find in list(todo.items()):
                    if m := find.span(body, low):
                        self.found[w].append((aid, *m))
                        if len(self.found[w]) >= keep:
                            del todo[w]
            if not todo:
                break

    def load(self, vocab: Vocabulary, rows: list[tuple[int, Any]]) -> "CellWords":
        """*rows*: (articles, stored sum) of each cell of the side. The sums are kept as arrays of word ids;
        :attr:`counts` (by word) is filled by :meth:`finish`, for a caller that wants them so."""
        self.articles = sum(int(n) for n, _ in rows)
        self.vocab = vocab
        pairs = [unpack_cell(blob) for _, blob in rows]
        ids = np.concatenate([i for i, _ in pairs]) if pairs else np.empty(0, dtype=np.int64)
        if len(ids):
            totals = np.bincount(ids, weights=np.concatenate([c for _, c in pairs]))
            self.ids = np.flatnonzero(totals)
            self.totals = totals[self.ids].astype(np.int64)
        return self

    def finish(self) -> "CellWords":
        if not self.counts and len(self.ids) and self.vocab is not None:
            self.counts.update(dict(zip(self.vocab.names(self.db, self.ids), self.totals.tolist())))  # into an empty Counter: dict.update
        super().finish()
        return self

    def vector(self) -> tuple[np.ndarray, np.ndarray, object, Any] | None:
        """The counts as :meth:`finish` leaves them, as arrays of keys (:meth:`Vocabulary.keys`): a word holding
        an apostrophe is counted under its normal form's key, found by name (few words), the rest stay ids."""
        if self.vocab is None:
            return None
        ids, totals, vocab = self.ids, self.totals, self.vocab
        vocab.sync(self.db, int(ids[-1]) if len(ids) else -1)
        apos = np.isin(ids, vocab.apostrophes)
        if apos.any():
            merged: Counter[str] = Counter()
            for w, n in zip(vocab.names(self.db, ids[apos]), totals[apos].tolist()):
                v = _normal(w)
                if len(v) >= 3 and v not in STOP_WORDS:
                    merged[v] += n
            keys = np.concatenate([ids[~apos], np.array(vocab.keys(self.db, list(merged)), dtype=np.int64)])
            keys, at = np.unique(keys, return_inverse=True)  # a normal form also counted as itself: one key
            totals = np.bincount(at, weights=np.concatenate([totals[~apos], np.array(list(merged.values()), dtype=np.int64)])).astype(np.int64)
            ids = keys
        return ids, totals, vocab, lambda keys: vocab.names(self.db, keys)

    def where(self, word: str, keep: int = 3) -> list[tuple[str, int, int]]:
        if self.cells is None or keep <= 0:
            return []
        known = self.found.get(word)
        if known is not None and (len(known) >= keep or self.walked_all):
            return known[:keep]
        parts = _LETTERS.findall(word.lower())
        if not parts:
            return []
        cond, args = self.cells
        if isinstance(self.db, sqlite3.Connection):
            match, query = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", " AND ".join(f'"{p}"' for p in parts)
        else:
            match, query = "SELECT rowid FROM articles_fts WHERE fts @@ to_tsquery('simple', pw_fold(?))", " & ".join(f"'{p}'" for p in parts)
        found = self.db.execute(
            "SELECT ac.article_rowid, c.day FROM agg_cells c JOIN agg_outlets a ON a.id = c.oid JOIN agg_article_cell ac ON ac.cell = c.id "  # noqa: S608
            f"WHERE {cond} AND ac.article_rowid IN ({match})", [*args, query],
        ).fetchall()  # fmt: skip
        order = [int(r) for r, _ in sorted(found, key=lambda r: (r[1] or "", int(r[0])), reverse=True)]
        find = WordFinder(word)
        out: list[tuple[str, int, int]] = []
        for i in range(0, len(order), keep + 2):
            part = order[i : i + keep + 2]
            rows = {int(r): (aid, body) for r, aid, body in self.db.execute(
                f"SELECT rowid, id, body FROM articles WHERE rowid IN ({', '.join('?' * len(part))})", part  # noqa: S608
            )}  # fmt: skip
            for r in part:
                if r in rows and (m := find.span(rows[r][1] or "")):
                    out.append((rows[r][0], *m))
                    if len(out) >= keep:
                        return out
        return out
