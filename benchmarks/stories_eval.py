#!/usr/bin/env python3
"""Story clustering quality as docs/eval.md reports it: ECB+ dev and our own gold, in arrival order and in shuffled orders.

    .venv/bin/python benchmarks/stories_eval.py [--ecb ../shared/corpus/ecbplus-dev/ecbplus_dev_clusters.jsonl]
        [--own tests/gold/stories/stories.jsonl] [--shuffles 1,2] [--json]

The online clusterer depends on the order articles arrive in, and ECB+ has no
dates, so its "arrival" is the file's order. Each file is read and extracted
once (as ``polarwatch eval stories`` does), then clustered in its arrival
order and in the order of each ``random.Random(seed).shuffle`` of its lines.
One line a file and order: B-cubed precision / recall / F1, ARI, stories.
``polarwatch eval stories --gold FILE --shuffle 1 --shuffle 2`` gives the same
scores for one file, with its per-cluster errors and threads.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from polarwatch.stories.evaluate import run_stories_eval  # noqa: E402


def _line(name: str, order: str, r: dict) -> str:
    b = r["bcubed"]
    return (f"{name:6s} {order:10s} P {b['precision']:.3f}  R {b['recall']:.3f}  F1 {b['f1']:.3f}  "
            f"ARI {r['ari']:.3f}  stories {r['clusters']} ({r['gold_clusters']})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ecb", default=str(ROOT.parent / "shared/corpus/ecbplus-dev/ecbplus_dev_clusters.jsonl"))
    ap.add_argument("--own", default=str(ROOT / "tests/gold/stories/stories.jsonl"))
    ap.add_argument("--shuffles", default="1,2", help="seeds of the shuffled orders, comma-separated ('' for none)")
    ap.add_argument("--json", action="store_true", help="one JSON object: file name -> eval result")
    a = ap.parse_args()
    seeds = tuple(int(x) for x in a.shuffles.split(",") if x.strip())
    out = {}
    for name, path in (("ecb", a.ecb), ("own", a.own)):
        if not Path(path).exists():
            print(f"{path}: missing, skipped", file=sys.stderr)
            continue
        r = out[name] = run_stories_eval(path, seeds, details=False)
        if not a.json:
            print(_line(name, "arrival", r))
            for seed, rs in r.get("orders", {}).items():
                print(_line(name, f"shuffle {seed}", rs))
    if a.json:
        print(json.dumps(out))


if __name__ == "__main__":
    main()
