"""Who did what to whom: actor-to-actor events coded per sentence (docs/events.md).

A stage over one article: ``code_events(paragraphs, docs, analysis)`` takes
the clean paragraphs, their spaCy docs and the article's ``Analysis``
(mentions and quotes from ``nlp.analyse``) and returns ``records.Event``s.
No model of its own, no state: rules over the existing parse.

1. triggers come from ``data/event_triggers.csv`` (a lemma or a phrase, the
   event type and mode, optional context words the sentence must hold);
   they match word forms, so a sentence the fast parser left flat is still
   seen;
2. actors are the article's mentions (registry actors, people with their
   countries), plus any country, capital or demonym of the world table
   ``data/event_countries.csv``; pronouns take the nearest fitting actor,
   and "we"/"our" inside a quotation the speaker's country;
3. source and target come from the dependency parse when the sentence has
   one (subject, object, "with/against/on X", a noun's possessor or
   modifier, passives), else from word order (the nearest actor group
   before the trigger, the first after it);
4. negated triggers, triggers in an if-clause or under could/might/may, and
   a trigger that is only the complement of another trigger ("threatened
   to attack": THREATEN, not ASSAULT) give no event; an event inside a
   quotation or reported clause is ``claimed_by`` its speaker; coordinated
   actors with no target make one symmetric event.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..nlp.parse import sentence_units as _units  # the parser's sentence units ("Lt. Gen. X" rejoined)
from ..records import Event
from .lexicon import _GAP, _SKIP_KINDS, Ref, Trigger, _mode, _paragraph_refs, lexicon, world

# Types whose coordinated subjects act on each other when no target is named ("Beijing and Moscow work together").
MUTUAL = frozenset({"AGREE", "CONSULT", "COOPERATE", "ASSAULT"})

_NEGATORS = {"not", "n't", "n’t", "never", "no", "without", "neither", "nor"}
_HEDGES = {"could", "might", "may"}
# Types whose place is their target when no one else is named (PLOVER codes a deployment or an attack "in Y" as aimed at Y).
_PLACE_TYPES = frozenset({"MOBILIZE", "ASSAULT", "COERCE"})
COOPERATIVE = frozenset({"AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "CONCEDE", "RETREAT"})
HOSTILE = frozenset({"SANCTION", "COERCE", "ASSAULT", "PROTEST"})
# Verbs whose infinitive complement is a plan, not a deed ("plans to deploy").
_INTENT_HEADS = {"plan", "intend", "decide", "prepare", "want", "aim", "go", "expect", "hope", "seek", "try", "vow", "swear"}
_INTENT_FORMS = {"plans", "planned", "planning", "intends", "intended", "decided", "decides", "prepared", "wants", "wanted", "aims", "going", "expects", "hopes", "seeks", "tried", "tries", "vowed", "sworn", "swore"}
_CONDITIONAL = {"if", "unless", "whether"}
_TARGET_PREPS = {"with", "against", "on", "to", "toward", "towards", "at", "into", "upon", "for", "from", "over", "in"}
_NOUN_TARGET_PREPS = {"with", "against", "on", "to", "toward", "towards", "into", "upon", "over", "for", "of", "from"}
_OWNER_DEPS = {"poss", "compound", "amod", "nmod"}
_CLAUSE_DEPS = {"relcl", "acl", "ccomp", "advcl", "xcomp", "csubj", "parataxis"}
# Prepositions through which a phrase with no actor of its own names one ("herders in Finnmark", "calls by Iceland").
_DEEP_PREPS = {"of", "in", "from", "by", "against", "on", "to", "with", "throughout", "across", "toward", "towards"}
_MODALS_BEFORE_BASE = {"to", "will", "would", "can", "could", "may", "might", "must", "should", "shall", "not", "n't", "did", "do", "does", "they", "we", "i", "you"}
_BOUNDARY = {";", ":", "that", "which", "who", "whom", "whose", "while", "after", "before", "when", "because", "since", "although", "though", "but", "as", "where", "if", "unless", "“", "”", '"'}
_FIRST_PERSON = {"we", "our", "us", "ours"}
_PRONOUNS = {"it": "org", "its": "org", "they": "group", "their": "group", "them": "group", "he": "person", "his": "person", "him": "person", "she": "person", "her": "person"}
# Nouns that stand for an earlier event ("this cooperation", "such work") and bring its participants.
_EVENT_NOUNS = {"cooperation", "co-operation", "work", "alignment", "partnership", "activities", "activity", "actions", "moves", "move", "collaboration", "ties", "relations", "presence", "exercises", "deployment", "buildup", "build-up"}


def _parsed(doc: Any, s: int, e: int) -> bool:
    """Whether the sentence has a real dependency parse (the fast parser leaves others flat)."""
    return any(doc[i].tag_ for i in range(s, min(e, s + 3)))


# --- the coder -------------------------------------------------------------------


@dataclass(slots=True)
class _Match:
    trig: Trigger
    first: int  # token indices into the doc, inclusive
    last: int
    head: int  # the token whose syntax places the arguments


def _match_at(toks: list[str], i: int, end: int, slots: tuple[tuple[str, ...], ...], k: int = 1) -> int | None:
    """Index of the last token when slots[k:] match from toks[i]; None otherwise."""
    if k == len(slots):
        return i - 1
    slot = slots[k]
    if slot == _GAP:
        for j in range(i, min(i + 5, end)):
            r = _match_at(toks, j, end, slots, k + 1)
            if r is not None:
                return r
        return None
    if i < end and toks[i] in slot:
        return _match_at(toks, i + 1, end, slots, k + 1)
    return None


def _find_triggers(doc: Any, s: int, e: int, parsed: bool, lowers: list[str] | None = None) -> list[_Match]:
    """The triggers of the sentence doc[s:e] (*lowers*: the lower-case forms of the whole doc, when at hand)."""
    lex = lexicon()
    toks = lowers[s:e] if lowers is not None else [t.lower_ for t in doc[s:e]]
    words = set(toks)
    found: list[_Match] = []
    for i, low in enumerate(toks):
        for trig in lex.get(low, ()):
            last = _match_at(toks, i + 1, len(toks), trig.slots)
            if last is None:
                continue
            if trig.needs and not (trig.needs & words):
                continue
            tok = doc[s + i]
            if parsed and not _pos_ok(tok, trig):
                continue
            if not parsed and trig.pos == "verb" and len(trig.slots) == 1 and low == trig.slots[0][0] and (i == 0 or toks[i - 1] not in _MODALS_BEFORE_BASE):
                continue  # a bare base form with no parse: too often a noun ("the back", "a ban")
            head = s + i
            if parsed and trig.pos in ("phrase", "noun") and tok.pos_ not in ("VERB", "AUX", "NOUN", "PROPN"):
                head = s + last  # "joint exercises": the noun at the end
            found.append(_Match(trig, s + i, s + last, head))
    # Longer and more specific patterns win over what they cover.
    found.sort(key=lambda m: (-m.trig.weight, m.first, m.trig.line))
    chosen: list[_Match] = []
    for m in found:
        if any(c.first <= m.last and m.first <= c.last for c in chosen):
            continue
        chosen.append(m)
    return sorted(chosen, key=lambda m: m.first)


def _pos_ok(tok: Any, trig: Trigger) -> bool:
    if not tok.pos_:
        return True
    if trig.pos == "verb":
        return tok.pos_ in ("VERB", "AUX") or (tok.pos_ == "ADJ" and tok.tag_ == "VBN")
    if trig.pos == "noun":
        return tok.pos_ in ("NOUN", "PROPN")
    if trig.pos == "adj":
        return tok.pos_ in ("ADJ", "VERB")
    if trig.pos == "modal":
        return tok.dep_ == "aux"
    return True


class _Article:
    """The article-level state the rules read: paragraphs, actors, quotes, events coded so far."""

    def __init__(self, paragraphs: list[str], docs: list[Any], analysis: Any) -> None:
        from ..nlp.actors import registry

        self.reg = registry()
        self.paragraphs = paragraphs
        self.docs = docs
        self.offsets = []
        pos = 0
        for p in paragraphs:
            self.offsets.append(pos)
            pos += len(p) + 2
        self.mentions = sorted(analysis.mentions, key=lambda m: m.start)
        self.quotes = list(analysis.quotes)
        self.refs: dict[int, list[Ref]] = {}
        self.events: list[Event] = []
        counts: Counter[str] = Counter(m.country for m in self.mentions if m.country and m.kind not in _SKIP_KINDS)
        self.salience = counts
        self.participants: list[tuple[str, str, list[Ref]]] = []  # (trigger word, type, actors) of coded events

    def refs_of(self, pi: int) -> list[Ref]:
        if pi not in self.refs:
            base = self.offsets[pi]
            end = base + len(self.paragraphs[pi])
            ms = [m for m in self.mentions if base <= m.start and m.end <= end]
            self.refs[pi] = _paragraph_refs(self.paragraphs[pi], base, ms, self.docs[pi])
        return self.refs[pi]

    def quote_at(self, offset: int) -> Any | None:
        best = None
        for q in self.quotes:
            if q.start <= offset < q.end and (best is None or q.end - q.start < best.end - best.start):
                best = q
        return best

    def in_speaker(self, offset: int) -> bool:
        return any(q.speaker_start is not None and q.speaker_end is not None and q.speaker_start <= offset < q.speaker_end for q in self.quotes)

    def earlier_refs(self, pi: int, before: int) -> list[Ref]:
        """Refs of this paragraph before *before* and of the previous one, nearest last."""
        prev = self.refs_of(pi - 1) if pi > 0 else []
        return prev + [r for r in self.refs_of(pi) if r.end <= before]


def code_events(paragraphs: list[str], docs: list[Any], analysis: Any) -> list[Event]:
    """The events of one article, in text order (offsets into ``"\\n\\n".join(paragraphs)``)."""
    art = _Article(paragraphs, docs, analysis)
    lex = lexicon()
    for pi, (para, doc) in enumerate(zip(paragraphs, docs)):
        lowers = [t.lower_ for t in doc]
        if not any(w in lex for w in lowers):
            continue
        for s, e in _units(doc):
            parsed = _parsed(doc, s, e)
            for m in _find_triggers(doc, s, e, parsed, lowers):
                art.events.extend(_code(art, pi, doc, s, e, m, parsed))
    return _dedupe(art.events)


def _dedupe(events: list[Event]) -> list[Event]:
    seen = set()
    out = []
    for ev in events:
        key = (ev.sentence_start, ev.type, ev.source_id, ev.target_id, ev.symmetric)
        rev = (ev.sentence_start, ev.type, ev.target_id, ev.source_id, True)
        if key in seen or (ev.symmetric and rev in seen):
            continue
        seen.add(key)
        out.append(ev)
    return out


def _code(art: _Article, pi: int, doc: Any, s: int, e: int, m: _Match, parsed: bool) -> list[Event]:
    trig = m.trig
    if trig.pos == "modal" or _embedded(art, doc, s, m, parsed):
        return _demand(art, pi, doc, s, e, m, parsed) if trig.pos == "modal" else []
    negated = _negated(doc, s, m, parsed)
    if trig.stance:
        if negated:
            return []
        typ, mode0 = trig.type, trig.mode
    else:
        is_verb = trig.pos == "verb" and (not parsed or doc[m.head].pos_ in ("VERB", "AUX"))
        recoded = _recode(trig, _status(doc, s, e, m, parsed), negated, is_verb)
        if recoded is None:
            return []
        typ, mode0 = recoded
    para, base = art.paragraphs[pi], art.offsets[pi]
    sent_start, sent_end = doc[s].idx, doc[e - 1].idx + len(doc[e - 1])
    if art.in_speaker(base + doc[m.first].idx):
        return []  # "rescue officials in Tromsø said": part of who speaks, not of what happened
    quote = art.quote_at(base + doc[m.first].idx)
    ctx = _Ctx(art, pi, doc, s, e, quote, [r for r in art.refs_of(pi) if sent_start <= r.start and r.end <= sent_end])
    if trig.stance:
        claimant = _claimant(ctx, m, parsed)
        if claimant is None:
            return []  # the writer's own judgement is not an event between actors
        sources = [claimant]
        targets = _stance_targets(ctx, m, parsed)
        if not targets:
            targets = _implicit_target(ctx, claimant)
    elif parsed:
        sources, targets = _args_parsed(ctx, m)
        if not sources or not targets:
            # a parse that found no argument on one side: take word order's guess for that side
            near_s, near_t = _args_surface(ctx, m)
            sources = sources or [r for r in near_s if r not in targets]
            targets = targets or [r for r in near_t if r not in sources]
    else:
        sources, targets = _args_surface(ctx, m)
    if typ in _PLACE_TYPES and all(t.id in {x.id for x in sources} for t in targets):
        targets = _place_after(ctx, m, sources)
    return _emit(ctx, m, typ, mode0, sources, targets, trig.stance)


def _place_after(ctx: _Ctx, m: _Match, sources: list[Ref]) -> list[Ref]:
    """The country a deployment or an attack with no other target takes place in ("strengthened its
    forces in Lebanon", "fighting in western Cambodia"), within the trigger's clause."""
    para, doc = ctx.art.paragraphs[ctx.pi], ctx.doc
    end = doc[m.last].idx + len(doc[m.last])
    for r in ctx.refs:
        if r.kind != "country" or r.start < end or r.start - end > 60 or any(r.country == x.country for x in sources):
            continue
        between = para[end : r.start]
        if re.search(r"[;:,“”\"]|\b(?:that|which|who|after|before|when|because|while|but|if|unless)\b", between):
            return []
        if re.search(r"\b(?:in|into|inside)\s+(?:the\s+)?(?:(?:north|south|east|west)\w*\s+)?$", between, re.I):
            return [r]
    return []


def _demand(art: _Article, pi: int, doc: Any, s: int, e: int, m: _Match, parsed: bool) -> list[Event]:
    """"Y must do Z" in X's words: X asks Y (PLOVER's REQUEST)."""
    tok = doc[m.head]
    if not parsed or tok.dep_ != "aux" or any(c.dep_ == "neg" for c in tok.head.children):
        return []
    sent_start, sent_end = doc[s].idx, doc[e - 1].idx + len(doc[e - 1])
    quote = art.quote_at(art.offsets[pi] + tok.idx)
    ctx = _Ctx(art, pi, doc, s, e, quote, [r for r in art.refs_of(pi) if sent_start <= r.start and r.end <= sent_end])
    claimant = _claimant(ctx, m, parsed)
    if claimant is None:
        return []
    agents, _ = _subject_refs(ctx, tok.head)
    return _emit(ctx, m, "REQUEST", None, [claimant], agents, True)


def _emit(ctx: _Ctx, m: _Match, typ: str, mode0: str | None, sources: list[Ref], targets: list[Ref], stance: bool) -> list[Event]:
    art, pi, doc, s, e, quote = ctx.art, ctx.pi, ctx.doc, ctx.s, ctx.e, ctx.quote
    para, base = art.paragraphs[pi], art.offsets[pi]
    sent_start, sent_end = doc[s].idx, doc[e - 1].idx + len(doc[e - 1])
    sources = _unique(sources)
    ids = {r.id for r in sources}
    targets = [t for t in _unique(targets) if t.id not in ids]
    if not sources and not targets:
        return []
    pairs: list[tuple[Ref | None, Ref | None, bool]] = []
    if len(sources) >= 2 and not targets and typ in MUTUAL:
        pairs = [(a, b, True) for i, a in enumerate(sources) for b in sources[i + 1 :]]
    elif not targets:
        if stance:
            return []
        pairs = [(a, None, False) for a in sources]
    else:
        pairs = [(a, t, False) for a in (sources or [None]) for t in targets]
    words = {t.lower_ for t in doc[s:e]} | {t.text for t in doc[s:e]}
    mode = mode0 or _mode(typ, words)
    t0, t1 = doc[m.first].idx, doc[m.last].idx + len(doc[m.last])
    out = []
    for src, tgt, sym in pairs:
        spans = [(t0, t1)] + [(r.start, r.end) for r in (src, tgt) if r is not None and sent_start <= r.start < sent_end]
        ev = Event(
            type=typ, mode=mode, trigger=para[t0:t1], trigger_start=base + t0, trigger_end=base + t1,
            sentence_start=base + sent_start, sentence_end=base + sent_end,
            source_id=src.id if src else None, source_name=src.name if src else None,
            source_country=src.country if src else None, source_text=src.text if src else None,
            target_id=tgt.id if tgt else None, target_name=tgt.name if tgt else None,
            target_country=tgt.country if tgt else None, target_text=tgt.text if tgt else None,
            symmetric=sym,
            claimed_by_id=quote.speaker_id if quote else None, claimed_by_name=quote.speaker_name if quote else None,
            claimed_by_country=quote.speaker_country if quote else None,
            evidence_start=base + min(a for a, _ in spans), evidence_end=base + max(b for _, b in spans),
        )  # fmt: skip
        out.append(ev)
    art.participants.append((doc[m.head].lower_, typ, sources + targets))
    return out


def _unique(refs: list[Ref]) -> list[Ref]:
    seen, out = set(), []
    for r in refs:
        key = r.id or r.text
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


@dataclass(slots=True)
class _Ctx:
    art: _Article
    pi: int
    doc: Any
    s: int
    e: int
    quote: Any | None
    refs: list[Ref]


# --- the hard cases ------------------------------------------------------------------


def _governor(tok: Any) -> Any:
    """The verb a noun or adjective trigger depends on (itself for a verb)."""
    x, steps = tok, 0
    while x.pos_ not in ("VERB", "AUX") and x.head is not x and steps < 4:
        x, steps = x.head, steps + 1
    return x


def _negated(doc: Any, s: int, m: _Match, parsed: bool) -> bool:
    h = doc[m.head]
    if parsed:
        nodes = {h, doc[m.first]}
        if h.pos_ not in ("VERB", "AUX"):
            gov = _governor(h)
            # "is not aimed", "was never directed": the copula or auxiliary the predicate hangs on
            if h.dep_ in ("acomp", "attr", "oprd", "dobj", "prep", "pobj"):
                nodes.add(gov)
        for x in nodes:
            for c in x.children:
                if c.dep_ == "neg" or (c.dep_ == "det" and c.lower_ == "no") or c.lower_ in ("never", "without"):
                    return True
        # "failed to reach an agreement"
        return h.dep_ == "xcomp" and h.head.lemma_ == "fail"
    k = m.first - 1
    while k >= s and k >= m.first - 3 and not doc[k].is_punct:
        if doc[k].lower_ in _NEGATORS:
            return True
        k -= 1
    return False


def _status(doc: Any, s: int, e: int, m: _Match, parsed: bool) -> str:
    """How the sentence presents the trigger: "actual", "intent" (will, would, plans to), "conditional"
    (an intent under an if-clause), "demanded" (must, should) or "hypothetical" (inside an if-clause,
    under could/might/may, or asked)."""
    sent = doc[s:e]
    has_if = any(t.lower_ in ("if", "unless") for t in sent)
    if sent[-1].text == "?" :
        return "hypothetical"
    if parsed:
        h = doc[m.head]
        x, level, status = h, 0, "actual"
        while True:
            for c in x.children:
                if c.dep_ == "mark" and c.lower_ in _CONDITIONAL:
                    return "hypothetical"
                if level <= 1 and c.dep_ == "aux":
                    if c.lower_ in _HEDGES:
                        return "hypothetical"
                    if c.lower_ in ("must", "should"):
                        return "demanded"
                    if c.lower_ in ("will", "shall", "'ll", "’ll", "would", "'d", "’d") and status == "actual":
                        status = "conditional" if has_if and c.lower_ in ("would", "'d", "’d") else "intent"
            if level == 0 and x.dep_ == "xcomp" and x.head.lemma_ in _INTENT_HEADS:
                status = "intent"
            if x.head is x or level > 8:
                break
            x, level = x.head, level + 1
        return status
    before = [t.lower_ for t in doc[s : m.first]]
    for i in range(len(before) - 1, -1, -1):
        if before[i] in (",", ";", "then"):
            break
        if before[i] in _CONDITIONAL:
            return "hypothetical"
    near = before[-3:]
    if any(w in _HEDGES for w in near):
        return "hypothetical"
    if any(w in ("must", "should") for w in near):
        return "demanded"
    if any(w in ("will", "would", "shall", "'ll", "’ll") for w in near) or (len(near) >= 2 and near[-1] == "to" and near[-2] in _INTENT_FORMS):
        return "conditional" if has_if and "would" in near else "intent"
    return "actual"


def _recode(trig: Trigger, status: str, negated: bool, is_verb: bool) -> tuple[str, str | None] | None:
    """The type and mode an event takes given how it is presented; None when it is no event.

    A refused or negated cooperative act is a REJECT ("will not accept", "failed to reach agreement"); a
    negated hostile act is nothing ("not aimed against any country"). A stated intent to cooperate is an
    AGREE, an intent to act against someone a THREATEN (PLOVER's reading of "will …").
    """
    if status in ("hypothetical", "demanded") or (status == "conditional" and not is_verb):
        return None
    mode = trig.type.lower()
    if negated:
        return ("REJECT", mode) if trig.type in COOPERATIVE else None
    if status in ("intent", "conditional") and is_verb:
        if trig.type in COOPERATIVE and trig.type != "AGREE":
            return "AGREE", mode
        if trig.type in HOSTILE:
            return "THREATEN", mode
    return trig.type, trig.mode


def _embedded(art: _Article, doc: Any, s: int, m: _Match, parsed: bool) -> bool:
    """A trigger that only spells out another trigger's content ("threatened to attack", "accused X of jamming")."""
    lex = lexicon()
    if parsed:
        x, steps = doc[m.head], 0
        while x.dep_ in ("xcomp", "ccomp", "pcomp", "prep", "pobj", "dobj", "acl") and x.head is not x and steps < 4:
            x, steps = x.head, steps + 1
            if x.lower_ in lex and x.i != m.head and x.pos_ in ("VERB", "NOUN") and _is_trigger_head(doc, x):
                return True
        return False
    j = m.first - 1
    if j >= s and doc[j].lower_ in ("to", "of"):
        return any(doc[k].lower_ in lex and _is_trigger_head(doc, doc[k]) for k in range(max(s, j - 4), j))
    return False


def _is_trigger_head(doc: Any, tok: Any) -> bool:
    for trig in lexicon().get(tok.lower_, ()):
        toks = [t.lower_ for t in doc[tok.i : min(len(doc), tok.i + 8)]]
        if _match_at(toks, 1, len(toks), trig.slots) is not None:
            return True
    return False


# --- arguments from the parse -------------------------------------------------------


def _conjuncts(tok: Any) -> list[Any]:
    out = []
    for c in tok.children:
        if c.dep_ == "conj":
            out.append(c)
            out.extend(_conjuncts(c))
    return out


def _refs_overlapping(ctx: _Ctx, toks: list[Any]) -> list[Ref]:
    spans = [(t.idx, t.idx + len(t)) for t in toks]
    return [r for r in ctx.refs if any(a < r.end and r.start < b for a, b in spans)]


def _phrase_refs(ctx: _Ctx, h: Any, deep: int = 2) -> list[Ref]:
    """The actors a noun phrase headed by *h* names, coordinated phrases included; with no actor of its
    own, up to *deep* prepositional phrases down ("two million euros of aid for Greenland")."""
    out: list[Ref] = []
    for x in [h, *_conjuncts(h)]:
        out.extend(_one_phrase(ctx, x, deep))
    return out


def _one_phrase(ctx: _Ctx, h: Any, deep: int) -> list[Ref]:
    if _is_pronoun(h):
        return _pronoun(ctx, h)
    own = _refs_overlapping(ctx, [h])
    if own:
        return own[:1]
    low = h.lower_
    if low in _EVENT_NOUNS and any(c.dep_ == "det" and c.lower_ in ("this", "that", "these", "those", "such") for c in h.children):
        prior = _prior_participants(ctx, low)
        if prior:
            return prior
    core = []
    stack = [c for c in h.children if c.dep_ not in _CLAUSE_DEPS and c.dep_ not in ("prep", "conj", "cc", "appos", "punct")]
    while stack:
        c = stack.pop()
        core.append(c)
        stack.extend(x for x in c.children if x.dep_ not in _CLAUSE_DEPS and x.dep_ not in ("prep",))
    refs = _refs_overlapping(ctx, core)
    for c in core:
        if c.dep_ == "poss" and _is_pronoun(c):
            refs.extend(_pronoun(ctx, c))
    if refs or not deep:
        return refs
    for c in h.children:  # "herders in Finnmark", "supporters of the governor"
        if c.dep_ == "prep" and c.lower_ in _DEEP_PREPS:
            for p in c.children:
                if p.dep_ == "pobj":
                    refs.extend(_phrase_refs(ctx, p, deep=deep - 1))
    return refs


def _prior_participants(ctx: _Ctx, noun: str) -> list[Ref]:
    """Who took part in the latest earlier event named by the same noun (else the latest event)."""
    for word, _, refs in reversed(ctx.art.participants):
        if word == noun and refs:
            return list(refs)
    for _, _, refs in reversed(ctx.art.participants):
        if len(refs) >= 2:
            return list(refs)
    return []


def _subject_refs(ctx: _Ctx, v: Any) -> tuple[list[Ref], list[Ref]]:
    """(agents, patients) from a verb's subjects: active subject, or passive subject and "by" agent."""
    agents, patients = [], []
    x, steps = v, 0
    while True:
        for c in x.children:
            if c.dep_ in ("nsubj", "csubj"):
                agents.extend(_phrase_refs(ctx, c))
            elif c.dep_ == "nsubjpass" and x is v:
                patients.extend(_phrase_refs(ctx, c))
            elif c.dep_ == "agent":
                for p in c.children:
                    if p.dep_ == "pobj":
                        agents.extend(_phrase_refs(ctx, p))
        if agents or x.head is x or steps >= 4:
            break
        if x.dep_ in ("relcl", "acl") and x.head.pos_ in ("NOUN", "PROPN", "PRON"):
            agents.extend(_phrase_refs(ctx, x.head, deep=0))
            break
        if x.dep_ not in ("xcomp", "conj", "advcl", "pcomp", "prep", "pobj", "dobj", "ccomp"):
            break
        x, steps = x.head, steps + 1
    return agents, patients


def _object_refs(ctx: _Ctx, m: _Match, v: Any) -> list[Ref]:
    doc = ctx.doc
    match_toks = {doc[i] for i in range(m.first, m.last + 1)}
    out: list[Ref] = []
    holders = [v, *[t for t in match_toks if t is not v]]
    for x in holders:
        for c in x.children:
            if c in match_toks:
                if c.dep_ == "dobj" and c is not v:  # "accept * demands": whose demands
                    out.extend(_phrase_refs(ctx, c))
                continue
            if c.dep_ in ("dobj", "dative", "iobj", "attr", "oprd"):
                out.extend(_phrase_refs(ctx, c))
            elif c.dep_ == "prep" and (c.lower_ in _TARGET_PREPS or c.lower_ == "between"):
                for p in c.children:
                    if p.dep_ == "pobj":
                        out.extend(_phrase_refs(ctx, p, deep=0 if c.lower_ == "in" else 2))
        for t in match_toks:  # "work with X", "call on X": the preposition is part of the pattern
            if t.dep_ == "prep" and t.head is x:
                for p in t.children:
                    if p.dep_ == "pobj":
                        out.extend(_phrase_refs(ctx, p))
    if not out:
        for c in v.children:
            if c.dep_ in ("xcomp", "ccomp"):
                for g in c.children:
                    if g.dep_ in ("dobj", "nsubj", "nsubjpass", "dative"):
                        out.extend(_phrase_refs(ctx, g))
                    elif g.dep_ == "prep" and g.lower_ in _TARGET_PREPS:
                        for p in g.children:
                            if p.dep_ == "pobj":
                                out.extend(_phrase_refs(ctx, p))
    return out


def _args_parsed(ctx: _Ctx, m: _Match) -> tuple[list[Ref], list[Ref]]:
    doc = ctx.doc
    h = doc[m.head]
    if h.pos_ in ("NOUN", "PROPN") or m.trig.pos == "noun":
        return _noun_args(ctx, h)
    if m.trig.pos == "adj" or h.pos_ == "ADJ":
        agents, _ = _subject_refs(ctx, h.head if h.dep_ in ("acomp", "amod") else h)
        targets = []
        for c in h.children:
            if c.dep_ == "prep":
                for p in c.children:
                    if p.dep_ == "pobj":
                        targets.extend(_phrase_refs(ctx, p))
        return agents, targets
    agents, patients = _subject_refs(ctx, h)
    objs = _object_refs(ctx, m, h)
    return agents, patients + objs


def _noun_args(ctx: _Ctx, n: Any) -> tuple[list[Ref], list[Ref]]:
    own: list[Ref] = []
    for c in n.children:
        if c.dep_ in _OWNER_DEPS:
            own.extend(_phrase_refs(ctx, c, deep=0))
            for x in c.subtree:
                if x is not c and x.dep_ in ("conj", "compound", "poss", "amod", "npadvmod"):
                    own.extend(_refs_overlapping(ctx, [x]))
    targets: list[Ref] = []
    for c in n.children:
        if c.dep_ == "prep" and c.lower_ == "between":
            pair = [r for p in c.children if p.dep_ == "pobj" for r in _phrase_refs(ctx, p)]
            if not own:
                own = pair
            else:
                targets.extend(pair)
        elif c.dep_ == "prep" and c.lower_ in _NOUN_TARGET_PREPS:
            for p in c.children:
                if p.dep_ == "pobj":
                    targets.extend(_phrase_refs(ctx, p, deep=0 if c.lower_ == "of" else 2))
    if not own:
        x, steps, via = n, 0, n.dep_
        while x.pos_ not in ("VERB", "AUX") and x.head is not x and steps < 5:
            via = x.dep_
            x, steps = x.head, steps + 1
        if x.pos_ in ("VERB", "AUX") and via not in ("nsubj", "nsubjpass", "csubj"):
            own, patients = _subject_refs(ctx, x)
            if not targets:
                targets = patients
    return own, targets


# --- arguments from word order -----------------------------------------------------


def _ref_tokens(ctx: _Ctx) -> list[tuple[int, int, Ref]]:
    """(first token, last token, ref) for each actor of the sentence."""
    doc, out = ctx.doc, []
    for r in ctx.refs:
        span = doc.char_span(r.start, r.end, alignment_mode="expand")
        if span is not None:
            out.append((span.start, span.end - 1, r))
    return out


def _group(spans: list[tuple[int, int, Ref]], k: int, doc: Any, step: int) -> list[Ref]:
    """The ref at spans[k] and the ones joined to it by "and", a comma or a hyphen, walking by *step*."""
    out = [spans[k][2]]
    j = k
    while 0 <= j + step < len(spans):
        a, b = (spans[j + step], spans[j]) if step < 0 else (spans[j], spans[j + step])
        between = [t.lower_ for t in doc[a[1] + 1 : b[0]]]
        if not between or all(w in ("and", ",", "-", "–", "&", "or", "'s", "’s") for w in between):
            out.append(spans[j + step][2])
            j += step
        else:
            break
    return out


def _args_surface(ctx: _Ctx, m: _Match) -> tuple[list[Ref], list[Ref]]:
    doc = ctx.doc
    spans = _ref_tokens(ctx)
    left = [k for k, (a, b, _) in enumerate(spans) if b < m.first]
    right = [k for k, (a, b, _) in enumerate(spans) if a > m.last]
    sources: list[Ref] = []
    targets: list[Ref] = []
    if left:
        k = left[-1]
        gap = [t.lower_ for t in doc[spans[k][1] + 1 : m.first]]
        if len(gap) <= 12 and not (set(gap) & _BOUNDARY):
            sources = _group(spans, k, doc, -1)
    if right:
        k = right[0]
        gap = [t.lower_ for t in doc[m.last + 1 : spans[k][0]]]
        if len(gap) <= 8 and not (set(gap) & (_BOUNDARY | {","})):
            targets = _group(spans, k, doc, 1)
            if gap[-1:] == ["by"]:
                sources, targets = targets, sources
    if not sources:
        sources = _pronoun_before(ctx, m)
    return sources, targets


def _pronoun_before(ctx: _Ctx, m: _Match) -> list[Ref]:
    doc = ctx.doc
    for k in range(m.first - 1, max(ctx.s, m.first - 4) - 1, -1):
        if _is_pronoun(doc[k]):
            return _pronoun(ctx, doc[k])
        if doc[k].is_punct:
            break
    return []


# --- pronouns, speakers, stance ----------------------------------------------------


def _country_ref(art: _Article, code: str | None, text: str) -> Ref | None:
    if not code:
        return None
    actor = art.reg.country_actor(code)
    if actor is not None:
        return Ref(-1, -1, text, actor.id, actor.name, code, "country")
    c = world()[0].get(code)
    return Ref(-1, -1, text, f"country:{code}", c.name if c else code, code, "country")


def _is_pronoun(tok: Any) -> bool:
    """A personal pronoun we resolve ("US" and "IT" are not "us" and "it")."""
    low = tok.lower_
    if low not in _PRONOUNS and low not in _FIRST_PERSON:
        return False
    return tok.text == low or tok.text == low.capitalize()


def _pronoun(ctx: _Ctx, tok: Any) -> list[Ref]:
    """What a pronoun stands for: "we"/"our" in a quotation the speaker's country; "they"/"their" the last
    pair of actors joined by "and" in this or the previous paragraph; "he"/"she" the last person; "it" the
    last actor that is not a person."""
    low = tok.lower_
    if low in _FIRST_PERSON:
        q = ctx.quote
        ref = _country_ref(ctx.art, q.speaker_country, tok.text) if q is not None else None
        return [ref] if ref else []
    kind = _PRONOUNS[low]
    cands = ctx.art.earlier_refs(ctx.pi, tok.idx)
    if kind == "person":
        return next(([_as(r, tok.text)] for r in reversed(cands) if r.kind == "person"), [])
    if kind == "group":
        para = ctx.art.paragraphs[ctx.pi]
        mine = [r for r in cands if r in ctx.art.refs_of(ctx.pi)]
        for a, b in zip(reversed(mine[:-1]), reversed(mine[1:])):
            if re.fullmatch(r"\s*(?:,|and|&)\s*(?:the\s+)?", para[a.end : b.start]):
                return [_as(a, tok.text), _as(b, tok.text)]
    return next(([_as(r, tok.text)] for r in reversed(cands) if r.kind != "person"), [])


def _as(r: Ref, text: str) -> Ref:
    return Ref(r.start, r.end, text, r.id, r.name, r.country, r.kind)


def _claimant(ctx: _Ctx, m: _Match, parsed: bool) -> Ref | None:
    """Who asserts a stance: the speaker of the quotation it sits in."""
    q = ctx.quote
    if q is None or not (q.speaker_id or q.speaker_country):
        return _reporter(ctx, m) if parsed else None
    return Ref(q.speaker_start - ctx.art.offsets[ctx.pi] if q.speaker_start is not None else -1, -1,
               q.speaker_text or "", q.speaker_id, q.speaker_name, q.speaker_country, "speaker")  # fmt: skip


def _reporter(ctx: _Ctx, m: _Match) -> Ref | None:
    """The subject of the speech verb a clause hangs on ("The Kremlin said … criticism was misplaced")."""
    from ..nlp.quotes import cue_lemmas

    cues = cue_lemmas()[0]
    x, steps = ctx.doc[m.head], 0
    while x.head is not x and steps < 6:
        x, steps = x.head, steps + 1
        if x.lemma_ in cues and x.pos_ in ("VERB", "AUX"):
            for c in x.children:
                if c.dep_ == "nsubj":
                    refs = _phrase_refs(ctx, c, deep=0)
                    if refs:
                        return refs[0]
    return None


def _stance_targets(ctx: _Ctx, m: _Match, parsed: bool) -> list[Ref]:
    """Whose claim or action a stance judges: the owner of its subject ("U.S. criticism … was misplaced")."""
    doc = ctx.doc
    if parsed:
        pred = _governor(doc[m.head])
        for c in pred.children:
            if c.dep_ in ("nsubj", "nsubjpass"):
                return _phrase_refs(ctx, c, deep=0)
        return []
    spans = _ref_tokens(ctx)
    left = [k for k, (a, b, _) in enumerate(spans) if b < m.first]
    return _group(spans, left[-1], doc, -1) if left else []


def _implicit_target(ctx: _Ctx, claimant: Ref) -> list[Ref]:
    """A dismissal with no named target answers the article's most prominent other country."""
    q, base = ctx.quote, ctx.art.offsets[ctx.pi]
    inside = [r for r in ctx.refs if q is None or q.start <= base + r.start < q.end]
    named = {r.country for r in inside} | {claimant.country}
    for code, _ in ctx.art.salience.most_common():
        if code not in named:
            ref = _country_ref(ctx.art, code, "")
            return [ref] if ref else []
    return []


__all__ = ["MUTUAL", "COOPERATIVE", "HOSTILE", "code_events"]
