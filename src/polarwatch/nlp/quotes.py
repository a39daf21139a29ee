"""Who said what: mentions, article-level persons, direct and indirect quotes, speakers.

Works per article over its clean paragraphs; every span is a character
offset into ``Article.body``. Rules over spaCy's parse, in this order:

1. registry actors are found by their surface forms, people by NER; a person
   the registry does not know becomes an article-level actor keyed by full
   name, with the role from the words before the name ("…professor Yana
   Leksyutina") or an apposition, and later surname mentions link to it;
2. direct quotes are the spans between quotation marks; the cue is a speech
   verb in the same sentence outside the quote, the speaker its subject; a
   paragraph that opens a quote without a cue continues the previous speaker;
3. indirect speech is a speech verb with a clausal complement outside direct
   quotes ("X said (that) …", "…, X said."), or "according to X, …";
4. speakers are resolved through names, descriptions ("the professor", "the
   spokesman" -> the last person with that role) and pronouns ("he"/"she" ->
   the last person; "it" -> the last organisation that spoke or was named):
   ``speakers.py``; a learned choice among the earlier entities can overrule
   the pronoun, description and no-cue answers (``ranker.py``, off by default).
"""

from __future__ import annotations

import csv
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from ..records import Mention, Quote
from .actors import ActorRegistry, registry
from .clauses import FINITE as _FINITE
from .clauses import (
    after_colon,
    clause_read_as_object,
    clause_behind_a_phrase,
    second_clause,
    subject_read_as_object,
    that_clause_as_advcl,
    that_clause_coordinated,
    that_clause_in_phrase,
    that_clause_on_addressee,
    that_read_as_noun,
    without_concession,
)
from .entities import link_entities
from .ranker import decide as _decide
from .ranker import speaker as _speaker
from .ranker import weights as _ranker_weights
from .speakers import (
    _ANON_NOUNS,
    _DOCUMENTS as _DOCUMENT_NOUNS,
    _ISSUING_VERBS,
    _POSSESSIVE_PRONOUNS,
    _PRONOUNS,
    _can_name_speaker,
    _clean_name,
    _doc_ents,
    _is_subject,
    _mention_tokens,
    _note_speaker,
    _Resolver,
    is_main_subject,
    note_names,
    _role_of,
    _span_text,
    _surname_clash,
    Person,
)

_OPEN = "“\""
_FIRST_SECOND = {"i", "you", "we", "me", "us"}
_INVERTIBLE = {
    "say", "add", "write", "tell", "state", "note", "explain", "continue", "insist", "ask", "reply", "read", "tweet", "post",
    "announce", "claim", "argue", "stress", "warn", "recall", "remark", "observe", "comment", "declare", "admit", "answer",
    "respond", "concede", "conclude", "caution", "complain", "predict", "suggest", "acknowledge", "emphasise", "emphasize",
}  # fmt: skip
_TITLE_LIKE = re.compile(r"^(?:[A-Z0-9][\w’'-]*|of|the|and|for|in|on)(?:\s+(?:[A-Z0-9][\w’'-]*|[IVX]+|of|the|and|for|in|on)){0,4}$")
_NAMING = re.compile(r"(so-called|dubbed|named|titled|entitled|nicknamed|called|known as|the word|the term|labelled|labeled|branded)\s*$", re.I)


@lru_cache(maxsize=1)
def cue_lemmas() -> tuple[frozenset[str], frozenset[str]]:
    """(every cue lemma of speech, belief, intent or request; the lemmas that also introduce indirect speech).

    The verbs that report only through a noun object ("criticized the plan") are not cues here: see
    :func:`object_lemmas`."""
    rows = [r for r in _cue_rows() if "yes" in (r["direct"], r["indirect"], r["infinitive"])]
    return frozenset(r["lemma"] for r in rows), frozenset(r["lemma"] for r in rows if r["indirect"] == "yes")


@lru_cache(maxsize=1)
def _cue_rows() -> tuple[dict[str, str], ...]:
    text = resources.files("polarwatch").joinpath("data/cues.csv").read_text("utf-8")
    return tuple(csv.DictReader(text.splitlines()))


@lru_cache(maxsize=1)
def speech_lemmas() -> frozenset[str]:
    """Cue lemmas that can introduce a quotation (not the verbs of belief or intent: "think", "want")."""
    return frozenset(r["lemma"] for r in _cue_rows() if r["direct"] == "yes")


@lru_cache(maxsize=1)
def object_lemmas() -> frozenset[str]:
    """Cue lemmas whose noun object states the speaker's position (convention 14 of our gold, as in PARC and
    PolNeAR): verbs of criticism and praise, and "cite" ("criticized the plan as reckless", "cited the report").
    Includes the verbs that report their object only with an object complement (:func:`complement_lemmas`)."""
    return frozenset(r["lemma"] for r in _cue_rows() if r.get("object") in ("yes", "complement"))


@lru_cache(maxsize=1)
def complement_lemmas() -> frozenset[str]:
    """Cue lemmas that report their noun object only together with an object complement or an "as" phrase:
    "called the plan “reckless”", "described the plan as reckless" (not "called the minister", a telephone call)."""
    return frozenset(r["lemma"] for r in _cue_rows() if r.get("object") == "complement")


@lru_cache(maxsize=1)
def prep_lemmas() -> dict[str, frozenset[str]]:
    """Cue lemmas that report the object of a preposition right after them ("argued [for] checks on big tech",
    "warned [of] a storm surge", "commented [on] the ruling"): lemma -> those prepositions (``prep`` column)."""
    return {r["lemma"]: frozenset(r["prep"].split()) for r in _cue_rows() if (r.get("prep") or "").strip()}


@lru_cache(maxsize=1)
def cue_nouns() -> dict[str, tuple[bool, bool]]:
    """Nouns of speech, belief and intent that report their own clause or infinitive, from ``data/cue_nouns.csv``:
    lemma -> (reports a that-clause: "Oslo's claim that …", reports an infinitive: "Moscow's threat to …")."""
    text = resources.files("polarwatch").joinpath("data/cue_nouns.csv").read_text("utf-8")
    return {r["lemma"]: (r["clause"] == "yes", r["infinitive"] == "yes") for r in csv.DictReader(text.splitlines())}


@lru_cache(maxsize=1)
def infinitive_lemmas() -> frozenset[str]:
    """Cue lemmas that report with an infinitive ("vowed to …", "urged X to …") or "call for/on"."""
    return frozenset(r["lemma"] for r in _cue_rows() if r["infinitive"] == "yes")


@dataclass(slots=True)
class Analysis:
    mentions: list[Mention] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    persons: dict[str, Person] = field(default_factory=dict)
    text: str = ""  # the article body the offsets point into (paragraphs joined by blank lines)
    # Filled by the later stages of ``nlp.analyse_batch``: events.code_events, themes.score_paragraphs, tone.article_tone.
    events: list[Any] = field(default_factory=list)
    themes: list[Any] = field(default_factory=list)
    tone: Any = None
    decisions: list[Any] = field(default_factory=list)  # the ranker's decisions, kept only under ranker.recording()

    def actors(self) -> dict[str, dict[str, Any]]:
        """Actors of the article: id -> {name, kind, country, mentions}."""
        out: dict[str, dict[str, Any]] = {}
        for m in self.mentions:
            if not m.actor_id:
                continue
            d = out.setdefault(m.actor_id, {"name": m.actor_name, "kind": m.kind, "country": m.country, "mentions": 0})
            d["mentions"] += 1
        return out


def _quote_spans(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, closed) of the text inside double quotation marks; an unclosed one runs to the end.

    Typewriter doubles (``''…''`` and ````…''``) count as double quotation marks.
    """
    if "''" in text or "``" in text:
        text = text.replace("``", '" ').replace("''", '" ')  # same length: offsets stay valid
        return [(a + (1 if text[a : a + 1] == " " else 0), b, c) for a, b, c in _quote_spans(text)]
    if text[:1] == "”" and text[1:2].isalnum() and "”" in text[2:]:
        text = "“" + text[1:]  # a paragraph opened with the wrong-handed mark (”Fear. I am …” ― Name)
    out = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "“" or (c == '"' and (i == 0 or not text[i - 1].isalnum())):
            closer = "”" if c == "“" else '"'
            j = text.find(closer, i + 1)
            if j == -1:
                out.append((i + 1, n, False))
                break
            out.append((i + 1, j, True))
            i = j + 1
            continue
        i += 1
    return out


def analyse(paragraphs: list[str], docs: list[Any] | None = None, reg: ActorRegistry | None = None) -> Analysis:
    """Mentions and quotes of one article (paragraphs as stored; *docs* their spaCy parses)."""
    from .model import nlp

    reg = reg or registry()
    if docs is None:
        docs = list(nlp().pipe(paragraphs))
    indirect_cues = cue_lemmas()[1]
    cues, infinitive_cues, object_cues, noun_cues = speech_lemmas(), infinitive_lemmas(), object_lemmas(), cue_nouns()
    prep_cues = prep_lemmas()
    res = _Resolver(reg)
    noun_ids, report_ids = _string_ids(frozenset(noun_cues)), _string_ids(indirect_cues | object_cues | cues)
    indirect_speech = indirect_cues & cues  # made once, not for every token of every reported clause
    an = Analysis(text="\n\n".join(paragraphs))
    offsets = []
    pos = 0
    for p in paragraphs:
        offsets.append(pos)
        pos += len(p) + 2
    res.paras, res.quotes, res.ranker = offsets or [0], an.quotes, _ranker_weights()

    # Full names first, so that a surname used before the full name ("Leksyutina said" in the
    # lead, "professor Yana Leksyutina" later) still links to one person.
    for pi, doc in enumerate(docs):
        for ent in doc.ents:
            if ent.label_ == "PERSON" and len(ent.text.split()) >= 2 and re.match(r"^[A-Z]", ent.text):
                role, country = _role_of(ent, reg)
                name = _clean_name(ent.text)
                if len(name.split()) >= 2:
                    res.person(name, offsets[pi] + ent.start_char, role, country)

    prev_speaker: Quote | None = None  # the last quote with a speaker: a quote with no cue continues it
    for pi, (para, doc) in enumerate(zip(paragraphs, docs)):
        base = offsets[pi]
        # 1. mentions: registry forms, then people from NER.
        reg_spans: list[tuple[int, int]] = []
        for m in reg.find(para):
            a = m.actor
            if _surname_clash(doc, m.start, a):
                continue  # "Luis Rubio" is not the registry's Marco Rubio: NER makes him an article person
            kind = a.type
            an.mentions.append(Mention(base + m.start, base + m.end, m.text, kind, a.id, a.name, a.country, "registry"))
            reg_spans.append((m.start, m.end))
            if a.is_person:
                res.person(a.name, base + m.start)
                res.note(base + m.start, "person", a.id, a.country, a.name)
                toks = doc.char_span(m.start, m.end, alignment_mode="expand")
                if toks is not None and _is_subject(toks.root):
                    res.note(base + m.start, "subject-person", a.id, a.country, a.name)
                    if is_main_subject(toks.root):
                        res.note(base + m.start, "main-person", a.id, a.country, a.name)
            else:
                res.note(base + m.start, "country" if kind == "country" else "org", a.id, a.country, a.name)
        for ent in doc.ents:
            if ent.label_ != "PERSON" or any(s < ent.end_char and ent.start_char < e for s, e in reg_spans):
                continue
            name = _clean_name(ent.text)
            if not name:
                continue
            role, country = _role_of(ent, reg)
            p = res.person(name, base + ent.start_char, role, country)
            an.mentions.append(Mention(base + ent.start_char, base + ent.start_char + len(name), name, "person", p.id, p.name, p.country, "ner"))
            res.note(base + ent.start_char, "person", p.id, p.country, p.name)
            if _is_subject(ent.root):
                res.note(base + ent.start_char, "subject-person", p.id, p.country, p.name)
                if is_main_subject(ent.root):
                    res.note(base + ent.start_char, "main-person", p.id, p.country, p.name)
        note_names(res, doc, base, reg, reg_spans, para)  # organisations, persons NER took for them, documents (speakers.py)

        # 2. direct quotes
        spans = _quote_spans(para)
        res.quoted += [(base + qs, base + qe) for qs, qe, _ in spans]
        covered: list[tuple[int, int]] = []
        para_speaker: Quote | None = None  # the same, in this paragraph
        if (turn := _transcript_turn(para, an.text, paragraphs)) is not None:
            # "PENCE: Well, look, …": a speaker's turn in an interview transcript, no quotation marks around it
            (ls, le), (cs, ce) = turn
            label = para[ls:le]
            p = next((x for x in reversed(list(res.persons.values())) if x.name.split()[-1].lower() == label.split()[-1].lower()), None)
            sid, sname, scountry = (p.id, p.name, p.country) if p else (None, label.title(), None)
            an.quotes.append(Quote(base + cs, base + ce, para[cs:ce], "indirect", ":", base + le, label, base + ls, base + le,
                                   sid, sname, scountry))  # fmt: skip
            covered.append((cs, ce))
            spans = [(qs, qe, c) for qs, qe, c in spans if qs > ls]  # the transcript's opening mark quotes nothing
        for qs, qe, closed in spans:
            qtext = para[qs:qe]
            if len(qtext.split()) < 2 and not _governed(doc, qs, qe, spans, cues):
                continue  # one word in quotation marks is a scare quote unless a speech verb reports it
            before = para[:qs - 1]
            named = _NAMING.search(before, max(0, len(before.rstrip()) - 12))  # the words are at its end: no scan of it all
            if (named and len(qtext.split()) <= 6) or _TITLE_LIKE.match(qtext.strip(" ,.")):
                continue  # a name or term in quotation marks, not speech
            cue_tok, spk_tokens = _find_cue(doc, qs, qe, spans, cues)
            if cue_tok is None and (lead := _label_speaker(doc, para, qs)) is not None:
                # "Pence: “…”", "Sonya Herridge ― “…”": a name and a colon or dash stand for the cue
                cue_tok, spk_tokens = lead
            if cue_tok is None and closed and (sig := _signature(doc, para, qe)) is not None:
                # "“…” ― Sonya Herridge": a dash and a name after the quotation sign it
                cue_tok, spk_tokens = sig
            if cue_tok is None and (phrase := _attributing_phrase(doc, qs, qe, spans, cues)) is not None:
                # "As one diplomat put it, “…”", "In the words of X: “…”"
                cue_tok, spk_tokens = phrase
            if cue_tok is None and (intro := _colon_intro(doc, para, qs, (docs[pi - 1], paragraphs[pi - 1]) if pi else None)) is not None:
                # "X released a statement: “…”", or a paragraph ending "… Robinson writes:" and the next one
                # opening the quotation: the subject of the clause the colon closes speaks
                idoc, cue_tok, spk_tokens = intro
                ibase = base if idoc is doc else offsets[pi - 1]
                sid, sname, scountry, how = _speaker(spk_tokens, ibase + spk_tokens[0].idx, res, reg)
                q = Quote(base + qs, base + qe, qtext, "direct", cue_tok.text, ibase + cue_tok.idx, _span_text(spk_tokens),
                          ibase + spk_tokens[0].idx, ibase + spk_tokens[-1].idx + len(spk_tokens[-1].text), sid, sname, scountry)  # fmt: skip
                an.quotes.append(q)
                covered.append((qs, qe))
                if sid or sname:
                    prev_speaker = para_speaker = q
                continue
            if cue_tok is None:
                starts_para = para[: qs - 1].strip() == ""
                # a new sentence that opens with a quote continues the paragraph's speaker
                # ("“A,” X said. “B.”"), or, at the start of a paragraph, the previous one
                continues = starts_para or (para_speaker is not None and _starts_sentence(para, qs - 1))
                src = para_speaker or prev_speaker
                if continues and src is not None:
                    # same speaker, and the same mention it hangs on ("he" for both halves); no cue of its own
                    q = Quote(base + qs, base + qe, qtext, "direct", None, None, src.speaker_text, src.speaker_start,
                              src.speaker_end, src.speaker_id, src.speaker_name, src.speaker_country)  # fmt: skip
                    rule = (src.speaker_id, src.speaker_name, src.speaker_country, "continued")
                    if (got := _decide(res, base + qs, "cont", rule)) is not rule:
                        # the ranker's choice among earlier entities (ranker.py): no mention of its own
                        q.speaker_id, q.speaker_name, q.speaker_country = got[:3]
                        q.speaker_text, q.speaker_start, q.speaker_end = got[1], None, None
                    an.quotes.append(q)
                    covered.append((qs, qe))
                elif len(qtext.split()) >= 4 and (sent_spk := _sentence_subject_speaker(doc, qs, qe)) is not None:
                    # A partial quote inside a sentence whose subject is the speaker ("X called it “…”").
                    tok, stoks = sent_spk
                    sid, sname, scountry, how = _speaker(stoks, base + qs, res, reg)
                    an.quotes.append(Quote(base + qs, base + qe, qtext, "direct", tok.text, base + tok.idx, _span_text(stoks),
                                           base + stoks[0].idx, base + stoks[-1].idx + len(stoks[-1].text), sid, sname, scountry))  # fmt: skip
                    covered.append((qs, qe))
                continue
            if len(spk_tokens) == 1 and spk_tokens[0].lower_ in _FIRST_SECOND:
                continue
            sid, sname, scountry, how = _speaker(spk_tokens, base + qs, res, reg)
            st = spk_tokens
            q = Quote(
                base + qs, base + qe, qtext, "direct", cue_tok.text, base + cue_tok.idx, _span_text(st) if st else None,
                base + st[0].idx if st else None, base + st[-1].idx + len(st[-1].text) if st else None, sid, sname, scountry,
            )  # fmt: skip
            an.quotes.append(q)
            covered.append((qs, qe))
            if (sid or sname) and (cue_tok.lemma_ in cues or cue_tok.is_punct):
                # a partial quote given to its sentence's subject (no speech verb) is not followed by the next quote
                prev_speaker = para_speaker = q
                _note_speaker(res, base + qs, sid, scountry, sname, how)

        # 3. indirect speech. Each pass below looks only at the tokens its first test lets through (read from the
        # doc's arrays once, instead of making every token of the sentence four times); the tests stay in place.
        verbs, nouns, reports, according = _pass_heads(doc, noun_ids, report_ids)
        for sent in doc.sents:
            for tok in _within(doc, verbs, sent):
                if tok.pos_ not in ("VERB", "AUX"):
                    continue  # only a verb or auxiliary is taken whatever the checks below find, so it is tested first
                listed = tok.lemma_ in indirect_cues or tok.lemma_ in infinitive_cues or tok.lemma_ in object_cues or tok.lemma_ in prep_cues
                clausal = tok.lemma_ not in indirect_cues and _clausal_report(tok)  # "demanding that …", "felt …"
                question = _asked(tok)  # "asked whether …", "wondered how …"
                clausal = clausal or question
                as_report = _as_clause(tok) if listed or tok.lemma_ == "put" else None  # "As Lund put it, …"
                request = not listed and not clausal and _request(tok)  # "exhorted Republicans to vote …"
                if not listed and not clausal and as_report is None and not request:
                    continue
                if any(qs <= tok.idx < qe for qs, qe, _ in spans):
                    continue  # speech reported inside a quotation belongs to the quoted speaker's words
                comp = [c for c in tok.children if (c.dep_ == "ccomp" and c.i > 0 or that_clause_as_advcl(tok, c))] if tok.lemma_ in indirect_cues or clausal else []
                if not comp and tok.lemma_ in indirect_cues:
                    # "insisted during a visit to Kirkenes [that Oslo was …]", "said after the vote [he would resign]"
                    comp = that_clause_in_phrase(tok, noun_cues) or clause_behind_a_phrase(tok) or that_clause_on_addressee(tok)
                    if not comp and (that := that_read_as_noun(tok)) is not None:
                        comp = [that]  # "writes in an essay [that] the term …" with "that" parsed as the object
                    if not comp and (obj := clause_read_as_object(tok, object_cues)) is not None:
                        comp = [obj]  # "says [the phrase] “subject to” referred to …": the clause under its subject
                elif comp:
                    comp += that_clause_coordinated(tok, comp[0])  # "said that A, but [that B]": one report (convention 3)
                if comp and not question and any(m.dep_ == "mark" and m.lower_ in ("whether", "if") for m in comp[0].children):
                    continue  # "declined to say whether …": an open question, not a claim
                if comp and not question and tok.lemma_ not in cues and comp[0].left_edge.tag_ in _WH and comp[0].left_edge.i > tok.i:
                    continue  # "is struggling to decide what it wants to be": a question a belief or intent leaves open
                second: set[int] = set()
                own_span: set[int] = set()  # the report's own words when the content surrounds them
                if comp:
                    c = comp[0]
                    # a second report inside the clause ("A and said B", "A, adding that B") is its own quote
                    second = {x.i for t in c.subtree if t.i != c.i and (_reports(t, indirect_speech) or _cites(t, object_cues))
                              and _own_report(t) for x in t.subtree}
                    toks = [t for t in c.subtree if (t.dep_ != "mark" or t.head != c or question) and t.i not in second]
                    toks.sort(key=lambda t: t.i)  # a subtree is not in text order when the parse crosses itself
                    if toks and toks[0].lower_ == "that" and toks[0].head == c and (toks[0].dep_ in ("advmod", "mark") or toks[0].tag_ == "IN"):
                        toks = toks[1:]  # the complementiser, when the parser took it for an adverb or an object
                    if c.head == tok and (c.lower_ == "that" or c.dep_ == "dobj"):
                        first = c.i + 1 if c.lower_ == "that" else c.left_edge.i
                        toks = [t for t in sent if t.i >= first and t.i not in second]  # the clause the parser hung under it
                    elif lead := subject_read_as_object(tok, c):
                        toks = sorted(lead + toks, key=lambda t: t.i)  # "reported [three malls] were damaged"
                    if c.dep_ == "advcl" and (subj_of_c := next((x for x in c.children if x.dep_ == "nsubj"), None)) is not None:
                        toks = [t for t in toks if t.i >= subj_of_c.left_edge.i]  # not the phrase the parser put in it
                    toks = without_concession(c, toks)  # "claimed A was routine, although it had …": the writer's aside
                    toks += after_colon(tok, toks, cues)  # "noted that the town needs three things: A, B and C"
                    toks += second_clause(tok, comp, toks, second, cues)  # "said A has … and his comment was …"
                else:
                    # "A, he said, B" / "A, Graham said, since B": the sentence around a parenthetical report;
                    # "X vowed to B", "X urged Y to B", "X called for B": an infinitive or the object of "for"/"on"
                    toks = (as_report[0] if as_report else []) or _parenthetical(tok, sent) or _fronted(tok) or _infinitive(tok, infinitive_cues | ({tok.lemma_} if request else frozenset()))
                    if not toks and (tok.lemma_ in object_cues or tok.lemma_ in indirect_cues) and not _withheld(tok):
                        toks = _gerund(tok)  # "proposed dropping the levy", "admitted using the loophole"
                    if not toks and tok.lemma_ in object_cues and not _withheld(tok):
                        toks = _object(tok)  # "criticized the plan as reckless", "cited the report"
                    if not toks and tok.lemma_ in prep_cues and not _withheld(tok):
                        toks = _prep_object(tok, prep_cues[tok.lemma_])  # "argued for checks on big tech"
                    if not toks:
                        continue
                    own_span = {t.i for t in tok.subtree}
                    c = toks[0]
                toks = sorted((t for t in toks if not t.is_punct or t.text in "()[]"), key=lambda t: t.i)
                while toks and (toks[-1].dep_ == "cc" or toks[-1].text in "([" and second):
                    toks = toks[:-1]  # a conjunction left at the end ("said that A, but that" cut short)
                if not toks:
                    continue
                cs, ce = toks[0].idx, _close_mark(para, toks[0].idx, toks[-1].idx + len(toks[-1].text))
                if any(qs - 1 <= cs and ce <= qe + 1 for qs, qe in covered):
                    continue
                inner = [(qs, qe) for qs, qe in covered if cs < qe and qs < ce]
                if inner:
                    # the report's own words do not count ("“A,” he said, but “B”" is two quotations, no clause)
                    content = {t.i for t in toks}
                    own = [(t.idx, t.idx + len(t.text)) for t in (tok.doc[i] for i in sorted(own_span - content))]
                    if len([w for w in _words_outside(para, cs, ce, inner + own) if w.lower() not in ("and", "but")]) < 1:
                        continue  # the clause is the direct quote itself ("said “…”"), not a reported clause
                    head_in = next(((qs, qe) for qs, qe in inner if qs <= c.idx < qe), None)
                    if head_in and para[:head_in[0] - 1].rstrip()[-1:] in (",", ":", "—", "–"):
                        continue  # a lead-in, then the quoted clause itself ("While …, “if we move …,” she said")
                if len(toks) < (2 if tok.lemma_ in object_cues else 3):
                    continue
                subj = [as_report[1]] if as_report else [ch for ch in tok.children if ch.dep_ in ("nsubj",)]
                if len(subj) > 1:
                    subj = [ch for ch in subj if ch.i > toks[-1].i][-1:] or subj  # "A, X warned": X, not A's noun
                if not subj and not any(ch.dep_ in ("nsubjpass", "auxpass") for ch in tok.children):
                    # "X said A and added B", "X rejected the request, saying B", "responded by saying B":
                    # the subject of the verb the report hangs on; "attacked Trump for saying B": its object
                    subj = _report_subject(tok, lambda t: any(qs - 1 <= t.idx < qe + 1 for qs, qe in covered))
                if not subj:
                    continue
                stoks = _mention_tokens(subj[0], cs, ce) if subj[0].i not in own_span else _mention_tokens(subj[0])
                if not stoks or (stoks[0].lower_ == "it" and any(ch.dep_ == "auxpass" for ch in tok.children)):
                    continue
                if len(stoks) == 1 and stoks[0].lower_ in _FIRST_SECOND:
                    continue  # "I said", "you told": an interview or quoted speech, not a report
                sid, sname, scountry, how = _speaker(stoks, base + cs, res, reg)
                an.quotes.append(Quote(base + cs, base + ce, para[cs:ce], "indirect", tok.text, base + tok.idx, _span_text(stoks),
                                       base + stoks[0].idx, base + stoks[-1].idx + len(stoks[-1].text), sid, sname, scountry))  # fmt: skip
                _note_speaker(res, base + cs, sid, scountry, sname, how)
                if how in ("registry", "name") and toks[0].lower_ in ("he", "she") and toks[0].dep_ == "nsubj" \
                        and res.name_pronoun.get(sid or "", toks[0].lower_) == toks[0].lower_:
                    # "Berg said she would …": Berg is "she"; not "John C. Eastman, arguing that she (Harris) needs …"
                    res.learn_pronoun(sid, toks[0].lower_)
            # "Oslo's claim that …", "X repeated his warning that …", "Moscow's threat to …"
            for tok in _within(doc, nouns, sent):
                if tok.pos_ != "NOUN" or tok.lemma_ not in noun_cues or any(qs - 1 <= tok.idx < qe + 1 for qs, qe, _ in spans):
                    continue
                if any(a.dep_ == "ccomp" and a.head.lemma_ in indirect_cues for a in tok.ancestors) or _fronted(tok.head):
                    continue  # part of what someone else reports ("X said Oslo's plan to … would fail", "…, X warned")
                found = _noun_report(tok, noun_cues[tok.lemma_])
                if found is None:
                    continue
                toks, stoks = found
                cs, ce = toks[0].idx, _close_mark(para, toks[0].idx, toks[-1].idx + len(toks[-1].text))
                if len(toks) < 3 or any(cs < qe and qs < ce and not (cs < qs - 1 and qe + 1 <= ce) for qs, qe in covered):
                    continue  # too short, or cut across a quotation
                if any(qs - 1 <= cs and ce <= qe + 1 for qs, qe in covered) or (len(stoks) == 1 and stoks[0].lower_ in _FIRST_SECOND | {"my", "our", "your"}):
                    continue
                sid, sname, scountry, how = _speaker(stoks, base + cs, res, reg)
                an.quotes.append(Quote(base + cs, base + ce, para[cs:ce], "indirect", tok.text, base + tok.idx, _span_text(stoks),
                                       base + stoks[0].idx, base + stoks[-1].idx + len(stoks[-1].text), sid, sname, scountry))  # fmt: skip
            # "The plan was criticized by the council as reckless": a passive report with its agent
            for tok in _within(doc, reports, sent):
                if tok.pos_ != "VERB" or not (tok.lemma_ in indirect_cues or tok.lemma_ in object_cues or tok.lemma_ in cues):
                    continue
                found = _passive_report(tok)
                if found is None or any(qs - 1 <= tok.idx < qe + 1 for qs, qe, _ in spans):
                    continue
                toks, stoks = found
                cs, ce = toks[0].idx, _close_mark(para, toks[0].idx, toks[-1].idx + len(toks[-1].text))
                if any(cs < qe and qs < ce for qs, qe in covered):
                    continue
                sid, sname, scountry, how = _speaker(stoks, base + cs, res, reg)
                an.quotes.append(Quote(base + cs, base + ce, para[cs:ce], "indirect", tok.text, base + tok.idx, _span_text(stoks),
                                       base + stoks[0].idx, base + stoks[-1].idx + len(stoks[-1].text), sid, sname, scountry))  # fmt: skip
            # "according to X, …", "in the words of X, …", "in X's words, …"
            for tok in _within(doc, according, sent):
                found = _according_to(tok)
                if found is None:
                    continue
                stoks, last, cue = found
                if len(stoks) == 1 and stoks[0].lower_ in _FIRST_SECOND:
                    continue  # "What, according to you, …": a question put to an interviewee
                rest = [t for t in sent if t.i < tok.i or t.i > last]
                rest = [t for t in rest if not t.is_punct]
                if len(rest) < 4:
                    continue
                cs, ce = rest[0].idx, _close_mark(para, rest[0].idx, rest[-1].idx + len(rest[-1].text))
                if any(cs < qe and qs < ce for qs, qe in covered):
                    continue
                sid, sname, scountry, how = _speaker(stoks, base + cs, res, reg)
                an.quotes.append(Quote(base + cs, base + ce, para[cs:ce], "indirect", cue, base + tok.idx, _span_text(stoks),
                                       base + stoks[0].idx, base + stoks[-1].idx + len(stoks[-1].text), sid, sname, scountry))  # fmt: skip

    # In an interview (two or more paragraphs ask "you" a question), a paragraph whose own words speak in the
    # first person is the interviewee's answer: what it reports or quotes is inside that speech, not the
    # article's attribution. (An opinion piece says "I" too, and there its reports are the article's.)
    interview = sum(1 for p in paragraphs if _asks_you(p)) >= 2
    contents: list[list[tuple[int, int]]] = [[] for _ in paragraphs]
    for q in an.quotes:  # the reported words ("X said we must …") do not make the narration first-person
        k = _para_of(offsets, q.start)
        contents[k].append((q.start - offsets[k] + 1, q.end - offsets[k] - 1))
    first = [interview and _first_person(p, contents[k]) for k, p in enumerate(paragraphs)]
    an.quotes = [q for q in an.quotes if q.cue == ":" or not first[_para_of(offsets, q.start)]]
    # An indirect quote inside another one ("it said it feared that X could…") is part of the outer claim.
    ind = [q for q in an.quotes if q.kind == "indirect"]
    nested = {id(q) for q in ind for o in ind if o is not q and o.start <= q.start and q.end <= o.end and (o.end - o.start) > (q.end - q.start)}
    an.quotes = [q for q in an.quotes if id(q) not in nested]
    _fragments_follow_their_report(an.quotes)
    _reported_things_do_not_speak(an.quotes, res.persons, reg)
    link_entities(an, paragraphs, docs, offsets, reg, res)  # outlets, organisations, article persons (nlp/entities.py)
    for q in an.quotes:
        q.about = sorted({m.actor_id for m in an.mentions if m.actor_id and q.start <= m.start and m.end <= q.end} - {q.speaker_id})
    an.quotes.sort(key=lambda q: q.start)
    an.persons = res.persons
    an.decisions = res.decisions
    for d in docs:
        d.user_data.pop("polarwatch_ents", None)  # the entity cache of _doc_ents stays out of what later stages see
    return an


def _fragments_follow_their_report(quotes: list[Quote]) -> None:
    """A direct quote inside the content of an indirect one ("Trump's claim that there were “thousands of
    shootings”") is part of that report (a mixed quote): it takes the report's speaker when its own cue lies
    outside the report and its speaker differs."""
    reports = [q for q in quotes if q.kind == "indirect" and q.speaker_name and not q.in_title]
    for d in quotes:
        if d.kind != "direct" or d.in_title:
            continue
        r = next((r for r in reports if r.start <= d.start and d.end <= r.end and r.end - r.start > d.end - d.start), None)
        if r is None or (d.speaker_id or d.speaker_name) == (r.speaker_id or r.speaker_name) or d.cue_start == r.cue_start:
            continue
        if d.cue_start is not None and r.start <= d.cue_start < r.end:
            continue  # a cue of its own inside the report: someone the report quotes
        d.cue, d.cue_start, d.speaker_text, d.speaker_start, d.speaker_end = r.cue, r.cue_start, r.speaker_text, r.speaker_start, r.speaker_end
        d.speaker_id, d.speaker_name, d.speaker_country = r.speaker_id, r.speaker_name, r.speaker_country


def _reported_things_do_not_speak(quotes: list[Quote], persons: dict[str, Person], reg: ActorRegistry) -> None:
    """A quote whose speaker mention lies inside the content of another report and names no one ("Hawkins claimed
    the coronavirus pandemic shows the US is a “failed state”", "She says it underscores that …", "He claimed a
    vaccine was near and said …", where the parser hung the second cue inside the claim) belongs to that report: what
    a report is about does not speak, the reporter does. A person (or "he", "she", an anonymous voice) inside a report
    may be someone the report quotes, and keeps the quote."""
    reports = [o for o in quotes if not o.in_title and o.speaker_start is not None and (o.speaker_id or o.speaker_name)
               and not o.start <= o.speaker_start < o.end]  # fmt: skip
    for q in quotes:
        if q.in_title or q.speaker_start is None or _names_someone(q, persons, reg):
            continue
        o = next((o for o in reports if o is not q and o.start <= q.speaker_start < o.end), None)
        if o is not None:
            q.speaker_text, q.speaker_start, q.speaker_end = o.speaker_text, o.speaker_start, o.speaker_end
            q.speaker_id, q.speaker_name, q.speaker_country = o.speaker_id, o.speaker_name, o.speaker_country


def _names_someone(q: Quote, persons: dict[str, Person], reg: ActorRegistry) -> bool:
    """Whether a quote's speaker is a person, a personal pronoun or an anonymous voice."""
    if q.speaker_id and (q.speaker_id in persons or (a := reg.actors.get(q.speaker_id)) is not None and a.is_person):
        return True
    return (q.speaker_text or "").lower() in _PERSONAL or (q.speaker_name or "").startswith("unnamed ")


_PERSONAL = frozenset({"he", "she", "i", "we", "you", "him", "her"})
_FIRST = re.compile(r"\b(?:I|me|my|we|We|our|Our|My)\b")


def _first_person(para: str, reported: list[tuple[int, int]]) -> bool:
    """Whether the paragraph's words outside quotation marks and outside the *reported* content spans say "I",
    "me", "my", "we" or "our"."""
    if not _FIRST.search(para):
        return False
    spans = [(qs, qe) for qs, qe, _ in _quote_spans(para)] + reported
    return bool(_FIRST.search(" ".join(_words_outside(para, 0, len(para), spans))))


_YOU = re.compile(r"\b(?:you|your|You|Your)\b")


def _asks_you(para: str) -> bool:
    """A question put to "you" in the paragraph's own words (an interviewer's)."""
    if not para.rstrip().rstrip("\"”").endswith("?") or not _YOU.search(para):
        return False
    return bool(_YOU.search(" ".join(_words_outside(para, 0, len(para), [(qs, qe) for qs, qe, _ in _quote_spans(para)]))))


def _para_of(offsets: list[int], pos: int) -> int:
    return bisect_right(offsets, pos) - 1


@lru_cache(maxsize=16)
def _string_ids(words: frozenset[str]) -> frozenset[int]:
    """The spaCy string ids (hashes) of *words*: a token's LEMMA or LOWER array value is the id of its string."""
    from spacy.strings import get_string_id

    return frozenset(get_string_id(w) for w in words)


def _pass_heads(doc: Any, noun_ids: frozenset[int], report_ids: frozenset[int]) -> tuple[list[int], ...]:
    """Indices of the tokens of *doc* that can pass the first test of each indirect-speech pass of ``analyse``: a
    verb or auxiliary; a noun with a cue noun's lemma; a verb with a cue lemma; the word "according", "in" or "from". A
    superset of what each test takes (equal ids for equal strings), so the passes find what they found before."""
    from spacy.attrs import LEMMA, LOWER, POS
    from spacy.parts_of_speech import AUX, NOUN, VERB

    if not len(doc):
        return [], [], [], []
    pos, lemma, lower = doc.to_array([POS, LEMMA, LOWER]).T.tolist()
    words = _string_ids(frozenset({"according", "in", "from"}))
    verbs = [i for i, p in enumerate(pos) if p == VERB or p == AUX]
    nouns = [i for i, p in enumerate(pos) if p == NOUN and lemma[i] in noun_ids]
    reports = [i for i in verbs if pos[i] == VERB and lemma[i] in report_ids]
    return verbs, nouns, reports, [i for i, w in enumerate(lower) if w in words]


def _tokens_between(doc: Any, start: int, end: int) -> list[Any]:
    """The tokens of *doc* that begin at a character offset from *start* up to *end* (excluded), in order, found
    by bisection in the doc's offsets rather than by making every token of the paragraph."""
    from spacy.attrs import IDX

    starts = doc.to_array(IDX).tolist() if len(doc) else []
    return [doc[i] for i in range(bisect_left(starts, start), bisect_left(starts, end))]


def _within(doc: Any, heads: list[int], sent: Any) -> list[Any]:
    """The tokens of *heads* (ascending indices) inside the sentence *sent*, in order."""
    return [doc[i] for i in heads[bisect_left(heads, sent.start) : bisect_left(heads, sent.end)]]


# Verbs that take a clause without reporting anything: perception, causation, seeming, becoming, and the light
# verbs. Any other verb whose subject can be a source and whose complement is a claim reports it.
_NOT_REPORTS = frozenset("""
    be have do get make let help cause see watch hear look seem appear sound happen mean ensure guarantee
    become go come take give keep leave put turn begin start stop try need use depend matter prove
""".split())
_QUESTION_VERBS = frozenset({"ask", "wonder", "question", "inquire", "query"})
_WH = frozenset({"WDT", "WP", "WRB", "WP$"})


def _source_subject(tok: Any) -> Any:
    """The subject of *tok* when it can be a source (a name, a personal or relative pronoun, a role, a body, any
    common noun; not "it" or "this"), else None."""
    subj = next((c for c in tok.children if c.dep_ == "nsubj"), None)
    if subj is None or subj.lower_ in ("it", "this", "that", "there", "which", "what"):
        return None
    return subj if _can_name_speaker(subj) or subj.lower_ == "who" or subj.pos_ == "NOUN" else None


def _source_and_clause(tok: Any) -> Any:
    """The clausal complement after *tok* when its subject can be a source, else None."""
    if _source_subject(tok) is None:
        return None
    return next((c for c in tok.children if c.dep_ == "ccomp" and c.i > tok.i), None)


def _clausal_report(tok: Any) -> bool:
    """A verb not on the cue lists that still reports a claim: a subject that can be a source and a
    that-clause, or a finite clause with its own subject right after the verb ("Mr. Obama, who understood
    that a push would fail", "Delegates felt the plan was dead"); not a question, not a verb of perception
    or causation ("saw that", "made sure that")."""
    if tok.pos_ != "VERB" or not (tok.text.isalpha() and tok.text.isascii()) or tok.lemma_ in _NOT_REPORTS:
        return False  # (a dash the tagger took for a verb is none, nor a word of a non-English paragraph)
    comp = _source_and_clause(tok)
    if comp is None or any(c.dep_ == "dobj" and c.pos_ in ("NOUN", "PROPN") and c.i < comp.i for c in tok.children):
        return False  # none, or a relative clause the parser took for one ("cited remarks Trump had made")
    marks = {m.lower_ for m in comp.children if m.dep_ == "mark"}
    if marks:
        return marks == {"that"}
    own_subj = any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in comp.children)
    finite = comp.tag_ in _FINITE or any(a.dep_ in ("aux", "auxpass") and a.tag_ in _FINITE for a in comp.children)
    # or a mandative subjunctive, a bare "be" with no "to" ("ordered the flags be lowered", "demanded he be freed")
    finite = finite or any(a.dep_ in ("aux", "auxpass") and a.lower_ == "be" and a.tag_ == "VB" for a in comp.children) \
        and not any(a.dep_ == "aux" and a.lower_ == "to" for a in comp.children)
    between = tok.doc[tok.i + 1 : comp.left_edge.i]
    # right after the verb ("felt the FBI was …"), not across a dash or comma the parser bridged
    return own_subj and finite and comp.left_edge.tag_ not in _WH and len(between) <= 1 and not any(t.is_punct for t in between)


def _asked(tok: Any) -> bool:
    """A verb of asking with a source subject and an indirect question as its clause: "asked whether the
    ministry had read it", "questioned how the plan could work"; the question is what was asked."""
    comp = _source_and_clause(tok) if tok.lemma_ in _QUESTION_VERBS else None
    if comp is None:
        return False
    return any(m.dep_ == "mark" and m.lower_ in ("whether", "if") for m in comp.children) or comp.left_edge.tag_ in _WH


def _attributing_phrase(doc: Any, qs: int, qe: int, spans: list[tuple[int, int, bool]], cues: frozenset[str]) -> tuple[Any, list[Any]] | None:
    """(cue token, speaker mention) of an "as" clause or an "in the words of" phrase outside the quotations of the
    sentence holding the quotation at *qs*..*qe*: "As one diplomat put it, “…”"; "according to X" only when the
    rest of the sentence is quotation ("According to X, “…”"), since "according to X, A “b”" is a reported clause
    with a quoted fragment, left to the indirect rules."""
    inside = lambda t: any(s - 1 <= t.idx < e + 1 for s, e, _ in spans)  # noqa: E731
    for sent in doc.sents:
        if not (sent.start_char <= qs < sent.end_char + 1):
            continue
        for tok in sent:
            if inside(tok):
                continue
            if (tok.lemma_ in cues or tok.lemma_ == "put") and (found := _as_clause(tok)) is not None:
                return tok, _mention_tokens(found[1])
            if (phrase := _according_to(tok)) is not None and not any(inside(t) for t in phrase[0]):
                rest = [t for t in sent if not t.is_punct and not inside(t) and not tok.i <= t.i <= phrase[1]]
                if phrase[2] != "according to" or not rest:
                    return tok, phrase[0]
    return None


def _according_to(tok: Any) -> tuple[list[Any], int, str] | None:
    """(speaker mention, index of the phrase's last token, cue) of a phrase that attributes its sentence:
    "according to [X]", "in the words of [X]", "in [X]'s words"."""
    doc = tok.doc
    if tok.lower_ == "according" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "to":
        obj = next((t for t in doc[tok.i + 1].children if t.dep_ == "pobj"), None)
        if obj is None:
            return None
        stoks, last = list(obj.subtree), obj.right_edge.i
        if tok.i == tok.sent.start:
            last = _fronted_source_end(doc, obj, last)
            stoks = list(doc[obj.left_edge.i : last + 1])
        return stoks, last, "according to"
    if tok.lower_ not in ("in", "from") or tok.dep_ != "prep":
        return None
    if (view := _view_of(tok)) is not None:
        return view
    if tok.lower_ != "in":
        return None
    words = next((t for t in tok.children if t.dep_ == "pobj" and t.lower_ == "words"), None)
    if words is None:
        # "In a report of the council, [the storm damaged 143 buildings]": a document that opens its sentence and
        # attributes the rest, when the rest reports nothing of its own ("In a statement, the ministry said …")
        doc_noun = next((t for t in tok.children if t.dep_ == "pobj" and t.lemma_.lower() in _DOCUMENT_NOUNS and t.tag_ == "NN"), None)
        if doc_noun is None or tok.i != tok.sent.start or not (tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ in ("a", "an", "the", "its", "their", "his", "her")):
            return None
        last = doc_noun.right_edge.i
        if last + 1 >= len(doc) or doc[last + 1].text != "," or any(
                t.pos_ in ("VERB", "AUX") and (t.lemma_ in cue_lemmas()[0] or t.lemma_ in object_lemmas()) for t in tok.sent if t.i > last):
            return None
        return [t for t in doc_noun.subtree], last, "in"

    of = next((c for c in words.children if c.dep_ == "prep" and c.lower_ == "of"), None)
    obj = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
    obj = obj or next((c for c in words.children if c.dep_ == "poss"), None)
    if obj is None:
        return None
    stoks = [t for t in obj.subtree if t.dep_ != "case"]
    return (stoks, words.right_edge.i, "in the words of" if of is not None else "words") if stoks else None


# Nouns of a point of view: "In his view, …", "From the minister's perspective, …", "In the opinion of X, …"
_VIEW_NOUNS = frozenset("view opinion estimation judgment judgement perspective eyes mind".split())


def _view_of(tok: Any) -> tuple[list[Any], int, str] | None:
    """(source mention, index of the phrase's last token, cue) of "In his view, …", "From Sufianov's perspective,
    …", "in the opinion of X, …", set off by a comma at the start of its sentence or between commas, when the rest
    of the sentence reports nothing of its own; the cue is the preposition as written, as for "according to"."""
    doc = tok.doc
    view = next((t for t in tok.children if t.dep_ == "pobj" and t.lemma_.lower() in _VIEW_NOUNS and t.tag_ == "NN"), None)
    if view is None or not (tok.i == tok.sent.start or doc[tok.i - 1].text == ","):
        return None
    of = next((c for c in view.children if c.dep_ == "prep" and c.lower_ == "of"), None)
    src = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
    src = src or next((c for c in view.children if c.dep_ == "poss"), None)
    last = view.right_edge.i
    if src is None or src.lower_ in ("my", "our", "your") or last + 1 >= len(doc) or doc[last + 1].text != ",":
        return None
    if any(t.pos_ in ("VERB", "AUX") and t.lemma_ in cue_lemmas()[0] or t.text == "?" for t in tok.sent if t.i > last):
        return None  # "In his view, the minister said …": the report the sentence makes; a question asks a view
    stoks = [t for t in src.subtree if t.dep_ != "case" and t.lower_ not in ("'s", "’s")]
    return stoks, last, tok.text


def _fronted_source_end(doc: Any, obj: Any, last: int) -> int:
    """The last token of the source of an "According to X, …" that opens its sentence, where the parser ended X
    too soon: the rest of a name before the comma ("According to Connecticut [Senator Richard Blumenthal],"), or a
    person's name in apposition to a description ("According to the first selectman, [Chris Kervick], …")."""
    end = last
    while end + 1 < len(doc) and doc[end + 1].pos_ == "PROPN" and doc[end + 1].text[:1].isupper():
        end += 1
    if end > last and end + 1 < len(doc) and doc[end + 1].text == ",":
        return end
    if obj.pos_ == "NOUN" and obj.tag_ == "NN" and last + 2 < len(doc) and doc[last + 1].text == ",":
        name = next((e for e in _doc_ents(doc) if e.start == last + 2 and e.label_ == "PERSON"), None)
        if name is not None and name.end < len(doc) and doc[name.end].text == "," and len(name) > 1:
            return name.end - 1
    return last


# Verbs with an object and its infinitive that cause or let rather than ask: "forced the ship to turn back".
_NOT_REQUESTS = _NOT_REPORTS | frozenset("""
    force allow enable permit require lead drive prompt push compel oblige leave train hire pay lose inspire defeat beat
    render receive send bring elect appoint
""".split())


def _request(tok: Any) -> bool:
    """A verb on no cue list with a source subject, an object and the object's infinitive: a request or an
    exhortation whatever the verb ("exhorted Republicans to vote …", "persuaded Xi to join …"); not a verb
    that causes or lets ("forced", "allowed", "helped")."""
    if tok.pos_ != "VERB" or not (tok.text.isalpha() and tok.text.isascii()) or tok.lemma_ in _NOT_REQUESTS or _source_subject(tok) is None:
        return False
    obj = next((c for c in tok.children if c.dep_ == "dobj" and c.i > tok.i), None)
    if obj is None or not (_can_name_speaker(obj) or obj.lower_ in ("him", "her", "them")):
        return False  # someone is asked, not something ("requested absentee ballots to vote by mail")
    xcomp = next((c for c in tok.children if c.dep_ in ("xcomp", "ccomp") and obj is not None and c.i > obj.i), None)
    return xcomp is not None and xcomp.pos_ == "VERB" and any(a.dep_ == "aux" and a.lower_ == "to" for a in xcomp.children)


def _as_clause(tok: Any) -> tuple[list[Any], Any] | None:
    """(content, speaker head) of a report in an "as" clause, which attributes the clause it is attached to:
    "As Lund put it, [the talks are dead]", "[The talks are dead], as Lund noted", "As reported by [NRK], …",
    "As stated in [the council's report], …". Not "as he said goodbye" (an object of its own)."""
    if tok.dep_ != "advcl" or not any(c.dep_ == "mark" and c.lower_ == "as" and c.i < tok.i for c in tok.children):
        return None
    if tok.lemma_ == "put" and not any(c.dep_ == "dobj" and c.lower_ == "it" for c in tok.children):
        return None
    if any(c.dep_ in ("dobj", "ccomp", "xcomp") and c.lower_ not in ("it", "so") for c in tok.children):
        return None
    spk = next((c for c in tok.children if c.dep_ == "nsubj"), None)
    for c in tok.children if spk is None else ():
        if c.dep_ == "agent" or c.dep_ == "prep" and c.lower_ in ("in", "by"):  # "as reported by NRK", "as stated in …"
            spk = next((x for x in c.children if x.dep_ == "pobj"), None)
            if spk is not None:
                break
    if spk is None:
        return None
    doc, first, last = tok.doc, tok.left_edge.i, tok.right_edge.i
    toks = [t for t in tok.head.subtree if not first <= t.i <= last]
    if not toks or len([t for t in toks if not t.is_punct]) < 3:
        return None
    # set off by a comma at either end of what it attributes, not in its middle ("As he welcomed guests, …" misparsed)
    words = [t for t in toks if not t.is_punct]
    fronted = words[0].i > last and last + 1 < len(doc) and doc[last + 1].text == ","
    trailing = words[-1].i < first and first > 0 and doc[first - 1].text == ","
    return (toks, spk) if fronted or trailing else None


def _parenthetical(tok: Any, sent: Any) -> list[Any]:
    """The reported words around a report that interrupts or ends them: "A, he said, B", "A, Graham said, since B"."""
    if tok.dep_ != "parataxis" or not any(c.dep_ in ("nsubj", "nsubjpass") for c in tok.children):
        return []
    own = {t.i for t in tok.subtree}
    return [t for t in sent if t.i not in own]


def _fronted(tok: Any) -> list[Any]:
    """The reported clause before ", X warned" when the parser made its noun a second subject of the report
    ("Canada's plan to buy … risks turning …, a Chinese expert has warned"): the words from that noun to the comma."""
    subj = [c for c in tok.children if c.dep_ == "nsubj" and c.i < tok.i]
    if len(subj) < 2 or any(c.dep_ in ("ccomp", "dobj", "xcomp") and c.i > tok.i for c in tok.children):
        return []  # one subject, or the report has its own content after it
    first, last = subj[0], subj[-1]
    doc = tok.doc
    comma = next((t for t in reversed(doc[first.i : last.left_edge.i]) if t.text == ","), None)
    if comma is None or comma.i <= first.i:
        return []
    toks = list(doc[first.left_edge.i : comma.i])
    # a clause, not a name and its apposition ("Ban Ki-moon, the secretary general of the UN, vowed …")
    return toks if len(toks) >= 4 and any(t.pos_ in ("VERB", "AUX") for t in toks) else []


def _infinitive(tok: Any, lemmas: frozenset[str]) -> list[Any]:
    """What a verb of intent or request reports: "vowed [to punish …]", "urged [Republicans to join …]",
    "called for [an inquiry]", "called on [Trump to apologise]"."""
    if tok.lemma_ not in lemmas:
        return []
    kids = list(tok.children)
    xcomp = [c for c in kids if c.dep_ in ("xcomp", "ccomp") and c.i > tok.i and any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children)]
    if xcomp:
        obj = [c for c in kids if c.dep_ in ("dobj", "nsubj") and tok.i < c.i < xcomp[0].i]
        first = obj[0] if obj else xcomp[0]
        start = max(first.left_edge.i, tok.i + 1)  # not a word the parse pulls in from before the verb ("what it wants to be")
        return [t for t in tok.doc[start : xcomp[0].right_edge.i + 1]]
    if tok.lemma_ == "call":
        prep = [c for c in kids if c.dep_ == "prep" and c.lower_ in ("for", "on") and c.i == tok.i + 1]
        objs = [c for c in prep[0].children if c.dep_ in ("pobj", "pcomp")] if prep else []  # "called for cutting …"
        if objs:
            end = max([objs[0].right_edge.i] + [c.right_edge.i for c in kids if c.dep_ in ("xcomp", "advcl") and c.i > objs[0].i])
            return list(tok.doc[objs[0].left_edge.i : end + 1])
    return []


_WH_WORDS = frozenset("what why how whether where when who which".split())
_TELLS_WH = frozenset("discuss explain describe detail outline reveal disclose recount".split())  # "discussed why he decided …"


def _object(tok: Any) -> list[Any]:
    """The noun object of a verb of criticism, praise or citing, with what says why or as what ("criticized
    [the plan as a “disaster”]", "blasted [him for not paying tax]", "called [the plan “reckless”]"); for
    a charge, what the target is charged with ("accused Oslo of [breaking the treaty]"); nothing for a lone
    pronoun ("praised it"), and for a verb of naming nothing without an object complement ("called the minister")."""
    kids = list(tok.children)
    obj = next((c for c in kids if c.dep_ == "dobj" and c.i > tok.i), None)
    what = next((c for c in kids if c.dep_ == "ccomp" and c.i > tok.i and c.left_edge.lower_ == "what"), None)
    if obj is None and what is not None and tok.lemma_ not in complement_lemmas():
        return list(tok.doc[what.left_edge.i : what.right_edge.i + 1])  # "condemned [what he called a “breach”]"
    wh = next((c for c in kids if c.dep_ == "ccomp" and c.i > tok.i and c.left_edge.lower_ in _WH_WORDS), None) if tok.lemma_ in _TELLS_WH else None
    if obj is None and wh is not None:
        # "discussed [why he joined …, what he sees as …, and why voters …]": the questions a verb of telling reports
        end = max([wh.right_edge.i] + [c.right_edge.i for c in kids if c.i > wh.i and c.dep_ in ("dep", "conj", "dobj", "ccomp")])
        return list(tok.doc[wh.left_edge.i : end + 1])
    oprd = next((c for c in kids if obj is not None and c.i > obj.i and (c.dep_ == "oprd" or c.dep_ == "prep" and c.lower_ == "as"
                                                                        or _second_object_complement(tok, obj, c))), None)
    if tok.lemma_ in complement_lemmas() and oprd is None and not (obj is not None and any(t.text in _OPEN + "”" for t in obj.subtree)):
        return []  # no complement, unless the parser hung it inside the object ("called the plan “reckless”")
    of = next((c for c in kids if c.dep_ == "prep" and c.lower_ == "of" and obj is not None and c.i > obj.i), None)
    charge = [c for c in of.children if c.dep_ in ("pcomp", "pobj")] if of is not None else []
    if charge:
        return list(tok.doc[charge[0].left_edge.i : charge[0].right_edge.i + 1])
    if obj is None or obj.pos_ == "PRON" and len(list(obj.subtree)) == 1 and oprd is None:
        return []
    if obj.lemma_ in cue_nouns() and _noun_report(obj, cue_nouns()[obj.lemma_]) is not None:
        return []  # "repeated her claim that …": the claim's own clause is the report
    end = obj.right_edge.i
    for c in kids:
        if c.i > obj.i and (c.dep_ in ("oprd", "ccomp") or c is oprd or c.dep_ in ("prep", "advcl") and c.lower_ in ("for", "as", "over")):
            end = max(end, c.right_edge.i)
        elif c.i > obj.i and c.dep_ == "dobj" and any(x.dep_ == "cc" and obj.i < x.i < c.i for x in kids):
            end = max(end, c.right_edge.i)  # "condemned the test as … and a “grave threat” to …": a second object
    return list(tok.doc[obj.left_edge.i : end + 1])


def _prep_object(tok: Any, preps: frozenset[str]) -> list[Any]:
    """The object of a preposition the verb reports through, with what is coordinated with it ("argued [for
    checks and balances and for a new agency]", "warned [of a storm surge]"); the preposition must follow the
    verb (a particle may come between: "spoke out against"), and a lone pronoun ("commented on it") says nothing."""
    doc = tok.doc
    for prep in tok.children:
        if prep.dep_ != "prep" or prep.lower_ not in preps or not (prep.i == tok.i + 1 or prep.i == tok.i + 2 and doc[tok.i + 1].dep_ in ("prt", "advmod")):
            continue
        obj = next((c for c in prep.children if c.dep_ in ("pobj", "pcomp")), None)
        if obj is None or obj.pos_ == "PRON" and obj.left_edge.i == obj.right_edge.i:
            return []
        return list(doc[obj.left_edge.i : prep.right_edge.i + 1])
    return []


def _second_object_complement(tok: Any, obj: Any, c: Any) -> bool:
    """A verb of naming's complement that the parser made a second object ("branded [the decision] [a
    “grave mistake”]"): a noun right after the object's phrase, with no conjunction between them."""
    if tok.lemma_ not in complement_lemmas() or c.dep_ != "dobj" or c.i <= obj.i:
        return False
    return not any(t.dep_ == "cc" or t.text == "," for t in tok.doc[obj.right_edge.i + 1 : c.left_edge.i])


def _noun_report(noun: Any, kinds: tuple[bool, bool]) -> tuple[list[Any], list[Any]] | None:
    """(content, speaker mention) of a cue noun with its own clause or infinitive: "[Oslo]'s claim that [the
    zone is legal]", "[Moscow]'s threat to [close the route]"; the speaker is the noun's possessor, else the
    subject of the verb whose object it is ("[the ministry] issued a warning that …"). None without either."""
    clause_ok, inf_ok = kinds
    comp = None
    for c in noun.children:
        if c.i < noun.i or c.dep_ not in ("acl", "ccomp"):
            continue
        marks = [m for m in c.children if m.dep_ == "mark" and m.lower_ == "that"]
        to = any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children)
        if (clause_ok and marks) or (inf_ok and to and not marks):
            comp = c
            break
    if comp is None:
        return None
    poss = [c for c in noun.children if c.dep_ == "poss"]
    verb = noun.head if noun.dep_ == "dobj" else None
    subj = [c for c in verb.children if c.dep_ == "nsubj"] if verb is not None else []
    if poss and not (poss[0].lower_ in _POSSESSIVE_PRONOUNS and subj and subj[0].pos_ != "PRON"):
        stoks = [t for t in poss[0].subtree]
    else:
        # no possessor, or a pronoun one that stands for the verb's subject ("the council repeated its concern")
        if not subj or subj[0].lower_ in ("who", "which", "that"):
            return None
        stoks = _mention_tokens(subj[0])
    toks = sorted((t for t in comp.subtree if not (t.dep_ == "mark" and t.head.i == comp.i) and (not t.is_punct or t.text in "()[]")), key=lambda t: t.i)
    return (toks, stoks) if toks and stoks else None


def _passive_report(tok: Any) -> tuple[list[Any], list[Any]] | None:
    """(content, speaker mention) of a passive report with an agent and no clause of its own: "[The plan] was
    criticized by [the council]", "[The story] was first reported by [the Post]"; not a pronoun subject."""
    kids = list(tok.children)
    subj = next((c for c in kids if c.dep_ == "nsubjpass"), None)
    agent = next((c for c in kids if c.dep_ == "agent"), None)
    pobj = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None
    if subj is None or pobj is None or subj.pos_ == "PRON" or any(c.dep_ == "ccomp" for c in kids):
        return None
    toks = sorted((t for t in subj.subtree if not t.is_punct or t.text in "()[]"), key=lambda t: t.i)  # one span: not the "as …" after the agent
    stoks = _mention_tokens(pobj)
    return (toks, stoks) if len(toks) >= 2 and stoks else None


def _gerund(tok: Any) -> list[Any]:
    """A gerund clause a report takes as its content: "proposed [dropping the levy]", "suggested [looking at …]"."""
    ger = next((c for c in tok.children if c.dep_ in ("xcomp", "ccomp") and c.i > tok.i and c.tag_ == "VBG"
                and not any(a.dep_ == "aux" for a in c.children)), None)
    return list(tok.doc[ger.left_edge.i : ger.right_edge.i + 1]) if ger is not None and ger.left_edge.i > tok.i else []


def _withheld(tok: Any) -> bool:
    """A report that is not made: negated, declined or refused ("would not discuss the matter", "declined to
    confirm the figures", "was not authorised to discuss the matter"), or only meant ("reached out to an expert
    to discuss the plan", an infinitive of purpose)."""
    if tok.dep_ in ("advcl", "acl") and any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children):
        return True
    t = tok
    for _ in range(3):
        if any(c.dep_ == "neg" for c in t.children) or t.lemma_ in ("decline", "refuse"):
            return True
        if t.dep_ not in ("xcomp", "ccomp") or t.head is t:
            return False
        t = t.head
    return False


def _close_mark(text: str, start: int, end: int) -> int:
    """*end*, moved past the closing quotation mark of a quotation that text[start:end] opens and does not close:
    the mark right after it ("the plan “a gift to trawler owners”"), or further on when the parser left the
    quotation's last words out of the clause ("called Burma a “good news story in an era when …”")."""
    piece = text[start:end]
    if piece.count("“") > piece.count("”"):
        closer, opener = "”", "“"
    elif piece.count('"') % 2:
        closer, opener = '"', ""
    else:
        return end
    j = text.find(closer, end)
    if j == -1 or (opener and opener in text[end:j]):
        return end
    return j + 1


def _cites(tok: Any, object_cues: frozenset[str]) -> bool:
    """A participle that reports its own noun object after a clause ("…, citing the risk to shipping")."""
    return tok.lemma_ in object_cues and tok.tag_ == "VBG" and tok.dep_ == "advcl" and any(c.dep_ == "dobj" for c in tok.children)


def _reports(tok: Any, cues: frozenset[str]) -> bool:
    """A cue verb with a clausal complement: it reports something."""
    return tok.lemma_ in cues and tok.pos_ in ("VERB", "AUX") and any(c.dep_ == "ccomp" for c in tok.children)


def _own_report(tok: Any) -> bool:
    """A report coordinated with the clause or added to it ("A and said B", "A, adding that B"), not one
    the clause subordinates ("A was right when he said B": B belongs to A's content)."""
    if tok.dep_ == "conj":
        # "A and said B" shares the subject; "she hopes A, but she knows B" is one report of the same speaker
        return not any(c.dep_ == "nsubj" and c.lower_ in _PRONOUNS for c in tok.children)
    return tok.dep_ == "advcl" and not any(c.dep_ in ("mark", "advmod") and c.i < tok.i for c in tok.children)


def _words_outside(text: str, start: int, end: int, quotes: list[tuple[int, int]]) -> list[str]:
    """The words of text[start:end] outside the quotations, without a complementiser "that"."""
    chars = list(text[start:end])
    for qs, qe in quotes:
        for k in range(max(qs - 1, start), min(qe + 1, end)):
            chars[k - start] = " "
    return [w for w in re.findall(r"\w+", "".join(chars)) if w.lower() != "that"]


_TURN = re.compile(r"^\W{0,2}([A-Z][A-Z'’.-]+(?: [A-Z][A-Z'’.-]+){0,2}):\s+(\S.*?)[\s\"“”]*$", re.S)


def _transcript_turn(para: str, article: str, paragraphs: list[str]) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """((label start, end), (content start, end)) of a transcript turn "PENCE: …": a capitalised name, a colon
    and the words; a name, not a label such as "UPDATE:", when the article also writes it as a name ("Pence")
    or opens at least two paragraphs with it."""
    m = _TURN.match(para)
    if not m:
        return None
    last = m.group(1).split()[-1].strip(".'’-")
    if len(last) < 2:
        return None
    named = re.search(r"\b" + re.escape(last.title()) + r"\b", article)
    if not named and sum(1 for x in paragraphs if (t := _TURN.match(x)) and t.group(1) == m.group(1)) < 2:
        return None
    return (m.start(1), m.end(1)), (m.start(2), m.end(2))


def _starts_sentence(para: str, mark: int) -> bool:
    """Whether the quotation mark at *mark* opens a sentence of the paragraph."""
    before = para[:mark].rstrip()
    return not before or before[-1] in ".!?:" or (before[-1] in "”\"'’" and before[-2:-1] in (".", "!", "?"))


_LABEL = re.compile(r"(?:^|[.!?]\s+)([^.!?:;“”\"]{2,80}?)\s*(?::|―|—|–|--)\s*$")


def _label_speaker(doc: Any, para: str, qs: int) -> tuple[Any, list[Any]] | None:
    """A quote introduced by a name and a colon or dash: the punctuation as cue, the name as speaker."""
    m = _LABEL.search(para[: qs - 1])
    if not m:
        return None
    span = doc.char_span(m.start(1), m.end(1), alignment_mode="expand")
    if span is None or len(span) > 8 or not any(t.ent_type_ in ("PERSON", "ORG", "NORP", "GPE") for t in span):
        return None
    verb = None
    if span[0].pos_ == "VERB" and span[0].lemma_ in _INVERTIBLE and span[0].text[:1].isupper():
        verb, span = span[0], span[1:]  # "Said Ellis: “…”": an inverted cue, the name after it
    if not len(span) or any(t.pos_ == "VERB" for t in span):
        return None  # a clause ("He said: “…”" is the cue verb's), not a label
    punct = doc.char_span(m.end(1), qs - 1, alignment_mode="expand")
    cue = verb or (next((t for t in punct if not t.is_space), None) if punct is not None else None)
    toks = [t for t in span if not t.is_punct]
    return (cue, toks) if cue is not None and toks else None


def _colon_intro(doc: Any, para: str, qs: int, prev: tuple[Any, str] | None) -> tuple[Any, Any, list[Any]] | None:
    """(doc, verb, subject tokens) of the clause a colon closes right before the quotation: in this paragraph
    ("X released a statement: “…”"), or, for a paragraph that opens with the quotation, at the end of the
    previous one (*prev*: its parse and text)."""
    before = para[: qs - 1].rstrip()
    if before.endswith(":"):
        sents = [s for s in doc.sents if s.start_char <= len(before) - 1 < s.end_char]
        d, text = doc, para
    elif not before and prev is not None and prev[1].rstrip().endswith(":"):
        sents = list(prev[0].sents)[-1:]
        d, text = prev
    else:
        return None
    if not sents:
        return None
    root = sents[0].root
    if root.pos_ not in ("VERB", "AUX") or root.idx >= len(before) and d is doc:
        return None
    if any(c in text[sents[0].start_char : len(before) if d is doc else sents[0].end_char] for c in "“”\""):
        return None  # the clause quotes someone itself
    subj = [c for c in root.children if c.dep_ in ("nsubj", "nsubjpass") and _can_name_speaker(c)]
    if not subj:
        return None
    toks = _mention_tokens(subj[0])
    return (d, root, toks) if toks else None


_SIGNATURE = re.compile(r"[”\"]\s*(―|—|–|--)\s*([^!?:;“”\"]{2,60}?)[\s.]*$")


def _signature(doc: Any, para: str, qe: int) -> tuple[Any, list[Any]] | None:
    """A quotation in a paragraph signed by a closing mark, a dash and a name: the dash as cue, the name as speaker."""
    m = _SIGNATURE.search(para, qe)
    if not m:
        return None
    span = doc.char_span(m.start(2), m.end(2), alignment_mode="expand")
    if span is None or len(span) > 6 or any(t.pos_ == "VERB" for t in span):
        return None
    if not (any(t.ent_type_ in ("PERSON", "ORG") for t in span) or all(t.text[:1].isupper() or t.is_punct for t in span)):
        return None
    dash = doc.char_span(m.start(1), m.end(1), alignment_mode="expand")
    toks = [t for t in span if not t.is_punct or t.text == "."]
    return (dash[0], toks) if dash is not None and toks else None


_WHEN = ("DATE", "TIME")


def _find_cue(doc: Any, qs: int, qe: int, spans: list[tuple[int, int, bool]], cues: frozenset[str]) -> tuple[Any, list[Any]]:
    """A speech verb outside every quote in the quote's sentence(s), and its subject mention."""
    inside = lambda t: any(s - 1 <= t.idx < e + 1 for s, e, _ in spans)  # noqa: E731
    sents = [s for s in doc.sents if s.start_char < qe + 2 and qs - 2 < s.end_char]
    if sents:
        # also the sentence right after an unattributed quote ("“…,” X said." may be split there)
        last = sents[-1]
        if last.end < len(doc):
            sents.append(doc[last.end].sent)
    # a quotation that does not open its sentence is a partial quote: with no cue in its own sentence, the
    # subject of that sentence's main verb ("X attacked the “macho culture” …") speaks, not the next sentence's
    opens = not sents or all(t.is_punct or t.is_space for t in sents[0] if t.idx < qs - 1)
    best = None
    for k, s in enumerate(sents):
        if k and s.start_char >= qe + 2 and not opens:
            root = sents[0].root
            # a person (by name, a proper noun NER left untagged, or "he"/"she"), never a body or a document:
            # those scare-quote terms far more often
            subj = [c for c in root.children if c.dep_ == "nsubj" and not inside(c) and (c.ent_type_ == "PERSON" or c.lower_ in ("he", "she") or c.pos_ == "PROPN" and not c.ent_type_)]
            if root.pos_ == "VERB" and subj and not (qs <= root.idx < qe) and not any(t.text == "?" and qs <= t.idx < qe for t in sents[0]):
                stoks = [t for t in _mention_tokens(subj[0], qs, qe) if not inside(t)]
                if stoks:
                    return root, stoks
        for t in s:
            if t.lemma_ in cues and t.pos_ in ("VERB", "AUX") and not inside(t):
                dist = t.idx - qe if t.idx >= qe else qs - t.idx + 1000
                if best is None or dist < best[0]:
                    best = (dist, t)
        if best is not None:
            break
    if best is None:
        return None, []
    cue = best[1]
    # A cue verb that governs the quotation beats a nearer one: in "saying anybody who complains
    # about a microphone “is not having a good night”", the quote is what "saying" reports.
    qtoks = _tokens_between(doc, qs, qe)
    if qtoks:
        gov = next((a for a in qtoks[0].ancestors if a.lemma_ in cues and a.pos_ in ("VERB", "AUX") and not inside(a)), None)
        if gov is not None and gov.sent == qtoks[0].sent:
            cue = gov
    subj = [c for c in cue.children if c.dep_ in ("nsubj", "nsubjpass") and not inside(c) and c.ent_type_ not in _WHEN]
    if len(subj) > 1 and any(c.text == "-" for c in subj) and subj[-1].i - subj[0].i == len(subj) - 1:
        subj = [max(subj, key=lambda c: len(list(c.subtree)))]  # "co-author" cut into three subjects: the word with the phrase
    if len(subj) > 1 and subj[0].pos_ == "NOUN" and (named := [c for c in subj[1:] if c.ent_type_ == "PERSON"]):
        subj = named[:1]  # "A member of the Tunisian Parliament, Samir Dilou said": two subjects, the named one speaks
    joined = _hyphen_joined(doc, subj)
    if subj and subj[0].lower_ in ("who", "that") and cue.dep_ == "relcl":
        subj = [cue.head]  # "Eric Garner, who said “…”": the noun the relative clause belongs to
    between = cue.idx < qs and cue.i > 0 and doc[cue.i - 1].text in "”\"" and inside(doc[cue.i - 1])  # "“A,” read the statement; “B”"
    if not subj and cue.lemma_ in _INVERTIBLE and (cue.idx >= qe or cue.i == cue.sent.start or between):
        # "…,” said Peskov." / "Said Ellis: “…”" — a noun after the verb, not a time ("said Thursday morning");
        # never the object of a verb before the quotation ("asked the crowd to welcome him: “…”")
        subj = [c for c in cue.children if c.dep_ in ("dobj", "attr", "npadvmod", "oprd", "nsubj") and c.i > cue.i and not inside(c) and c.ent_type_ not in _WHEN]
        if not subj and cue.text[:1].isupper() and cue.i + 1 < len(doc) and (nxt := doc[cue.i + 1]).pos_ == "PROPN" and not inside(nxt):
            # "Said Ellis: “…”", parsed as one name or as two sentences: the name after the verb
            while nxt.i + 1 < len(doc) and doc[nxt.i + 1].pos_ == "PROPN" and not inside(doc[nxt.i + 1]):
                nxt = doc[nxt.i + 1]
            subj = [nxt]
    if not subj:
        # "…, calling the plan “reckless”", "X said A but said “B”": the subject of a verb it depends on
        subj = _issued_by(cue, inside) or _inherited_subject(cue, inside) or _participle_subject(cue, inside)
    if not subj:
        # "…,” Flynn, a top aide, said" parsed oddly: a person named between the quotation and the cue
        named = [e for e in _doc_ents(doc) if e.label_ == "PERSON" and qe < e.start_char and cue.i - 8 <= e.start and e.end <= cue.i]
        subj = [named[0].root] if named and not inside(named[0].root) else []
    if not subj:
        # "the report said" parsed oddly: the nearest word before the cue that can name a speaker (a
        # name, a personal pronoun, a role or issuing body), outside quotes; never any noun ("the debate"),
        # nor an anonymous crowd after a preposition ("took to social media, posting …")
        for t in reversed(list(doc[max(0, cue.i - 6) : cue.i])):
            if not inside(t) and t.ent_type_ not in _WHEN and _can_name_speaker(t) and not (t.dep_ == "pobj" and t.lemma_.lower() in _ANON_NOUNS):
                subj = [t]
                break
    stoks = joined or (_mention_tokens(subj[0], qs, qe) if subj else [])
    stoks = [t for t in stoks if not inside(t) and t.i != cue.i]
    return cue, stoks


def _participle_subject(cue: Any, inside: Any) -> list[Any]:
    """"The summary of the decision read in part: “…”" parsed with "read" as a participle on "decision" and the
    summary as the subject of a verb inside the quotation: the noun phrase the cue closes, when a colon follows."""
    doc = cue.doc
    if cue.dep_ != "acl" or cue.tag_ != "VBN" or not any(t.text == ":" for t in doc[cue.i + 1 : cue.i + 5]):
        return []
    t = cue.head
    for _ in range(4):
        if t.dep_ in ("nsubj", "nsubjpass") and inside(t.head) and t.pos_ in ("NOUN", "PROPN"):
            return [t]
        if t.dep_ not in ("pobj", "prep") or t.head is t:
            return []
        t = t.head
    return []


def _hyphen_joined(doc: Any, subj: list[Any]) -> list[Any]:
    """One mention the parser cut into subjects at a hyphen ("said [study co]-[author Karen Alley]"): the tokens
    from the first subject's phrase to the last one's, when a hyphen written without spaces joins them; [] else."""
    if len(subj) < 2:
        return []
    span = doc[subj[0].left_edge.i : subj[-1].i + 1]  # to the last subject's head: "… Ted Scambos [of CIRES (…)]"
    if len(span) > 10 or any(t.is_punct and t.text != "-" for t in span):
        return []
    joins = any(t.text == "-" and not t.whitespace_ and t.i > span.start and not doc[t.i - 1].whitespace_ for t in span)
    return list(span) if joins else []


_CLIMB = ("advcl", "xcomp", "conj", "acl", "ccomp", "pcomp", "prep", "pobj")


def _inherited_subject(cue: Any, inside: Any, through_content: bool = True) -> list[Any]:
    """The subject of the nearest verb above *cue* (through clauses, coordination and prepositions) that has one
    outside the quotations: "X beamed and asked …", "…, calling it “…”", "said A but said “B”". Without
    *through_content*, nothing when the way up enters or reaches a clausal complement (reported content)."""
    t = cue
    for _ in range(4):
        if t.dep_ not in _CLIMB or t.head is t or (not through_content and t.dep_ == "ccomp"):
            return []
        t = t.head
        if not through_content and t.dep_ == "ccomp":
            return []
        if inside(t):
            continue
        subj = [c for c in t.children if c.dep_ in ("nsubj", "nsubjpass") and not inside(c) and c.ent_type_ not in _WHEN]
        if subj:
            return [] if subj[0].lower_ in ("who", "which", "that") else subj[:1]
    return []


def _report_subject(tok: Any, inside: Any) -> list[Any]:
    """Who makes a report that has no subject of its own: the object of the verb that a "for"/"after" report
    explains ("attacked Trump for saying …" -> Trump), else the subject of the verb it hangs on.

    Nobody when that verb is itself reported speech: in "X said that A was aimed … and said B" the parser hangs
    the second report on A's verb, whose subject is part of what X said, not a speaker."""
    if tok.dep_ == "pcomp" and tok.head.dep_ == "prep" and tok.head.lower_ in ("for", "after", "over"):
        objs = [c for c in tok.head.head.children if c.dep_ == "dobj" and not inside(c) and _can_name_speaker(c)]
        if objs:
            return objs[:1]
    return _issued_by(tok, inside) or _inherited_subject(tok, inside, through_content=False)


def _issued_by(tok: Any, inside: Any) -> list[Any]:
    """Who speaks through a document or an event a report describes ("X released a statement saying …", "officials
    signed a letter saying …", "held a press conference claiming …"): the subject of the verb of issuing or holding."""
    if tok.dep_ == "acl" and tok.tag_ == "VBG" and tok.head.dep_ == "dobj" and tok.head.head.lemma_ in _ISSUING_VERBS | {"hold", "give"}:
        return [c for c in tok.head.head.children if c.dep_ == "nsubj" and not inside(c)][:1]
    return []


def _governed(doc: Any, qs: int, qe: int, spans: list[tuple[int, int, bool]], cues: frozenset[str]) -> bool:
    """Whether a speech verb outside the quotations governs the quotation ("called the plan “reckless”")."""
    qtoks = [t for t in _tokens_between(doc, qs, qe) if not t.is_punct]
    if not qtoks:
        return False
    head = next((t for t in qtoks if t.head.i < qtoks[0].i or t.head.i > qtoks[-1].i), qtoks[0])
    return any(a.lemma_ in cues and a.pos_ in ("VERB", "AUX") and not any(s - 1 <= a.idx < e + 1 for s, e, _ in spans) for a in head.ancestors if a.sent == head.sent)


# Verbs whose subject speaks a partial quote in their sentence with no cue of its own: naming and describing,
# referring to something as, praising, blaming and attacking in words.
_NAMING_ROOTS = frozenset("""
    call describe dub label brand term condemn denounce praise welcome criticize criticise reject dismiss refer blame
    assail slam deride mock decry hail lambast lambaste
""".split())


def _sentence_subject_speaker(doc: Any, qs: int, qe: int) -> tuple[Any, list[Any]] | None:
    """For a partial quote with no cue: the subject of its sentence's main verb, if that verb calls or describes."""
    for s in doc.sents:
        if s.start_char <= qs < s.end_char:
            root = s.root
            if root.lemma_ in _NAMING_ROOTS:
                subj = [c for c in root.children if c.dep_ == "nsubj" and not (qs <= c.idx < qe)]
                if subj:
                    return root, _mention_tokens(subj[0], qs, qe)
    return None


