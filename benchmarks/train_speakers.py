"""Fit the ranker of candidate speakers (``src/polarwatch/nlp/ranker.py``) on our quote gold, and measure its transfer.

    .venv/bin/python benchmarks/train_speakers.py            # refit data/speaker_ranker.json from the five sets
    .venv/bin/python benchmarks/train_speakers.py --loso     # leave one set out: rules vs ranker on each

The training sets are ours to ship: ``tests/gold/quotes`` and the four Wikinews development sets (Wikinews text is CC BY
2.5, read from ``../shared/corpus``; the annotations are ours). PolNeAR-dev is research-use only: it is never trained
on (weights fitted on it would carry it), only scored as a check. The held-out ``tests/gold/wikinews`` is never read.

Each set is extracted once with the rules alone while ``ranker.recording()`` keeps every decision (its candidates'
answers and features). The predicted quotes are matched to the gold with the evaluation's own ``match_quotes``, and a
candidate is right when the quote with that candidate as speaker passes the evaluation's ``same_speaker``. A decision
with no right candidate, or with every candidate right, teaches nothing and is left out; of several right ones, the
rules' answer, else the most recent, is the target. The model is a conditional logit (softmax over a decision's
candidates) with an L2 penalty on all but the rules' own features (so that, without evidence, it follows the rules),
chosen from a small grid by leaving each training set out in turn, and fitted by Newton's method in numpy:
deterministic, so a refit reproduces the file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SETS = ("quotes", "wikinews-dev", "wikinews-dev2", "wikinews-dev3", "wikinews-dev4")
L2_GRID = (1.0, 3.0, 10.0, 30.0, 100.0)  # penalties tried, each chosen by leave-one-set-out on the training sets only
WEIGHTS = ROOT / "src" / "polarwatch" / "data" / "speaker_ranker.json"


def collect(gold_dir: Path) -> list[tuple[np.ndarray, int, int, str]]:
    """(features, target index, rules' index, mention type) of every decision on a matched quote of *gold_dir* that
    has a right candidate and a wrong one."""
    from polarwatch.evaluate.gold import load_gold
    from polarwatch.evaluate.run import _annotates_titles, _article, pred_quote
    from polarwatch.evaluate.score import match_quotes, same_speaker
    from polarwatch.nlp import analyse_batch, ranker
    from polarwatch.nlp.actors import registry

    reg = registry()
    golds = load_gold(gold_dir)
    arts = [(g, a) for g in golds if (a := _article(g)) is not None]
    titles = _annotates_titles(arts)
    old = os.environ.get("POLARWATCH_SPEAKER_RANKER")
    os.environ["POLARWATCH_SPEAKER_RANKER"] = "0"  # the rules' own discourse state, as the ranker will see it
    try:
        with ranker.recording():
            analyses = analyse_batch([a.paragraphs for _, a in arts], titles=[a.title for _, a in arts])
    finally:
        if old is None:
            del os.environ["POLARWATCH_SPEAKER_RANKER"]
        else:
            os.environ["POLARWATCH_SPEAKER_RANKER"] = old
    out = []
    for (g, _), an in zip(arts, analyses, strict=True):
        plain = g.text_source == "plain"
        quotes = [q for q in an.quotes if titles or not q.in_title]
        preds = [pred_quote(reg, q.text, q.kind, q.speaker_id, q.speaker_name, q.speaker_text, plain) for q in quotes]
        by_offset = {d.offset: d for d in an.decisions}
        for gi, pj in match_quotes(g.quotes, preds):
            q = quotes[pj]
            d = None if q.in_title else by_offset.get(q.start)
            if d is None or len(d.answers) < 2:
                continue
            # the mention as written stays the quote's, except for a continuation the ranker gives another speaker
            right = [k for k, a in enumerate(d.answers) if same_speaker(g.quotes[gi], pred_quote(
                reg, q.text, q.kind, a[0], a[1], q.speaker_text if d.mention != "cont" or k == d.rule else a[1], plain))]
            if not right or len(right) == len(d.answers):
                continue
            target = d.rule if d.rule in right else right[0]  # answers run from the most recent
            out.append((np.array(d.features, dtype=float), target, d.rule, d.mention))
    return out


def fit(data: list[tuple[np.ndarray, int, int, str]], l2: float, steps: int = 100) -> np.ndarray:
    """Conditional logit weights maximising sum log p(target) - l2/2 |w|^2 by Newton's method from zero. The rules'
    own features (``rule``, ``rule_pronoun``, ...) are not penalised: without evidence, the model follows the rules."""
    from polarwatch.nlp.ranker import FEATURES

    pen = np.full(len(FEATURES), float(l2))
    pen[[k for k, f in enumerate(FEATURES) if f == "rule" or f.startswith("rule_") and f != "rule_only"]] = 1e-3
    if not data:
        return np.zeros(len(FEATURES))
    x = np.vstack([d[0] for d in data])
    sizes = np.array([len(d[0]) for d in data])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    seg = np.repeat(np.arange(len(data)), sizes)
    xt = x[starts + np.array([d[1] for d in data])].sum(axis=0)
    w = np.zeros(len(FEATURES))
    for _ in range(steps):
        s = x @ w
        p = np.exp(s - np.maximum.reduceat(s, starts)[seg])
        p /= np.add.reduceat(p, starts)[seg]
        mean = np.add.reduceat(p[:, None] * x, starts)
        grad = xt - mean.sum(axis=0) - pen * w
        hess = -(x.T @ (p[:, None] * x) - mean.T @ mean) - np.diag(pen)
        step = np.linalg.solve(hess, grad)
        w = w - step
        if np.abs(step).max() < 1e-10:
            break
    return w


def choose_l2(by_set: dict[str, list[tuple[np.ndarray, int, int, str]]]) -> float:
    """The penalty of ``L2_GRID`` whose fits, leaving each of *by_set*'s sets out in turn, choose the target on the
    left-out set most often (the rules' count is the floor); a tie goes to the larger penalty, nearer the rules."""
    best, score = L2_GRID[-1], -1
    for l2 in reversed(L2_GRID):
        right = sum(accuracy(by_set[s], fit([x for o in by_set if o != s for x in by_set[o]], l2))[0] for s in by_set)
        if right > score:
            best, score = l2, right
    return best


def accuracy(data: list[tuple[np.ndarray, int, int, str]], w: np.ndarray | None) -> tuple[int, int]:
    """(decisions whose chosen answer is the target, decisions); None: the rules' choice."""
    right = 0
    for x, t, r, _ in data:
        if w is None:
            pick = r
        else:
            s = x @ w
            best = s.max()
            pick = r if s[r] == best else int(np.argmax(s))
        right += pick == t
    return right, len(data)


def weights_json(w: np.ndarray, sets: list[str], n: int, enabled: bool, l2: float) -> str:
    from polarwatch.nlp.ranker import FEATURES

    data = {"features": list(FEATURES), "weights": [round(float(x), 4) for x in w], "enabled": enabled, "l2": l2,
            "trained_on": [f"tests/gold/{s}" for s in sets], "decisions": n}  # fmt: skip
    return json.dumps(data, indent=1) + "\n"


def _leaves(res: dict[str, Any]) -> dict[str, float]:
    d, i = res["direct"], res["indirect"]
    return {
        "direct_P": d["speakers"]["precision"], "direct_R": d["speakers"]["recall"], "indirect_F1": i["speakers"]["f1"],
        "direct_acc": d["speakers"]["tp"] / max(1, d["quotes"]["tp"]), "indirect_acc": i["speakers"]["tp"] / max(1, i["quotes"]["tp"]),
        "direct_stp": d["speakers"]["tp"], "direct_qtp": d["quotes"]["tp"], "indirect_stp": i["speakers"]["tp"], "indirect_qtp": i["quotes"]["tp"],
    }  # fmt: skip


def score(gold_dir: Path, setting: str) -> dict[str, float]:
    from polarwatch.evaluate.run import run_eval

    old = os.environ.get("POLARWATCH_SPEAKER_RANKER")
    os.environ["POLARWATCH_SPEAKER_RANKER"] = setting
    try:
        return _leaves(run_eval("quotes", gold_dir))
    finally:
        if old is None:
            del os.environ["POLARWATCH_SPEAKER_RANKER"]
        else:
            os.environ["POLARWATCH_SPEAKER_RANKER"] = old


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--loso", action="store_true", help="leave one set out: fit on four, score the fifth, rules vs ranker")
    ap.add_argument("--enabled", action="store_true", help="write the weights file with the ranker on by default")
    ap.add_argument("--out", default=str(WEIGHTS), help="where to write the weights (default: the shipped file)")
    ap.add_argument("--folds", default="/tmp/speaker_ranker_folds", help="--loso: where the fold weights go")
    args = ap.parse_args(argv)
    data = {s: collect(ROOT / "tests" / "gold" / s) for s in SETS}
    for s in SETS:
        print(f"{s}: {len(data[s])} decisions", file=sys.stderr)
    if not args.loso:
        alldata = [x for s in SETS for x in data[s]]
        l2 = choose_l2(data)
        w = fit(alldata, l2)
        Path(args.out).write_text(weights_json(w, list(SETS), len(alldata), args.enabled, l2), encoding="utf-8")
        print(f"wrote {args.out}: {len(alldata)} decisions; training accuracy rules {accuracy(alldata, None)}, ranker {accuracy(alldata, w)}")
        return 0
    Path(args.folds).mkdir(parents=True, exist_ok=True)
    rows = []
    for s in SETS:
        train = [x for o in SETS if o != s for x in data[o]]
        l2 = choose_l2({o: data[o] for o in SETS if o != s})
        w = fit(train, l2)
        path = Path(args.folds) / f"without-{s}.json"
        path.write_text(weights_json(w, [o for o in SETS if o != s], len(train), True, l2), encoding="utf-8")
        rules, ranked = score(ROOT / "tests" / "gold" / s, "0"), score(ROOT / "tests" / "gold" / s, str(path))
        rows.append({"set": s, "l2": l2, "decisions": accuracy(data[s], None) + accuracy(data[s], w), "rules": rules, "ranker": ranked})
        print(json.dumps(rows[-1]), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
