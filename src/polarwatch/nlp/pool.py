"""Extraction in worker processes: the model loaded once per worker, results in input order.

``ExtractPool`` takes articles' paragraph lists in chunks and hands back each
chunk's ``Analysis`` list in the order the chunks were submitted, so the
caller can keep reading and cleaning while the workers parse. Workers start
from a fork server that has already imported spaCy, then load the model in
their initializer; nothing is loaded per article.
"""

from __future__ import annotations

import multiprocessing as mp
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from .quotes import Analysis


def _init_worker(full_parse: bool | None) -> None:
    from . import parse
    from .model import nlp

    nlp()
    parse.cue_forms()
    global _FULL
    _FULL = full_parse


_FULL: bool | None = None


def _work(paragraph_lists: list[list[str]], titles: list[str | None] | None = None) -> list[Analysis]:
    from . import analyse_batch
    from .model import collector_paused

    with collector_paused():
        return analyse_batch(paragraph_lists, full_parse=_FULL, titles=titles)


def _context() -> Any:
    methods = mp.get_all_start_methods()
    if "forkserver" in methods:
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["spacy", "polarwatch.nlp.quotes"])
        return ctx
    return mp.get_context("spawn")


def chunk_sizes(n: int, chunk: int, workers: int) -> list[int]:
    """Sizes of the chunks *n* articles are sent in: whole chunks, then what is left split as evenly as it goes
    among the workers (50 articles, chunks of 24, two workers: 24, 24, 1, 1)."""
    sizes = [chunk] * (n // chunk)
    rest = n - chunk * len(sizes)
    parts = min(workers, rest)
    return sizes + [rest // parts + (1 if j < rest % parts else 0) for j in range(parts)] if parts else sizes


class ExtractPool:
    """*workers* processes running ``analyse_batch`` on chunks of *chunk* articles.

    ``on_done(keys, analyses)`` is called in the parent, in submission order, as
    chunks finish; at most *max_pending* chunks are in flight, so a fast reader
    waits for the workers instead of queueing a whole corpus in memory.
    """

    def __init__(self, workers: int, on_done: Callable[[list[Any], list[Analysis]], None], chunk: int = 24,
                 max_pending: int | None = None, full_parse: bool | None = None) -> None:
        if workers < 2:
            raise ValueError("ExtractPool needs at least 2 workers; use analyse_batch in-process for 1")
        self.workers = workers
        self.on_done = on_done
        self.chunk = max(1, chunk)
        self.max_pending = max_pending or 3 * workers
        self._ex = ProcessPoolExecutor(workers, mp_context=_context(), initializer=_init_worker, initargs=(full_parse,))
        self._pending: deque[tuple[list[Any], Future[list[Analysis]]]] = deque()

    def warm_up(self) -> None:
        """Start every worker and load its model now rather than on the first articles."""
        for f in [self._ex.submit(_work, [["Warm-up."]]) for _ in range(self.workers)]:
            f.result()

    def submit(self, keys: Sequence[Any], paragraph_lists: Sequence[list[str]], titles: Sequence[str | None] | None = None) -> None:
        """Queue one article per key (its paragraphs in *paragraph_lists*, its title in *titles*), in chunks.

        Fewer articles than a chunk (the end of an ingest, a small batch) are shared out among the workers
        rather than left to one of them while the others wait."""
        i = 0
        for size in chunk_sizes(len(keys), self.chunk, self.workers):
            while len(self._pending) >= self.max_pending:
                self.finish_one()
            part = list(paragraph_lists[i : i + size])
            heads = None if titles is None else list(titles[i : i + size])
            self._pending.append((list(keys[i : i + size]), self._ex.submit(_work, part, heads)))
            i += size
        while self._pending and self._pending[0][1].done():
            self.finish_one()

    @property
    def pending(self) -> int:
        """Chunks submitted and not yet handed to ``on_done``."""
        return len(self._pending)

    def drain(self) -> None:
        """Wait for every queued chunk."""
        while self._pending:
            self.finish_one()

    def finish_one(self) -> None:
        """Wait for the oldest queued chunk and hand it to ``on_done``."""
        keys, fut = self._pending.popleft()
        self.on_done(keys, fut.result())

    def close(self) -> None:
        """Stop the workers; chunks not yet finished are dropped (call ``drain`` first to keep them)."""
        self._pending.clear()
        self._ex.shutdown(wait=True, cancel_futures=True)
