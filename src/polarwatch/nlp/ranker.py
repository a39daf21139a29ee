"""A learned choice among earlier entities for a speaker mention that does not name its speaker.

Where ``speakers._resolve`` gives a pronoun ("he", "it", "they"), a description ("the company", "the study", "the
official") or ``quotes.analyse`` a quotation with no cue to an entity the article spoke of before, the rules pick one
by a hand-made order. This module collects the candidates the resolver's discourse state holds at that point (people,
bodies, countries, anonymous voices noted before the quote, and the rules' own answer), describes each with a few
cheap features (kind, fit with the mention, distance, salience, who spoke last) and lets a conditional logit model,
fitted on our gold by ``benchmarks/train_speakers.py``, pick one. A mention that names its speaker (a name, a
surname, an alias, the registry) is never a decision here.

The weights are ``data/speaker_ranker.json``. ``POLARWATCH_SPEAKER_RANKER`` overrides whether it is used: ``0``
(the rules alone), ``1`` (the shipped weights), or the path of another weights file (the leave-one-set-out runs).
``recording()`` makes ``analyse`` keep every decision with its candidates and features, for training.
"""

from __future__ import annotations

import json
import math
import os
from bisect import bisect_right
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from .speakers import _ANON_NOUNS, _DESCRIPTIONS, _DOCUMENTS, _POSSESSIVE_PRONOUNS, _PRONOUNS, _SPEAKER_NOUNS, _Resolver, _body_kind, _resolve

FEATURES = (
    "rule", "rule_only", "person", "org", "country", "anonymous",
    "rank0", "rank1", "log_rank", "log_chars", "same_para", "prev_para", "far_para",
    "log_named", "first_para", "subject", "main_subject", "spoke_last", "log_spoken", "in_quote", "doc_issuer",
    "hs_person", "gender_agrees", "gender_clashes", "it_body", "it_person", "they_group", "they_person",
    "desc_role", "desc_fit", "desc_person_noun", "desc_body_noun_person", "desc_doc_issuer", "desc_anon_kind",
    "cont_spoke_last", "rule_pronoun", "rule_desc", "rule_cont", "since_last_quote",
)  # fmt: skip
_INDEX = {f: k for k, f in enumerate(FEATURES)}
WINDOW = 5000  # characters before the mention in which earlier entities are candidates
MAX_CANDIDATES = 10  # the most recent ones, besides the rules' answer
_DEFINITE = frozenset("the this that these those its his her their".split())
_PERSON_KINDS = frozenset({"person", "subject-person", "main-person"})
_ENTITY_KINDS = _PERSON_KINDS | {"org", "org-speaker", "body", "group", "country"}
_NAMED_KINDS = frozenset({"person", "org", "country", "body"})  # an event that is a mention (not a role it played)


@dataclass(slots=True)
class Decision:
    """One choice among earlier entities: where, for what mention, the candidates' answers and features, and which
    one the rules gave (an index into *answers*)."""

    offset: int
    mention: str  # "he", "she", "it", "they", "desc:<noun>" or "cont"
    answers: list[tuple[str | None, str | None, str | None, str]] = field(default_factory=list)
    features: list[list[float]] = field(default_factory=list)
    rule: int = 0
    chosen: int = 0


_RECORD: list[bool] = [False]


@contextmanager
def recording() -> Iterator[None]:
    """Within it, ``analyse`` keeps its decisions in ``Analysis.decisions`` (for ``benchmarks/train_speakers.py``)."""
    _RECORD[0] = True
    try:
        yield
    finally:
        _RECORD[0] = False


def recording_on() -> bool:
    return _RECORD[0]


@lru_cache(maxsize=4)
def _load(path: str | None) -> tuple[np.ndarray, bool] | None:
    if path is None:
        text = resources.files("polarwatch").joinpath("data/speaker_ranker.json").read_text("utf-8")
    else:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    data = json.loads(text)
    if tuple(data["features"]) != FEATURES:
        raise ValueError(f"speaker ranker weights {path or 'data/speaker_ranker.json'} are for other features")
    return np.array([float(w) for w in data["weights"]]), bool(data.get("enabled", False))


def weights() -> np.ndarray | None:
    """The weights to use, or None for the rules alone (the setting, else the shipped file's ``enabled``)."""
    env = os.environ.get("POLARWATCH_SPEAKER_RANKER", "").strip()
    if env.lower() in ("0", "false", "no", "off"):
        return None
    if env and env.lower() not in ("1", "true", "yes", "on"):
        got = _load(env)
        return got[0] if got else None
    got = _load(None)
    if got is None or not (got[1] or env):
        return None
    return got[0]


def mention_type(stoks: list[Any], how: str) -> str | None:
    """What a speaker mention is for the ranker: a personal pronoun, a definite description with no name in it whose
    answer the rules took from the discourse, or None (a name, or anything else: left to the rules)."""
    if len(stoks) == 1:
        low = stoks[0].lower_
        low = _POSSESSIVE_PRONOUNS.get(low, low)
        if low in _PRONOUNS:
            return "they" if low == "we" else low
    if how not in ("description", "pronoun", "unresolved", "anonymous") or stoks[0].lower_ not in _DEFINITE:
        return None
    if any(t.pos_ == "PROPN" or t.ent_type_ for t in stoks):
        return None
    head = stoks[-1] if len(stoks) == 1 else next((t for t in stoks if t.dep_ in ("nsubj", "nsubjpass", "pobj", "dobj", "attr")), stoks[-1])
    if head.pos_ != "NOUN":
        return None
    return "desc:" + head.lemma_.lower()


def _key(aid: str | None, name: str | None) -> str:
    return aid or (name or "").lower()


def candidates(res: _Resolver, offset: int, mention: str, rule: tuple[str | None, str | None, str | None, str]) -> Decision:
    """The decision at *offset*: the earlier entities within ``WINDOW`` (most recent first, at most
    ``MAX_CANDIDATES``), the anonymous voices noted there, and the rules' answer *rule*, with their features."""
    since = offset - WINDOW
    seen: dict[str, list[Any]] = {}  # key -> [last offset, kind, times named, subject there, main subject there, spoke as a body, answer]
    persons = res.persons
    for off, kind, aid, country, name in reversed(res.events):
        if off >= offset or kind not in _ENTITY_KINDS:
            continue
        if off < since:
            break
        k = aid or name.lower()
        if not k:
            continue
        c = seen.get(k)
        if c is None:
            if len(seen) >= MAX_CANDIDATES:
                continue
            p = persons.get(aid) if aid else None
            ckind = "person" if p is not None else ("country" if kind == "country" or aid and len(aid) == 2 else "org")
            answer = (aid or None, p.name, p.country, "") if p is not None else (aid or None, name, country, "")
            c = seen[k] = [off, ckind, 0, False, False, False, answer]
        if kind in _NAMED_KINDS:
            c[2] += 1
        elif kind == "org-speaker":
            c[5] = True
            c[3] |= off == c[0]
        elif off == c[0]:
            c[3] |= kind == "subject-person"
            c[4] |= kind == "main-person"
    for off, k in reversed(res.anonymous):
        if since <= off < offset:
            key = f"unnamed {k}"
            if key not in seen:
                seen[key] = [off, "anonymous", 1, True, False, False, (None, key, None, "")]
    rkey = _key(rule[0], rule[1])
    d = Decision(offset, mention)
    if rkey not in seen:
        seen[rkey] = [None, "rule", 0, False, False, False, rule]
    paras = res.paras
    para_of = _para_index(paras, offset)
    first_keys = res.first_keys if res.first_keys is not None else _first_keys(res, offset)
    quotes = [q for q in res.quotes if q.start < offset]
    last_speaker = _key(quotes[-1].speaker_id, quotes[-1].speaker_name) if quotes else None
    last_quote = max((q.end for q in quotes), default=-1)
    spoken: dict[str, int] = {}
    for q in quotes:
        kq = _key(q.speaker_id, q.speaker_name)
        spoken[kq] = spoken.get(kq, 0) + 1
    doc_issuer = next((_key(got[0], got[1]) for off, got, _ in reversed(res.documents) if off < offset), None)
    noun = mention[5:] if mention.startswith("desc:") else None
    for rank, (k, c) in enumerate(sorted(seen.items(), key=lambda kv: -(kv[1][0] if kv[1][0] is not None else -1))):
        f = [0.0] * len(FEATURES)
        last, kind = c[0], c[1]
        answer = rule if k == rkey else c[6]
        is_rule = k == rkey
        f[0] = float(is_rule)
        if kind == "rule":
            f[1] = 1.0
        else:
            f[_INDEX[kind]] = 1.0
            f[6], f[7] = float(rank == 0), float(rank == 1)
            f[8] = math.log1p(rank)
            f[9] = math.log1p(offset - last) / 8
            back = para_of - _para_index(paras, last)
            f[10], f[11], f[12] = float(back == 0), float(back == 1), float(back >= 2)
            f[13] = math.log1p(c[2])
            f[14] = float(k in first_keys)
            f[15], f[16] = float(c[3]), float(c[4])
            k_q = bisect_right(res.quoted, (last, 1 << 60)) - 1  # the quotation spans come in text order
            f[19] = float(k_q >= 0 and last < res.quoted[k_q][1])
            f[38] = float(last > last_quote)
        f[17] = float(k == last_speaker)
        f[18] = math.log1p(spoken.get(k, 0))
        f[20] = float(k == doc_issuer)
        person = kind == "person" or kind == "rule" and answer[0] in res.persons
        body = kind in ("org", "country")
        if mention in ("he", "she"):
            g = res.gender(answer[0]) if person and answer[0] else None
            f[21] = float(person)
            f[22], f[23] = float(g == mention), float(g is not None and g != mention)
        elif mention == "it":
            f[24], f[25] = float(body), float(person)
        elif mention == "they":
            f[26], f[27] = float(body or kind == "anonymous" or c[5]), float(person)
        elif noun is not None:
            p = res.persons.get(answer[0] or "") if person else None
            f[28] = float(p is not None and p.role is not None and noun in p.role.lower())
            fits = _DESCRIPTIONS.get(noun)
            f[29] = float(body and (noun in (answer[1] or "").lower().split() or fits is not None
                                    and _body_kind(res.reg, answer[0] or "", answer[1] or "") in fits))  # fmt: skip
            f[30] = float(person and noun in _SPEAKER_NOUNS)
            f[31] = float(person and noun in _DESCRIPTIONS)
            f[32] = float(noun in _DOCUMENTS and k == doc_issuer)
            f[33] = float(kind == "anonymous" and _ANON_NOUNS.get(noun) is not None and answer[1] == f"unnamed {_ANON_NOUNS[noun]}")
        elif mention == "cont":
            f[34] = float(k == last_speaker)
        if is_rule:
            f[35 if mention in ("he", "she", "it", "they") else 36 if noun is not None else 37] = 1.0
        d.answers.append(answer)
        d.features.append(f)
        if is_rule:
            d.rule = len(d.answers) - 1
    d.chosen = d.rule
    return d


def _first_keys(res: _Resolver, offset: int) -> set[str]:
    """The entities named in the article's first paragraph (kept once the mention is past it)."""
    end = res.paras[1] if len(res.paras) > 1 else 1 << 60
    keys = set()
    for off, kind, aid, _, name in res.events:
        if off >= end:
            break
        if kind in _ENTITY_KINDS:
            keys.add(_key(aid, name))
    if offset >= end:
        res.first_keys = keys
    return keys


def _para_index(paras: list[int], offset: int) -> int:
    return bisect_right(paras, offset) - 1


def decide(res: _Resolver, offset: int, mention: str, rule: tuple[str | None, str | None, str | None, str]) -> tuple[str | None, str | None, str | None, str]:
    """The answer for a mention of type *mention* whose rules' answer is *rule*: the ranker's best candidate when it
    is on (the rules' answer when it is off or no other candidate exists)."""
    w = res.ranker
    record = _RECORD[0]
    if w is None and not record:
        return rule
    d = candidates(res, offset, mention, rule)
    if w is not None and len(d.answers) > 1:
        scores = np.array(d.features) @ w
        best = scores.max()
        d.chosen = d.rule if scores[d.rule] == best else int(np.argmax(scores))  # a tie keeps the rules' answer
    if record:
        res.decisions.append(d)
    got = d.answers[d.chosen]
    return (got[0], got[1], got[2], rule[3]) if d.chosen != d.rule else rule


def speaker(stoks: list[Any], offset: int, res: _Resolver, reg: Any) -> tuple[str | None, str | None, str | None, str]:
    """``speakers._resolve``, then, for a pronoun or a definite description the rules answered from the discourse,
    the ranker's choice among earlier entities."""
    got = _resolve(stoks, offset, res, reg)
    if not stoks or got[3] in ("registry", "name", "none") or res.ranker is None and not _RECORD[0]:
        return got
    mention = mention_type(stoks, got[3])
    return decide(res, offset, mention, got) if mention is not None else got


__all__ = ["FEATURES", "Decision", "candidates", "decide", "mention_type", "recording", "speaker", "weights"]
