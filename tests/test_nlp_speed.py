"""Extraction speed-ups must not change what extraction finds.

Parsing only candidate sentences (``nlp/parse.py``) is compared with the full
parse on our own gold articles and the seeds; extraction in worker processes
(``--workers``) is compared with the single-process path through ``ingest``.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest

from polarwatch.config import Settings, load_settings
from polarwatch.ingest import read_paths
from polarwatch.nlp import analyse_batch, parse
from polarwatch.nlp.quotes import cue_lemmas
from polarwatch.pipeline import ingest, reprocess, to_article
from polarwatch.records import Article, RawDoc
from polarwatch.store import open_store

from conftest import SHARED

GOLD = Path(__file__).resolve().parent / "gold" / "quotes"


def _articles(folder: Path) -> list[Article]:
    out = []
    for item in read_paths([str(folder)], Settings()):
        if isinstance(item, RawDoc) and isinstance(art := to_article(item), Article):
            out.append(art)
    return out


def _corpus() -> list[Article]:
    arts = _articles(GOLD)
    if (SHARED / "seeds").is_dir():
        arts += _articles(SHARED / "seeds")
    assert len(arts) >= 30
    return arts


def _result(an) -> dict:
    return {
        "mentions": [asdict(m) for m in an.mentions],
        "quotes": [asdict(q) for q in an.quotes],
        "persons": {k: asdict(p) for k, p in an.persons.items()},
        "events": [asdict(e) for e in an.events],
    }


def test_filtered_parse_finds_what_the_full_parse_finds():
    arts = _corpus()
    paras = [a.paragraphs for a in arts]
    full = analyse_batch(paras, full_parse=True)
    filtered = analyse_batch(paras, full_parse=False)
    assert sum(len(a.quotes) for a in full) > 100
    assert sum(len(a.events) for a in full) > 20
    for art, f, g in zip(arts, full, filtered):
        assert _result(g) == _result(f), art.sources[0]


def test_filter_parses_only_sentences_with_speech_people_or_events():
    text = ("The icebreaker left Murmansk on Monday with two tankers. Ice was thin for the season. "
            "Peskov said the route would stay open all winter. Norway deployed two frigates to the Barents Sea.")  # fmt: skip
    doc = parse.annotate([text], full=False)[0]
    sents = list(doc.sents)
    assert len(sents) == 4
    assert [s.root.dep_ for s in sents[:2]] == ["ROOT", "ROOT"]
    assert all(t.dep_ == "dep" and t.head == sents[0][0] for t in sents[0][1:])  # flat: not parsed
    assert sents[0][0].lemma_ == ""
    said = next(t for t in sents[2] if t.text == "said")
    assert said.lemma_ == "say" and said.pos_ == "VERB"
    assert [c.text for c in said.children if c.dep_ == "nsubj"] == ["Peskov"]
    # an event trigger with no person named: the event coder reads its subject and object
    deployed = next(t for t in sents[3] if t.text == "deployed")
    assert deployed.pos_ == "VERB" and [c.text for c in deployed.children if c.dep_ == "nsubj"] == ["Norway"]
    # NER still covers the unparsed sentence
    assert "Murmansk" in [e.text for e in doc.ents]
    # "sign" is a trigger only with a word such as "deal" near it
    assert parse.annotate(["Ice was thin. The crew signed the logbook at dawn."], full=False)[0][-2].tag_ == ""
    assert parse.annotate(["Ice was thin. Oslo and Moscow signed a deal at dawn."], full=False)[0][-2].tag_ != ""


def test_cue_forms_cover_every_cue_lemma_the_model_produces():
    verbs, nouns = parse.cue_words()
    assert set(cue_lemmas()[0]) <= verbs and {"say", "criticize"} <= verbs
    forms = parse.cue_forms()
    assert {"said", "says", "told", "wrote", "according", "warned", "denies", "replying", "criticized"} <= forms
    docs = parse.annotate([p for a in _corpus() for p in a.paragraphs], full=True)
    seen = 0
    for doc in docs:
        for t in doc:
            if (t.pos_ in ("VERB", "AUX") and t.lemma_ in verbs) or (t.pos_ == "NOUN" and t.lemma_ in nouns):
                seen += 1
                assert t.lower_ in forms, (t.text, t.lemma_, t.pos_)
    assert seen > 200


def test_workers_store_the_same_as_one_process(tmp_path: Path):
    stores = {}
    for n in (1, 2):
        store = open_store(str(tmp_path / f"w{n}.db"))
        try:
            rep = ingest([GOLD], store, Settings(db=str(tmp_path / f"w{n}.db"), batch_size=7, workers=n))
            assert rep.new >= 30
            stores[n] = {aid: ([asdict(q) for q in store.get_quotes(aid)], [asdict(m) for m in store.get_mentions(aid)])
                         for aid in rep.new_ids}  # fmt: skip
            if n == 2:
                assert reprocess(store, batch_size=5, force=True, workers=2) == rep.new
                again = {aid: ([asdict(q) for q in store.get_quotes(aid)], [asdict(m) for m in store.get_mentions(aid)])
                         for aid in rep.new_ids}  # fmt: skip
                assert again == stores[2]
        finally:
            store.close()
    assert sum(len(q) for q, _ in stores[1].values()) > 100
    assert stores[2] == stores[1]


def test_workers_setting(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("POLARWATCH_WORKERS", raising=False)
    assert load_settings().workers == 1
    monkeypatch.setenv("POLARWATCH_WORKERS", "2")
    assert load_settings().workers == 2
    assert load_settings(workers=3).workers == 3
    monkeypatch.setenv("POLARWATCH_WORKERS", "two")
    with pytest.raises(ValueError, match="POLARWATCH_WORKERS"):
        load_settings()
    monkeypatch.setenv("POLARWATCH_WORKERS", "0")
    with pytest.raises(ValueError, match="at least 1"):
        load_settings()


def test_parse_filter_is_opt_in(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("POLARWATCH_PARSE_FILTER", raising=False)
    text = "Ice was thin for the season. Peskov said the route would stay open."
    assert parse.annotate([text])[0][0].tag_ == "NN"  # by default every sentence is tagged and parsed
    monkeypatch.setenv("POLARWATCH_PARSE_FILTER", "1")
    first = parse.annotate([text])[0][0]
    assert first.tag_ == "" and first.dep_ == "ROOT"


def test_numpy_blas_and_fast_ruler_give_the_models_own_annotations():
    """model.py's numpy BLAS, ruler.py's attribute ruler and lemmas.py's cached lemmatizer change speed
    only: the shipped pipeline (thinc's blis, spaCy's AttributeRuler and Lemmatizer) tags, lemmatises,
    parses and finds entities exactly the same."""
    from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, LEMMA, MORPH, POS, TAG

    from polarwatch.nlp.model import load_model

    texts = [p for a in _corpus() for p in a.paragraphs]
    shipped = list(load_model().pipe(texts))
    ours = parse.annotate(texts, full=True)
    attrs = [TAG, POS, MORPH, LEMMA, DEP, HEAD, ENT_IOB, ENT_TYPE]
    assert sum(len(d) for d in ours) > 10_000
    for text, a, b in zip(texts, shipped, ours):
        assert (a.to_array(attrs) == b.to_array(attrs)).all(), text[:80]
        assert [str(t.morph) for t in a] == [str(t.morph) for t in b]


def _same_spans(old, new, texts: list[str]) -> int:
    """Matches of two patterns over *texts*, asserted equal (start, end, group 1); their number."""
    found = 0
    for text in texts:
        a = [(m.start(), m.end(), m.group(1)) for m in old.finditer(text)]
        assert a == [(m.start(), m.end(), m.group(1)) for m in new.finditer(text)], text[:80]
        found += len(a)
    return found


def _competing(forms: list[str]) -> str:
    """Text built to make forms compete: a form that is the prefix of another, possessives, "the", a form glued
    to a longer word or followed by a dot or a hyphen."""
    return " ".join(f"{f} {f}’s the {f}, {f}x ({f}.{f}- The {f}" for f in forms)


def test_registry_pattern_factored_by_prefix_matches_as_the_flat_alternation():
    """actors.py's registry regex is a prefix trie; a flat alternation of the same forms, longest first,
    finds the same spans in our gold texts and in text built to make forms compete."""
    import re

    from polarwatch.nlp.actors import registry, trie_alternation

    reg = registry()
    flat = "|".join(re.escape(f) for f in sorted(reg.forms, key=len, reverse=True))
    tail = r"(?=['’]s\b|[^\w]|$)"
    old = re.compile(rf"(?<![\w.])(?:[Tt]he\s+)?({flat}){tail}")
    assert reg._rx.pattern == rf"(?<![\w.])(?:[Tt]he\s+)?({trie_alternation(reg.forms)}){tail}"
    texts = ["\n".join(a.paragraphs) for a in _corpus()] + [_competing(sorted(reg.forms))]
    found = _same_spans(old, reg._rx, texts)
    assert found > 3 * len(reg.forms), found
    # the trie itself, on forms that are prefixes of one another
    rx = re.compile(rf"\b({trie_alternation(['Sea', 'Sea of Japan', 'Sea of Okhotsk', 'Se'])})\b")
    assert [m.group(1) for m in rx.finditer("Sea of Okhotsk, Sea of Japanese, Se, Sea of Japan")] == ["Sea of Okhotsk", "Sea", "Se", "Sea of Japan"]


def test_event_and_outlet_patterns_factored_by_prefix_match_as_the_flat_alternation():
    """The event coder's world table (countries, capitals, demonyms) and its groups, and the outlet names
    entity linking looks for, are matched with prefix-factored patterns too: the same spans as flat
    alternations, longest form first."""
    import re

    from polarwatch.events.lexicon import groups, world
    from polarwatch.nlp.entities import _outlet_pattern

    gold_events = Path(__file__).resolve().parent / "gold" / "events"
    texts = ["\n".join(a.paragraphs) for a in _corpus() + _articles(gold_events)]
    outlets_rx, outlet_forms = _outlet_pattern()
    for forms, rx, head, tail in (
        (world()[2], world()[1], r"(?<![\w.])(?:the\s+)?", r"(?![\w])"),
        (groups()[0], groups()[1], r"(?<![\w.])(?:the\s+)?", r"(?![\w])"),
        (outlet_forms, outlets_rx, r"(?<![\w.-])(?:[Tt]he\s+)?", r"(?=['’]s\b|[^\w-]|$)"),
    ):
        flat = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
        assert rx.pattern.startswith(head) and rx.pattern.endswith(tail)
        old = re.compile(rf"{head}({flat}){tail}")
        assert _same_spans(old, rx, texts + [_competing(sorted(forms))]) > 3 * len(forms)


def _fresh_model():
    from polarwatch.nlp import model as m

    nlp = m.load_model()
    m.use_numpy_blas(nlp)
    return nlp


def test_first_layer_folded_in_the_three_tok2vec_networks():
    from polarwatch.nlp import model as m

    # the shared tok2vec, NER's and the senter's: 0 would mean thinc or the model renamed the layers
    assert m.fold_embeddings(_fresh_model()) == 3


def test_a_fold_the_probe_disagrees_with_is_undone_and_logged(monkeypatch, caplog):
    import numpy

    from polarwatch.nlp import model as m

    text = "Norway's foreign minister said on Monday that Russia would send two ships to Svalbard."
    plain = _fresh_model()
    want = [(t.tag_, t.dep_, t.head.i, t.ent_type_) for t in plain(text)]
    real = m._products
    monkeypatch.setattr(m, "_products", lambda embeds, Wp: [P + numpy.float32(0.5) for P in real(embeds, Wp)])
    nlp = _fresh_model()
    with caplog.at_level("WARNING", logger=m.__name__):
        assert m.fold_embeddings(nlp) == 0
    assert sum("left unfolded" in r.getMessage() for r in caplog.records) == 3
    assert [(t.tag_, t.dep_, t.head.i, t.ent_type_) for t in nlp(text)] == want


def test_the_fast_lemmatizer_leaves_the_model_serialisable():
    from polarwatch.nlp import model as m
    from polarwatch.nlp.lemmas import FastLemmatizer

    shipped = m.load_model().get_pipe("lemmatizer")
    before = shipped.to_bytes()
    FastLemmatizer(shipped)
    assert shipped.to_bytes() == before
    index = shipped.lookups.get_table("lemma_index")
    forms = index.get("noun")
    assert "ship" in forms and "shipx" not in forms


def test_the_collector_is_on_again_after_a_batch_that_raised():
    import gc

    from polarwatch.nlp.model import collector_paused

    assert gc.isenabled()
    with pytest.raises(ValueError):
        with collector_paused():
            assert not gc.isenabled()
            raise ValueError("a batch failed")
    assert gc.isenabled()


def test_extraction_left_alone_neither_pauses_nor_freezes_the_collector(monkeypatch):
    import gc

    from polarwatch.nlp import model as m

    seen = []
    monkeypatch.setattr(gc, "freeze", lambda: seen.append("freeze"))
    with m.collector_left_alone():
        with m.collector_paused():
            seen.append(gc.isenabled())
        m._settle()
    assert seen == [True]
    with m.collector_paused():
        seen.append(gc.isenabled())
    m._settle()
    assert seen == [True, False, "freeze"]


def _first_layers(nlp):
    """(branch of hash embeddings, the maxout after it) of the shared tok2vec."""
    from polarwatch.nlp import model as m

    for node in nlp.get_pipe("tok2vec").model.walk():
        kids = getattr(node, "layers", [])
        for a, b in zip(kids, kids[1:]):
            if m._embedding_branches(a) is not None and m._first_maxout(b) is not None:
                return a, m._first_maxout(b)
    raise AssertionError("no first layer found")


def test_the_folded_layer_follows_replaced_embeddings_and_copies_keep_their_own_weights():
    import numpy

    from polarwatch.nlp import model as m

    plain, folded = _fresh_model(), _fresh_model()
    assert m.fold_embeddings(folded) == 3
    (pa, pm), (fa, fm) = _first_layers(plain), _first_layers(folded)
    probe = m._probe_ids(m._embedding_branches(fa))
    fm.predict(fa.predict(probe))  # the tables are made for the shipped weights
    for branch in (pa, fa):
        emb = branch.layers[0].layers[2].layers[1]
        emb.set_param("E", emb.get_param("E") * numpy.float32(1.5))
    want = pm.predict(pa.predict(probe))
    assert numpy.allclose(fm.predict(fa.predict(probe)), want, rtol=1e-4, atol=1e-5)
    twin = fa.copy(), fm.copy()  # new ids, the same weights: thinc's own layers
    twin[0].layers[0].layers[0].layers[1].set_param("E", numpy.zeros_like(twin[0].layers[0].layers[0].layers[1].get_param("E")))
    assert numpy.allclose(fm.predict(fa.predict(probe)), want, rtol=1e-4, atol=1e-5)
    assert not numpy.allclose(twin[1].predict(twin[0].predict(probe)), want, rtol=1e-4, atol=1e-5)


def test_the_fast_maxout_and_layer_norm_give_thincs_values_bit_for_bit():
    import numpy
    from thinc.layers import layernorm, maxout

    nlp = _fresh_model()
    rng = numpy.random.default_rng(7)
    checked = {"maxout": 0, "layernorm": 0}
    thincs = {"maxout": maxout.forward, "layernorm": layernorm.forward}
    for _, proc in nlp.components:
        for node in getattr(getattr(proc, "model", None), "walk", lambda: [])():
            if node.name in checked and node.attrs.get("pw_fast"):
                for n in (1, 7, 300):
                    X = rng.standard_normal((n, node.get_dim("nI")), dtype=numpy.float32)
                    assert numpy.array_equal(node._func(node, X.copy(), False)[0], thincs[node.name](node, X.copy(), False)[0])
                checked[node.name] += 1
    assert checked["maxout"] >= 6 and checked["layernorm"] >= 6, checked


def test_the_ruler_token_by_token_writes_what_the_arrays_write():
    from polarwatch.nlp import model as m
    from polarwatch.nlp.ruler import FastAttributeRuler

    texts = [a.paragraphs[0] for a in _articles(GOLD)[:40]]
    nlp = m.load_model()
    before = [nlp.get_pipe("tagger")(nlp.get_pipe("tok2vec")(nlp.make_doc(t))) for t in texts]
    arrays, by_token = FastAttributeRuler(nlp.get_pipe("attribute_ruler")), FastAttributeRuler(nlp.get_pipe("attribute_ruler"))
    by_token._written = None  # as when an attribute cannot go through the arrays
    a = [arrays(d.copy()) for d in before]
    b = [by_token(d.copy()) for d in before]
    shipped = [nlp.get_pipe("attribute_ruler")(d.copy()) for d in before]
    key = lambda docs: [[(t.pos_, str(t.morph), t.lemma_) for t in d] for d in docs]  # noqa: E731
    assert key(a) == key(b) == key(shipped)
    assert sum(1 for d in b for t in d if t.pos_) > 500 and sum(1 for d in b for t in d if t.lemma_) > 20


def test_the_apis_write_path_neither_pauses_nor_freezes_the_collector(tmp_path, monkeypatch):
    import gc

    from fastapi.testclient import TestClient

    from polarwatch import nlp
    from polarwatch.api import create_app

    db = str(tmp_path / "api.db")
    open_store(db).close()
    seen = []
    real = nlp.analyse_batch
    monkeypatch.setattr(gc, "freeze", lambda: seen.append("freeze"))
    monkeypatch.setattr(nlp, "analyse_batch", lambda *a, **k: (seen.append(gc.isenabled()), real(*a, **k))[1])
    from polarwatch.nlp import model as m

    m.nlp.cache_clear()  # the first load in this process happens in the request
    rec = {"articles": [{"title": "Patrol", "text": "Norway's coast guard said on Monday it began a patrol near Svalbard.",
                         "url": "https://nrk.no/test/gc", "published": "2025-04-01"}], "analyse": True}  # fmt: skip
    r = TestClient(create_app(db, token="t")).post("/api/articles", json=rec, headers={"Authorization": "Bearer t"})
    assert r.status_code == 201 and r.json()["new"] == 1
    assert seen == [True]


def test_the_parsers_c_blas_table_adds_with_openblas_exactly():
    """nlp/cblas.py: the CBlas table the parser and ``gather_add`` are given points its saxpy at OpenBLAS, and
    sums rows exactly as numpy does, in the same order."""
    import ctypes

    import blis.cy
    import numpy as np

    from polarwatch.nlp import cblas

    tab = cblas.table()
    assert tab is not None, "scipy's OpenBLAS is a dependency: the table should be patched"
    slots = (ctypes.c_void_p * 3).from_address(ctypes.c_void_p.from_address(id(tab) + type(tab).__basicsize__ - 16).value)
    assert slots[1] != cblas._capsule(blis.cy, "saxpy") and slots[2] == cblas._capsule(blis.cy, "sgemm")
    assert cblas.probe(tab)
    rng = np.random.default_rng(3)
    rows = rng.standard_normal((30, 96)).astype(np.float32)
    idx = rng.integers(0, 30, size=(25, 3)).astype(np.int32)
    got = cblas.FastOps(use_blis=False).gather_add(rows, idx)
    assert np.array_equal(got, rows[idx[:, 0]] + rows[idx[:, 1]] + rows[idx[:, 2]])


def test_blis_leaves_its_generic_kernels_only_for_ones_that_match_numpy():
    import blis.py
    import numpy as np

    from polarwatch.nlp import cblas

    import ctypes

    import blis.cy

    kernels = cblas.blis_kernels()
    lib = ctypes.CDLL(blis.cy.__file__)
    lib.bli_arch_query_id.restype, lib.bli_arch_string.restype = ctypes.c_int, ctypes.c_char_p
    in_use = lib.bli_arch_string(lib.bli_arch_query_id()).decode()
    assert kernels == in_use or kernels.startswith(f"{in_use} ("), (kernels, in_use)  # what it says is what blis runs
    if kernels != "haswell":
        pytest.skip(f"blis keeps its own choice here: {kernels}")
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal((129, 64)).astype(np.float32), rng.standard_normal((77, 64)).astype(np.float32)
    assert np.allclose(blis.py.gemm(a, b, trans2=True), a.astype(np.float64) @ b.T.astype(np.float64), rtol=1e-4, atol=1e-3)


def test_the_shipped_blis_in_a_fresh_process_annotates_as_the_fast_path():
    """With ``POLARWATCH_BLIS=1`` nothing of thinc or blis is changed (their generic kernels, thinc's ops); a
    fresh process annotating so must agree with this one (numpy's BLAS, the patched C table, blis's haswell
    kernels where they apply) on every tag, lemma, arc and entity of our gold and the seeds."""
    import json
    import os
    import subprocess
    import sys

    from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, LEMMA, TAG

    texts = [p for a in _corpus() for p in a.paragraphs]
    attrs = [TAG, LEMMA, DEP, HEAD, ENT_IOB, ENT_TYPE]
    code = (
        "import json, sys\n"
        "from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, LEMMA, TAG\n"
        "from polarwatch.nlp.model import nlp\n"
        "texts = json.load(sys.stdin)\n"
        "print(json.dumps([d.to_array([TAG, LEMMA, DEP, HEAD, ENT_IOB, ENT_TYPE]).tolist() for d in nlp().pipe(texts)]))\n"
    )
    env = {**os.environ, "POLARWATCH_BLIS": "1"}
    out = subprocess.run([sys.executable, "-c", code], input=json.dumps(texts), capture_output=True, text=True, env=env, check=True)
    shipped = json.loads(out.stdout)
    ours = parse.annotate(texts, full=True)
    assert sum(len(d) for d in ours) > 10_000
    for text, a, b in zip(texts, shipped, ours):
        assert a == b.to_array(attrs).tolist(), text[:80]


def test_what_is_left_after_whole_chunks_is_shared_among_the_workers():
    from polarwatch.nlp.pool import chunk_sizes

    assert chunk_sizes(24, 24, 2) == [24]
    assert chunk_sizes(8, 24, 2) == [4, 4]
    assert chunk_sizes(50, 24, 2) == [24, 24, 1, 1]
    assert chunk_sizes(200, 24, 2) == [24] * 8 + [4, 4]
    assert chunk_sizes(7, 24, 3) == [3, 2, 2]
    assert chunk_sizes(1, 24, 2) == [1]
    assert chunk_sizes(0, 24, 2) == []
    for n in range(0, 120):
        assert sum(chunk_sizes(n, 24, 2)) == n


def test_with_workers_ingest_hands_over_each_chunk_as_soon_as_it_is_read(tmp_path: Path, monkeypatch):
    """The workers get articles one chunk at a time from the start of the input, not after a whole batch."""
    from polarwatch.pipeline import Extractor

    seen: list[int] = []

    class Pool:
        chunk, workers, pending = 5, 2, 0

        def submit(self, keys, paragraph_lists, titles=None):  # noqa: ANN001
            seen.append(len(keys))

        def finish_one(self) -> None: ...

        def close(self) -> None: ...

    store = open_store(str(tmp_path / "c.db"))
    try:
        ex = Extractor(store, 1)
        ex.pool = Pool()
        rep = ingest([GOLD], store, Settings(db=str(tmp_path / "c.db"), batch_size=200), extractor=ex)
    finally:
        store.close()
    assert rep.new >= 30 and sum(seen) == rep.new
    assert all(n == 5 for n in seen[:-1]) and 0 < seen[-1] <= 5


class _QueuePool:
    """A pool of two workers done at once: each chunk's analysis is made in this process, in order, and handed to
    ``on_done`` when the caller waits for it, or when a chunk is submitted with *max_pending* queued (as
    ``ExtractPool`` does)."""

    chunk, workers, max_pending = 3, 2, 3

    def __init__(self, on_done) -> None:  # noqa: ANN001
        self.on_done, self.queue, self.keys = on_done, [], []

    @property
    def pending(self) -> int:
        return len(self.queue)

    def submit(self, keys, paragraph_lists, titles=None):  # noqa: ANN001
        while len(self.queue) >= self.max_pending:
            self.finish_one()
        self.keys += keys
        self.queue.append((list(keys), analyse_batch(list(paragraph_lists), titles=titles)))

    def finish_one(self) -> None:
        self.on_done(*self.queue.pop(0))

    def close(self) -> None: ...


def test_with_workers_analyses_are_stored_a_batch_at_a_time_and_two_chunks_at_a_time_at_the_end(tmp_path: Path, monkeypatch):
    """Finished chunks are kept and stored *store_batch* articles at a time (storing costs the main process a fixed
    part per call); once nothing more is read, two chunks at a time while the rest run, and what is left at the end."""
    import polarwatch.pipeline as pl
    from polarwatch.nlp import VERSION

    calls: list[int] = []
    real = pl._store_analyses
    monkeypatch.setattr(pl, "_store_analyses", lambda store, ids, analyses: (calls.append(len(ids)), real(store, ids, analyses)))
    store = open_store(str(tmp_path / "b.db"))
    try:
        ex = pl.Extractor(store, 1, store_batch=10)
        ex.pool = _QueuePool(ex._put)
        arts = _corpus()[:20]
        for i in range(0, 20, 3):  # chunks of 3 (six) and 2; the 4th to 7th submissions each finish the oldest chunk
            ex.add(arts[i : i + 3])
        assert calls == [12] and sum(ex.in_flight.values()) == 8  # four chunks kept, then stored together
        ex.wait()
        assert calls == [12, 6, 2] and not ex.in_flight  # chunks 5 and 6 while 7 runs, then 7
        calls.clear()
        for i in range(0, 11, 3):  # 3, 3, 3, 2: chunk 1 finishes when chunk 4 is submitted
            ex.add(arts[i : min(i + 3, 11)])
        ex.wait()
        assert calls == [6, 3, 2]  # chunks 1-2 (two at a time), chunk 3 alone while the last one runs, then it
        assert not store.unanalysed_among([a.id for a in arts], VERSION)
    finally:
        store.close()


def test_with_workers_an_article_read_twice_is_analysed_once(tmp_path: Path):
    """The same article twice in one input: its second copy, in a later chunk, is a duplicate whose analysis is
    not stored yet (it is with the workers); it is not handed to them again."""
    import shutil

    from polarwatch.pipeline import Extractor

    src = tmp_path / "in"
    src.mkdir()
    files = sorted(GOLD.glob("*.txt"))[:8]
    for f in files:
        shutil.copy(f, src / f.name)
    shutil.copy(files[0], src / "zz_copy.txt")  # read last, chunks after the original
    store = open_store(str(tmp_path / "d.db"))
    try:
        ex = Extractor(store, 1, store_batch=100)
        ex.pool = _QueuePool(ex._put)
        rep = ingest([src], store, Settings(db=str(tmp_path / "d.db"), batch_size=200), extractor=ex)
        assert rep.new == 8 and rep.duplicate == 1
        assert len(ex.pool.keys) == 8 == len(set(ex.pool.keys))
        assert all(store.get_quotes(aid) is not None for aid in rep.new_ids)
        from polarwatch.nlp import VERSION

        assert not store.unanalysed_among(rep.new_ids, VERSION)
    finally:
        store.close()


def test_the_document_nouns_factored_by_prefix_match_as_the_flat_case_blind_alternation():
    """speakers._DOCUMENT_RX is compiled from a prefix-factored alternation under IGNORECASE; its words are distinct
    and in lower case, so it finds what the flat alternation, longest word first, found."""
    import re

    from polarwatch.nlp.speakers import _DOCUMENT_RX, _DOCUMENTS

    flat = re.compile(r"(?<![\w-])(?:" + "|".join(sorted(_DOCUMENTS, key=len, reverse=True)) + r")(?![\w-])", re.IGNORECASE)
    words = sorted(_DOCUMENTS)
    mixed = " ".join(f"{w} {w.upper()} {w.title()} {w}s {w}-x the {w}. ({w.upper()}ING, {w}" for w in words)
    texts = ["\n".join(a.paragraphs) for a in _corpus()] + [mixed]
    found = 0
    for text in texts:
        spans = [m.span() for m in flat.finditer(text)]
        assert spans == [m.span() for m in _DOCUMENT_RX.finditer(text)], text[:80]
        found += len(spans)
    assert found > 4 * len(words)
