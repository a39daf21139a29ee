"""Annotate paragraphs for the extraction rules: the model's components in order, faster.

By default every paragraph goes through every component, as ``nlp.pipe``
does, except that the attribute ruler is ``ruler.FastAttributeRuler`` (same
result, a fraction of the matching) and the model runs on numpy's BLAS with
a prediction-only maxout (``model.py``): the same annotations as the shipped
pipeline, token for token. Optionally (the filter below), only the sentences
that a rule reads the parse of are parsed.

Besides NER, the small English pipeline spends its time in the shared
``tok2vec`` (which only the tagger and parser use), the parser and the
rule-based attribute ruler and lemmatizer. The rules read tags, lemmas and
the dependency tree in sentences that carry speech (``quotes.py``), that
hold an event trigger (``events/rules.py``: subject, object, negation,
modality) or that name a person or organisation (``quotes.py`` and
``entities.py``: a role from the name's noun phrase, whether it is a
subject, "X of <institution>"). So, with the filter:

1. every paragraph is tokenised and goes through NER (it has its own
   ``tok2vec``) and the small ``senter``: entities cover all text;
2. a sentence (the senter's, rejoined where it split after a word such as
   "Lt.") is a *candidate* when it holds a quotation mark, a word form whose
   lemma is a cue of ``data/cues.csv`` or ``data/cue_nouns.csv``
   ("according" too), an event trigger of ``data/event_triggers.csv`` that
   matches with its gaps and context words, a PERSON or ORG entity or a
   registry person; the data files are read when the filter first runs, so
   cues added there count;
3. each run of consecutive candidate sentences is parsed as a document of
   its own (``tok2vec``, tagger, parser, attribute ruler, lemmatizer, in the
   model's order) and its tags, lemmas, morphology, dependencies and heads
   are written back into the paragraph's document;
4. every other sentence gets a flat tree (its first token the root, the rest
   attached to it with ``dep``) and no tags or lemmas, so ``doc.sents`` still
   yields it and no rule finds a cue, subject or role in it.

Why it is off by default (``POLARWATCH_PARSE_FILTER=1`` or ``full=False``
turns it on): in news, those sentences hold about 85 % of the tokens
(speech alone 61 %, with event triggers 69 %), and parsing the rest costs
about what the senter, the candidate search and the re-assembly cost, so it
saves nothing measurable; each narrower set loses quality (docs/benchmarks.md
has the figures). It is also not exact: a run parsed without its neighbours
can come out slightly differently from the same words parsed inside the
whole paragraph. ``tests/test_nlp_speed.py`` holds it to identical output on
our gold set and the seeds. A rule that reads the parse outside these
sentences needs its trigger added to ``_candidate_runs``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

PARSE_PIPES = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer")
_QUOTE_CHARS = ("\"", "“", "”", "''", "``")
# Entities whose sentence the rules read the parse of (roles, subjects, "X of <institution>").
_NAME_LABELS = frozenset({"PERSON", "ORG"})


def filter_default() -> bool:
    """True when ``POLARWATCH_PARSE_FILTER`` asks to parse candidate sentences only."""
    return os.environ.get("POLARWATCH_PARSE_FILTER", "").strip().lower() in ("1", "true", "yes", "on")


def cue_words() -> tuple[frozenset[str], frozenset[str]]:
    """(verb lemmas, noun lemmas) of every cue the quote rules read, from the data files as they are now: the
    verbs of speech, belief, intent and request and the verbs that report their object
    (``data/cues.csv``), and the nouns that report a clause (``data/cue_nouns.csv``)."""
    from . import quotes

    verbs = set(quotes.cue_lemmas()[0]) | set(quotes.speech_lemmas()) | set(quotes.infinitive_lemmas())
    verbs |= set(quotes.object_lemmas())
    nouns = set(quotes.cue_nouns())
    return frozenset(verbs), frozenset(nouns)


@lru_cache(maxsize=1)
def cue_forms() -> frozenset[str]:
    """Lower-case word forms the model's rule lemmatizer can turn into a cue lemma (``cue_words``).

    The lemmatizer lower-cases a form, then tries its exception table and its
    suffix rules (a candidate lemma ``stem + new`` for a form ``stem + old``);
    inverting both over every cue lemma, with the verb tables for verbs and
    the noun tables for nouns, gives a superset of the forms whose lemma is
    a cue, which is all the filter needs (a spare form only costs a parse).
    """
    from .model import nlp

    verbs, nouns = cue_words()
    forms = set(verbs) | set(nouns) | {"according"}
    try:
        lookups = nlp().get_pipe("lemmatizer").lookups
        rules = lookups.get_table("lemma_rules", {})
        excs = lookups.get_table("lemma_exc", {})
    except (KeyError, AttributeError):
        rules, excs = {}, {}
    for pos, cues in (("verb", verbs), ("aux", verbs), ("noun", nouns)):
        for old, new in rules.get(pos, []):
            for lemma in cues:
                if lemma.endswith(new):
                    forms.add(lemma[: len(lemma) - len(new)] + old)
        for form, lemmas in excs.get(pos, {}).items():
            if any(lemma in cues for lemma in lemmas):
                forms.add(form)
    return frozenset(forms)


@lru_cache(maxsize=1)
def _cue_hashes() -> np.ndarray:
    from .model import nlp

    strings = nlp().vocab.strings
    return np.array(sorted(strings.add(f) for f in cue_forms()), dtype=np.uint64)


@lru_cache(maxsize=1)
def _person_registry() -> Any:
    """The registry's people alone: the same matching rules on a pattern a fifth the size."""
    from .actors import ActorRegistry, registry

    return ActorRegistry([a for a in registry().actors.values() if a.is_person], {})


def _attrs() -> list[int]:
    from spacy.attrs import DEP, HEAD, LEMMA, MORPH, POS, TAG

    return [TAG, POS, MORPH, LEMMA, DEP, HEAD]


def sentence_units(doc: Any) -> list[tuple[int, int]]:
    """The senter's sentences as token ranges, rejoined where a boundary follows a word rather than
    punctuation ("Lt. Gen. Marcus Hale": the small senter often ends a sentence at "Lt.")."""
    units: list[tuple[int, int]] = []
    for sent in doc.sents:
        s, e = sent.start, sent.end
        if units and not (doc[s - 1].is_punct or doc[s - 1].is_space):
            units[-1] = (units[-1][0], e)
        else:
            units.append((s, e))
    return units


@lru_cache(maxsize=1)
def _trigger_hashes() -> np.ndarray:
    """Hashes of the word forms an event trigger can start with (``events.lexicon``)."""
    from ..events.lexicon import lexicon
    from .model import nlp

    strings = nlp().vocab.strings
    return np.array(sorted(strings.add(f) for f in lexicon()), dtype=np.uint64)


def _trigger_tokens(doc: Any, lower: np.ndarray) -> np.ndarray:
    """Tokens where an event trigger of the lexicon matches (its words, gaps and context words), as the event
    coder matches them but without the part-of-speech test it makes on parsed sentences, and over the whole
    paragraph rather than one sentence: a superset of the triggers it can find in any sentence split."""
    from ..events.lexicon import lexicon
    from ..events.rules import _match_at

    hit = np.isin(lower, _trigger_hashes())
    if not hit.any():
        return hit
    lex = lexicon()
    toks = [t.lower_ for t in doc]
    words = set(toks)
    for i in np.flatnonzero(hit):
        hit[i] = any(_match_at(toks, i + 1, len(toks), trig.slots) is not None and (not trig.needs or trig.needs & words)
                     for trig in lex.get(toks[i], ()))  # fmt: skip
    return hit


def _candidate_runs(doc: Any, text: str, person_spans: list[tuple[int, int]]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(runs of consecutive candidate units, the other units) of *doc*, as token ranges [start, end)."""
    from spacy.attrs import LOWER

    if not len(doc):
        return [], []
    lower = doc.to_array([LOWER]).reshape(-1)
    marked = np.isin(lower, _cue_hashes()) | _trigger_tokens(doc, lower)
    spans = list(person_spans) + [(e.start_char, e.end_char) for e in doc.ents if e.label_ in _NAME_LABELS]
    runs: list[tuple[int, int]] = []
    flat: list[tuple[int, int]] = []
    for s, e in sentence_units(doc):
        cs = doc[s].idx
        ce = doc[e - 1].idx + len(doc[e - 1])
        chunk = text[cs:ce]
        hit = bool(marked[s:e].any()) or any(q in chunk for q in _QUOTE_CHARS) or any(a < ce and cs < b for a, b in spans)
        if not hit:
            flat.append((s, e))
        elif runs and runs[-1][1] == s:
            runs[-1] = (runs[-1][0], e)
        else:
            runs.append((s, e))
    return runs, flat


def annotate(texts: Sequence[str], batch_size: int = 64, full: bool | None = None) -> list[Any]:
    """spaCy docs for *texts*: the whole pipeline with *full* (the default unless ``POLARWATCH_PARSE_FILTER``
    is set), else entities everywhere and a parse where the rules need one."""
    from .model import nlp as load

    nlp = load()
    if full is None:
        full = not filter_default()
    if full:
        return list(_run(nlp, nlp.pipe_names, (nlp.make_doc(t) for t in texts), batch_size))
    from spacy.tokens import Doc

    people = _person_registry()
    docs = [nlp.make_doc(t) for t in texts]
    docs = list(nlp.get_pipe("senter").pipe(nlp.get_pipe("ner").pipe(docs, batch_size=batch_size), batch_size=batch_size))
    plans: list[tuple[list[tuple[int, int]], list[tuple[int, int]]]] = []
    subdocs: list[Any] = []
    for text, doc in zip(texts, docs):
        runs, flat = _candidate_runs(doc, text, [(m.start, m.end) for m in people.find(text)])
        plans.append((runs, flat))
        for s, e in runs:
            toks = doc[s:e]
            subdocs.append(Doc(nlp.vocab, words=[t.text for t in toks], spaces=[bool(t.whitespace_) for t in toks]))
    parsed_iter = iter(list(_run(nlp, PARSE_PIPES, subdocs, batch_size)))
    attrs = _attrs()
    for doc, (runs, flat) in zip(docs, plans):
        _write_back(doc, [(s, e, next(parsed_iter)) for s, e in runs], flat, attrs)
    return docs


@lru_cache(maxsize=4)
def _fast_ruler(nlp: Any) -> Any:
    from .ruler import FastAttributeRuler

    return FastAttributeRuler(nlp.get_pipe("attribute_ruler"))


@lru_cache(maxsize=4)
def _fast_lemmatizer(nlp: Any) -> Any:
    from .lemmas import FastLemmatizer

    return FastLemmatizer(nlp.get_pipe("lemmatizer"))


_FAST = {"attribute_ruler": _fast_ruler, "lemmatizer": _fast_lemmatizer}


def _run(nlp: Any, names: Iterable[str], docs: Iterable[Any], batch_size: int) -> Iterable[Any]:
    """*docs* through the named components in order, the attribute ruler and the lemmatizer replaced by
    their faster equals."""
    for name in names:
        proc = _FAST[name](nlp) if name in _FAST else nlp.get_pipe(name)
        docs = proc.pipe(docs, batch_size=batch_size)
    return docs


def _write_back(doc: Any, runs: list[tuple[int, int, Any]], flat: list[tuple[int, int]], attrs: list[int]) -> None:
    """Copy each parsed run into *doc*; give every unit in *flat* a flat tree."""
    if not len(doc):
        return
    root, dep = doc.vocab.strings.add("ROOT"), doc.vocab.strings.add("dep")
    arr = np.zeros((len(doc), len(attrs)), dtype=np.uint64)
    for s, e, sub in runs:
        arr[s:e] = sub.to_array(attrs)
    for s, e in flat:
        arr[s, 4], arr[s, 5] = root, 0
        arr[s + 1 : e, 4] = dep
        arr[s + 1 : e, 5] = (s - np.arange(s + 1, e, dtype=np.int64)).astype(np.uint64)
    doc.from_array(attrs, arr)
