"""The C BLAS calls inside spaCy's parser and NER, on fast kernels.

The transition-based parser and NER score their states in compiled code
(``spacy/ml/parser_model.pyx``): each state's feature vectors are summed with
``saxpy``, one call per feature, and the hidden layer is multiplied out with a
small ``sgemm``, both through thinc's ``CBlas`` table; thinc's ``gather_add``
(the folded embeddings of ``model.py``) sums its rows with the same ``saxpy``.
The table points at blis, and blis picks its kernels by CPU model when it
starts: a model newer than its list (this project's AMD EPYC, family 0x19)
gets its ``generic`` reference kernels, scalar loops with a dispatch around
every call. Two changes, each checked when the model loads and skipped, with a
log line, when a check fails:

1. The ``CBlas`` table the parser is given (``FastOps.cblas``) has its ``saxpy``
   slot pointed at OpenBLAS's ``cblas_saxpy`` (scipy's build with 32-bit
   integers: the same C signature). Every call from spaCy and thinc adds with
   alpha = 1, so each sum is the same addition in the same order: bit for bit
   what blis gives (``probe`` checks it).
2. When blis chose ``generic`` and the CPU has AVX2 and FMA, blis is switched to
   its ``haswell`` kernels (the ones its list also gives AMD's zen). blis keeps
   the choice in a static variable that it reads on every call; its address is
   read off the one load instruction of ``bli_arch_query_id``, which is checked
   byte for byte, and a product of odd sizes and a large one must match numpy
   after the switch, else the old value is put back. The ``sgemm`` sums in
   another order than the reference kernel, so a score can differ in its last
   bits (no annotation changed on our gold, the seeds and the benchmark
   corpus; ``tests/test_nlp_speed.py`` holds the gold to the shipped pipeline).

Together they took annotation from 35.1 to 33.2 ms an article (642 words, one
core, best of 5 alternated in one process; docs/benchmarks.md).
``POLARWATCH_BLIS=1`` leaves blis and thinc exactly as shipped.
"""

from __future__ import annotations

import ctypes
import glob
import logging
import os
import struct
from functools import lru_cache
from typing import Any

from thinc.api import NumpyOps

_log = logging.getLogger(__name__)

_SAXPY_SLOT = 1  # thinc's BlasFuncs: daxpy, saxpy, sgemm, in that order (thinc/backends/cblas.pyx)


class FastOps(NumpyOps):
    """numpy's BLAS for thinc's layers, and the patched C table for the parser (``table``)."""

    def cblas(self) -> Any:
        return table() or super().cblas()


def _capsule(mod: Any, name: str) -> int:
    """The address of the C function *name* a Cython module exports (its ``__pyx_capi__`` capsule)."""
    cap = mod.__pyx_capi__[name]
    api = ctypes.pythonapi
    api.PyCapsule_GetName.restype, api.PyCapsule_GetName.argtypes = ctypes.c_char_p, [ctypes.py_object]
    api.PyCapsule_GetPointer.restype = ctypes.c_void_p
    api.PyCapsule_GetPointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
    return int(api.PyCapsule_GetPointer(cap, api.PyCapsule_GetName(cap)))


def _openblas_saxpy() -> int | None:
    """``cblas_saxpy`` of scipy's bundled OpenBLAS (32-bit integers), set to one thread; None when absent."""
    import scipy

    for path in sorted(glob.glob(os.path.join(os.path.dirname(os.path.dirname(scipy.__file__)), "scipy.libs", "*openblas*"))):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        fn = getattr(lib, "scipy_cblas_saxpy", None) or getattr(lib, "cblas_saxpy", None)
        if fn is None:
            continue
        threads = getattr(lib, "scipy_openblas_set_num_threads", None) or getattr(lib, "openblas_set_num_threads", None)
        if threads is not None:
            threads(1)
        fn.restype, fn.argtypes = None, [ctypes.c_int, ctypes.c_float, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
        return fn
    return None


@lru_cache(maxsize=1)
def table() -> Any:
    """thinc's ``CBlas`` table with OpenBLAS's ``saxpy`` (see the module's docstring), or None to keep thinc's."""
    import blis.cy
    import numpy as np
    from thinc.backends.cblas import CBlas

    fn = _openblas_saxpy()
    if fn is None:
        _log.info("C BLAS table left to blis: no OpenBLAS in scipy.libs")
        return None
    x, y = np.arange(1, 8, dtype=np.float32) / 3, np.linspace(-1, 1, 7, dtype=np.float32)
    want = y + x
    fn(7, 1.0, x.ctypes.data, 1, y.ctypes.data, 1)
    if not np.array_equal(y, want):
        _log.warning("C BLAS table left to blis: OpenBLAS's saxpy gave another sum")
        return None
    tab = CBlas()
    # The object is a header and then a std::shared_ptr, whose first word points at the table of functions.
    if CBlas.__basicsize__ < 32:
        _log.warning("C BLAS table left to blis: thinc's CBlas is smaller than expected")
        return None
    funcs = ctypes.c_void_p.from_address(id(tab) + CBlas.__basicsize__ - 16).value
    slots = (ctypes.c_void_p * 3).from_address(funcs) if funcs else None
    blis_fns = [_capsule(blis.cy, n) for n in ("daxpy", "saxpy", "sgemm")]
    if slots is None or [int(s or 0) for s in slots] != blis_fns:
        _log.warning("C BLAS table left to blis: thinc's CBlas is not laid out as expected")
        return None
    slots[_SAXPY_SLOT] = ctypes.cast(fn, ctypes.c_void_p).value
    if not probe(tab):
        slots[_SAXPY_SLOT] = blis_fns[1]
        _log.warning("C BLAS table left to blis: the patched table gave other sums")
        return None
    return tab


def probe(tab: Any) -> bool:
    """True when ``gather_add`` through *tab* sums rows exactly as numpy does, in the same order."""
    import numpy as np

    class _Probe(NumpyOps):
        def cblas(self) -> Any:
            return tab

    rng = np.random.default_rng(7)
    rows = rng.standard_normal((50, 288)).astype(np.float32)
    idx = rng.integers(0, 50, size=(40, 4)).astype(np.int32)
    got = _Probe(use_blis=False).gather_add(rows, idx)
    want = rows[idx[:, 0]] + rows[idx[:, 1]] + rows[idx[:, 2]] + rows[idx[:, 3]]
    return bool(np.array_equal(got, want))


def _cpu_has(*flags: str) -> bool:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            line = next((ln for ln in f if ln.startswith("flags")), "")
    except OSError:
        return False
    have = set(line.split(":", 1)[-1].split())
    return all(f in have for f in flags)


@lru_cache(maxsize=1)
def blis_kernels() -> str:
    """Switch blis from its ``generic`` kernels to ``haswell`` where it can (see the module's docstring);
    returns the sub-configuration blis uses afterwards (or the reason it was left alone)."""
    import blis.cy
    import blis.py
    import numpy as np

    lib = ctypes.CDLL(blis.cy.__file__)
    query, name = lib.bli_arch_query_id, lib.bli_arch_string
    query.restype, name.restype, name.argtypes = ctypes.c_int, ctypes.c_char_p, [ctypes.c_int]
    now = query()  # also initialises blis, so every sub-configuration's kernels are registered
    if name(now) != b"generic":
        return name(now).decode()
    if not _cpu_has("avx2", "fma"):
        return "generic (no AVX2/FMA)"
    ids = {name(i): i for i in range(now)}  # "generic" is the last of blis's list
    if b"haswell" not in ids:
        return "generic (no haswell kernels)"
    at = ctypes.cast(query, ctypes.c_void_p).value or 0
    code = ctypes.string_at(at, 15)
    # sub $8,%rsp; call bli_arch_set_id_once; mov id(%rip),%eax
    if code[:4] != b"\x48\x83\xec\x08" or code[4] != 0xE8 or code[9:11] != b"\x8b\x05":
        return "generic (bli_arch_query_id not as expected)"
    var = ctypes.c_int.from_address(at + 15 + struct.unpack("<i", code[11:15])[0])
    if var.value != now:
        return "generic (blis's choice not found)"
    var.value = ids[b"haswell"]
    rng = np.random.default_rng(11)
    ok = True
    for m, k, n in ((67, 96, 131), (37, 64, 101), (700, 500, 600)):
        a, b = rng.standard_normal((m, k)).astype(np.float32), rng.standard_normal((n, k)).astype(np.float32)
        got = blis.py.gemm(a, b, trans2=True)
        ok = ok and bool(np.allclose(got, a.astype(np.float64) @ b.T.astype(np.float64), rtol=1e-4, atol=1e-3))
    if not ok or query() != ids[b"haswell"]:
        var.value = now
        _log.warning("blis left on its generic kernels: its haswell kernels gave other products")
        return "generic (probe failed)"
    return "haswell"


def fast_path() -> dict[str, Any]:
    """Apply both changes (once per process); what was done, for logs and tests."""
    return {"blis": blis_kernels(), "saxpy": "openblas" if table() is not None else "blis"}
