"""Who speaks: the article's discourse state and the resolution of a speaker mention to an actor.

``quotes.analyse`` finds a report and the noun phrase its cue attaches to; this module says who that is:
a registry actor or a person of the article by name ("Leksyutina" -> Yana Leksyutina), the body a document
or spokesperson speaks for ("a report by the Swedish EPA"), an anonymous voice ("sources" -> unnamed
sources), a description ("the professor", "the ministry" -> the last person or body it fits) or a pronoun
("he"/"she" -> the last person who is the subject of a sentence and takes that pronoun; "it" -> the body that
last spoke, else the last organisation or country named).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from .actors import Actor, ActorRegistry, trie_alternation
from .entities import _is_acronym, org_kind


@lru_cache(maxsize=1)
def _voices() -> tuple[dict[str, str], frozenset[str], frozenset[str]]:
    """The common nouns for people who speak unnamed, from ``data/voices.csv``: noun -> "sources", "officials" or
    "experts"; the relatives among them; and those that are anonymous only in the plural or indefinite."""
    text = resources.files("polarwatch").joinpath("data/voices.csv").read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    return ({r["noun"]: r["voice"] for r in rows}, frozenset(r["noun"] for r in rows if r["kind"] == "kin"),
            frozenset(r["noun"] for r in rows if r["kind"] == "plural"))  # fmt: skip


# Anonymous voices: "Sources", "an industry insider", "police", "his family", "a passenger" -> unnamed sources,
# officials or experts. A person's relatives speak as anonymous sources unless the text names them ("his daughter
# Nettie Baker"); so do the agents and publicists of officials. Nouns anonymous only in the plural or indefinite
# ("residents", "a woman", "one of the victims"): "the group", "the woman" are descriptions of someone named nearby.
_ANON_NOUNS, _KIN, _PLURAL_ONLY = _voices()
# A quantifier standing alone for people ("Others said", "Most agreed", "some of them argue"): anonymous voices.
_QUANTIFIER_VOICES = frozenset("others some many most all several few both".split())
_PRONOUNS = {"he": "person", "she": "person", "it": "org", "they": "any", "we": "any"}
_POSSESSIVE_PRONOUNS = {"his": "he", "her": "she", "its": "it", "their": "they", "him": "he", "them": "they"}


@lru_cache(maxsize=1)
def given_names() -> dict[str, str]:
    """Common given names and the pronoun they usually take, from ``data/given_names.csv`` (names common to
    both left out). A clue only: what the text says of a person (a title, "Berg said she …") comes first."""
    text = resources.files("polarwatch").joinpath("data/given_names.csv").read_text("utf-8")
    return {row["name"]: row["pronoun"] for row in csv.DictReader(io.StringIO(text))}


@dataclass(slots=True)
class Person:
    """A person of this article: from the registry or known only from the text."""

    id: str
    name: str
    role: str | None = None
    country: str | None = None
    first: int = 0


def _clean_name(name: str) -> str:
    """A PERSON span without a leading role word ("spokesperson Liu Jianwen") or possessive."""
    name = re.sub(r"['’]s$", "", " ".join(name.split()))
    toks = name.split()
    while toks and not toks[0][:1].isupper():
        toks = toks[1:]
    while len(toks) > 2 and toks[0].lower().rstrip(".") in _TITLES | _RANKS:
        toks = toks[1:]  # "Constable Gary Gray", "Representative Brett Simmons": the name without its title
    titled = [k for k, t in enumerate(toks[:-2]) if t.lower().rstrip(".") in _TITLES | _RANKS]
    if titled and not toks[titled[-1] + 1].lower().rstrip(".") in _TITLES | _RANKS:
        toks = toks[titled[-1] + 1 :]  # "Finnmark Governor Lars Eide": a place or body before the title
    return " ".join(toks)


# Titles NER sometimes keeps at the head of a person's name, besides those of _TITLES.
_RANKS = frozenset("representative constable sergeant detective inspector officer superintendent corporal private lieutenant major reverend rev father sister brother sheikh rabbi imam councillor councilman councilwoman congressman congresswoman assemblyman assemblywoman".split())


def _slug(name: str) -> str:
    return "article:" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


class _Resolver:
    """The article's discourse state for resolving speaker mentions."""

    def __init__(self, reg: ActorRegistry) -> None:
        self.reg = reg
        self.persons: dict[str, Person] = {}
        self.events: list[tuple[int, str, str, str | None, str]] = []  # (offset, kind, id, country, name)
        self.anonymous: list[tuple[int, str]] = []
        self.pronoun: dict[str, str] = {}  # person id -> "he" or "she", where the text says which
        self.name_pronoun: dict[str, str] = {}  # the same, guessed from a common given name
        self.documents: list[tuple[int, tuple[str | None, str | None, str | None, str], str]] = []  # issuers, by document noun
        self.plurals: dict[int, list[Any]] = {}  # the plural subjects of main clauses, by offset, for a later "they"
        # for the ranker of candidate speakers (ranker.py): paragraph starts, quotation spans, the quotes so far
        self.paras: list[int] = [0]
        self.quoted: list[tuple[int, int]] = []
        self.quotes: list[Any] = []
        self.decisions: list[Any] = []
        self.first_keys: set[str] | None = None
        self.ranker: Any = None  # its weights when it is on (set once an article by quotes.analyse)

    def learn_pronoun(self, pid: str | None, words: str | None) -> None:
        """Note the pronoun a person takes, from a gendered title or role ("Mrs.", "spokeswoman") or from a
        report of theirs whose clause opens with one ("Berg said she …")."""
        if not pid or not words or pid not in self.persons:
            return
        for w in re.findall(r"[a-z]+", words.lower()):
            found = "she" if w in _SHE_WORDS or w.endswith("woman") else ("he" if w in _HE_WORDS or w.endswith("man") else None)
            if found and w not in ("human", "german", "roman", "ottoman"):
                self.pronoun.setdefault(pid, found)
                return

    def last_anonymous(self, before: int, kind: str) -> str | None:
        for off, k in reversed(self.anonymous):
            if off < before and k == kind:
                return f"unnamed {k}"
        return None

    def note(self, offset: int, kind: str, actor_id: str, country: str | None, name: str) -> None:
        self.events.append((offset, kind, actor_id, country, name))

    def note_in_order(self, offset: int, kind: str, actor_id: str, country: str | None, name: str) -> None:
        """Note a name found after the paragraph's other mentions were noted, before those that follow it."""
        i = len(self.events)
        while i and self.events[i - 1][0] > offset:
            i -= 1
        self.events.insert(i, (offset, kind, actor_id, country, name))

    def learn_given_name(self, pid: str, name: str) -> None:
        """Note the pronoun a common given name suggests ("Gloria La Riva" is "she"), unless the text said."""
        toks = [t for t in name.split() if t.lower().rstrip(".") not in _TITLES | _RANKS]
        if toks and (found := given_names().get(toks[0])):  # "Gloria La Riva"; a person known by a given name ("Kevin")
            self.name_pronoun.setdefault(pid, found)

    def person(self, name: str, offset: int, role: str | None = None, country: str | None = None) -> Person:
        name = " ".join(name.split())
        reg = self.reg.lookup(name)
        if reg is not None and reg.is_person:
            p = self.persons.setdefault(reg.id, Person(reg.id, reg.name, reg.role, reg.country, offset))
            self.learn_pronoun(p.id, role)
            self.learn_given_name(p.id, p.name)
            return p
        parts = name.split()
        # a surname: last token of a Western name, first of a Chinese or Korean one; a surname of several words ("La
        # Riva", "Van der Berg") closing a full name seen before. Several people of one surname (an obituary's subject,
        # his parents, his wife): the bare surname is the one the article introduced first, its subject
        fits = [p for p in self.persons.values() if len(toks := p.name.split()) > len(parts)
                and (toks[-len(parts) :] == parts or len(parts) == 1 and parts[0] == toks[0])]
        if fits:
            return min(fits, key=lambda p: p.first)
        pid = _slug(name)
        p = self.persons.get(pid)
        if p is None:
            p = self.persons[pid] = Person(pid, name, role, country, offset)
        else:
            p.role = p.role or role
            p.country = p.country or country
        self.learn_pronoun(pid, role)
        self.learn_given_name(pid, p.name)
        return p

    def by_surname(self, text: str) -> Person | None:
        """The person named in full before whose surname (last word or words) *text* is; of several, the one the
        article introduced first (an obituary's subject, not his parents or wife named later)."""
        parts = text.split()
        if not parts or not all(w[:1].isupper() for w in parts):
            return None
        fits = [p for p in self.persons.values() if len(p.name.split()) > len(parts) and p.name.split()[-len(parts) :] == parts]
        return min(fits, key=lambda p: p.first) if fits else None

    def gender(self, pid: str) -> str | None:
        return self.pronoun.get(pid) or self.name_pronoun.get(pid)

    def known_near(self, before: int, pronoun: str, other: str, slack: int = 300) -> tuple[str, str | None, str] | None:
        """The last person known to take *pronoun* named after *other* was last named (or at most *slack*
        characters before that), before *before*."""
        since = before - self.gap(other, before) - slack
        for off, kind, aid, country, name in reversed(self.events):
            if off < since:
                return None
            if off < before and kind in ("person", "subject-person") and self.gender(aid) == pronoun:
                return aid, country, name
        return None

    def salient(self, actor_id: str, before: int) -> bool:
        """Whether *actor_id* is the last person before *before* who spoke or was the subject of a main clause."""
        last = self.last_at(before, {"main-person"})
        return last is not None and last[2] == actor_id

    def gap(self, actor_id: str, offset: int) -> int:
        """Characters since *actor_id* was last noted before *offset*."""
        for off, _, aid, _, _ in reversed(self.events):
            if off < offset and aid == actor_id:
                return offset - off
        return 1 << 30

    def last_at(self, before: int, kinds: set[str]) -> tuple[int, str, str, str | None, str] | None:
        """The last event of one of *kinds* before *before*: (offset, kind, actor id, country, name)."""
        return next((e for e in reversed(self.events) if e[0] < before and e[1] in kinds), None)

    def last(self, before: int, kinds: set[str], role_word: str | None = None, pronoun: str | None = None) -> tuple[str, str | None, str] | None:
        for off, kind, aid, country, name in reversed(self.events):
            if off >= before or kind not in kinds or pronoun and self.pronoun.get(aid, self.name_pronoun.get(aid, pronoun)) != pronoun:
                continue
            if role_word:
                p = self.persons.get(aid)
                if not p or not p.role or role_word not in p.role.lower():
                    continue
            return aid, country, name
        return None


_EMERGENCY = frozenset("fire rescue ambulance emergency".split())  # services whose unnamed voices are officials
_NOT_PERSON = frozenset({"ORG", "GPE", "NORP", "LOC", "FAC", "PRODUCT", "WORK_OF_ART"})  # NER labels a surname can get wrongly
_SHE_WORDS = frozenset({"she", "mrs", "ms", "miss", "madam", "madame", "lady"})
_HE_WORDS = frozenset({"he", "mr", "sir", "lord"})
_ORG_KINDS = {"government", "ministry", "military", "agency", "company", "legislature", "international", "indigenous", "organization"}
_BODIES = {"organization", "international", "indigenous", "government", "agency", "legislature", "party"}
# A description of a body and the kinds of body it can stand for (registry types; for a body the registry does
# not know, the kind its institution word gives, entities.org_kind): "the company" is the last company named.
_DESCRIPTIONS = {
    "ministry": {"ministry"}, "department": {"ministry", "agency"}, "agency": {"agency", "ministry"},
    "regulator": {"agency", "ministry"}, "service": {"agency", "ministry", "military"}, "report": _ORG_KINDS, "statement": _ORG_KINDS,
    "government": {"government", "country"}, "company": {"company"}, "firm": {"company"}, "operator": {"company"},
    "carrier": {"company"}, "airline": {"company"}, "miner": {"company"}, "office": _ORG_KINDS, "embassy": {"government"},
    "consulate": {"government"}, "alliance": {"international", "military"}, "council": _BODIES, "commission": _BODIES,
    "committee": _BODIES, "board": _BODIES, "fleet": {"military"}, "command": {"military"}, "military": {"military"},
    "navy": {"military"}, "army": {"military"}, "police": {"military"}, "court": {"organization"}, "tribunal": {"organization"},
    "university": {"organization"}, "institute": {"organization", "agency"}, "party": {"party", "legislature"},
    "parliament": {"legislature"}, "union": _BODIES, "association": _BODIES, "organisation": _BODIES, "organization": _BODIES,
    "group": _BODIES | {"company"}, "municipality": {"government"},
}  # fmt: skip


# The description nouns that name a body a country has (not a document or an office of anyone's)
_BODY_NOUNS = frozenset(_DESCRIPTIONS) - {"report", "statement", "office", "group", "party", "union", "university"}


def _body_kind(reg: ActorRegistry, actor_id: str, name: str) -> str | None:
    a = reg.actors.get(actor_id) if actor_id else None
    return a.type if a is not None else (org_kind(name) or ("country" if actor_id and len(actor_id) == 2 else None))


def _government_of(reg: ActorRegistry, country_id: str) -> Actor | None:
    """The registry's government of a country ("Government of Canada"), if it has one."""
    for a in reg.actors.values():
        if a.type == "government" and a.parent == country_id and any("government" in f.lower() for f in (a.name, *a.aliases, a.role or "")) \
                and not re.search(r"\b(?:state|territorial|regional|provincial|municipal)\b", a.role or "", re.I):  # not Alaska's
            return a
    return None


def _doc_ents(doc: Any) -> list[Any]:
    """``doc.ents``, built once per paragraph: spaCy makes every entity span again on each access, which a long
    paragraph with many reports would pay once per report."""
    ents = doc.user_data.get("polarwatch_ents")
    if ents is None or len(ents) and ents[0].doc is not doc:
        ents = doc.user_data["polarwatch_ents"] = list(doc.ents)
    return ents


def _span_text(tokens: list[Any]) -> str:
    if not tokens:
        return ""
    # the span's own text, not doc.text (which joins the whole paragraph on every call)
    return tokens[0].doc[tokens[0].i : tokens[-1].i + 1].text


def _note_speaker(res: _Resolver, offset: int, sid: str | None, country: str | None, name: str | None, how: str | None = None) -> None:
    if not sid:
        # a body the registry does not know ("Finland's Border Guard"), or a proper name no person has ("Waitrose", for
        # "A statement from Waitrose said … it added")
        words = (name or "").split()
        if words and name[:1].isupper() and (org_kind(name) or how == "unresolved" and all(w[:1].isupper() for w in words)
                                             and words[0].lower() not in ("the", "a", "an")):
            res.note(offset, "org-speaker", "", country, name)
        return
    kind = "person" if sid in res.persons else ("country" if len(sid) == 2 else "org")
    res.note(offset, kind, sid, country, name or sid)
    if kind == "person":
        res.note(offset, "subject-person", sid, country, name or sid)
        res.note(offset, "main-person", sid, country, name or sid)  # a speaker is as salient as a main clause's subject
    elif kind == "org":
        res.note(offset, "org-speaker", sid, country, name or sid)


def _is_subject(tok: Any) -> bool:
    """The token (or the noun it is in apposition to) is a clause subject."""
    while tok.dep_ in ("compound", "appos", "flat") and tok.head is not tok:
        tok = tok.head
    if tok.dep_ == "pobj" and tok.head.lower_ == "to" and tok.head.head.lower_ == "according":
        return True  # "According to Muyembe, …": the source of the sentence, whom a following "he" means
    if tok.dep_ == "pobj" and tok.head.lower_ == "for" and tok.head.i == tok.sent.start:
        return True  # "For Martin, it does not make much of a difference": the sentence is about him
    if tok.dep_ == "attr" and tok.head.lemma_ == "be" and tok.pos_ == "PROPN":
        return True  # "One is Denis Kovalchuk, a sixth year student": the person the next sentences are about
    return tok.dep_ in ("nsubj", "nsubjpass")


def is_main_subject(tok: Any) -> bool:
    """The token (or the noun it is in apposition to) is the subject of its sentence's main clause (or of a verb
    coordinated with it), not of a relative or subordinate clause ("Mugabe agreed to a deal in which Tsvangirai …")."""
    while tok.dep_ in ("compound", "appos", "flat") and tok.head is not tok:
        tok = tok.head
    if tok.dep_ not in ("nsubj", "nsubjpass"):
        return False
    verb = tok.head
    while verb.dep_ == "conj" and verb.head is not verb:
        verb = verb.head
    return verb.dep_ == "ROOT"


def _role_of(ent: Any, reg: ActorRegistry) -> tuple[str | None, str | None]:
    """The role words before a name in its noun phrase, or in an apposition after it."""
    head = ent.root
    pre = [t for t in head.subtree if t.i < ent.start and t.dep_ in ("compound", "amod", "nmod", "det", "poss", "prep", "pobj", "punct")]
    pre = [t for t in pre if t.i >= min((x.i for x in head.subtree), default=ent.start)]
    words = [t for t in ent.doc[min((t.i for t in pre), default=ent.start) : ent.start] if not t.is_punct]
    role = " ".join(t.text for t in words) or None
    if role is None and head.dep_ == "appos" and head.head.pos_ == "NOUN" and head.head.i < ent.start:
        # "his daughter Nettie Baker", "the firm's chief John Smith": the noun the name is in apposition to
        role = " ".join(t.text for t in head.head.subtree if t.i < ent.start and not t.is_punct) or None
    if role is None:
        app = [c for c in head.children if c.dep_ == "appos"]
        if app:
            role = " ".join(t.text for t in app[0].subtree if not t.is_punct)
    country = reg.demonym_country(role) if role else None
    return role, country


def _mention_tokens(head: Any, cs: int = -1, ce: int = -1) -> list[Any]:
    """The speaker mention: the subject's subtree, without relative clauses and without anything inside the content."""
    toks = [t for t in head.subtree if not (cs <= t.idx < ce)]
    drop: set[int] = set()
    for t in head.subtree:
        if t.dep_ in ("relcl", "acl") and t.head == head:
            drop |= {x.i for x in t.subtree}
        elif t.head == head and t.i > head.i and (t.lower_ == "including" or t.lower_ == "such" and t.i + 1 < len(t.doc) and t.doc[t.i + 1].lower_ == "as"):
            # "Fifty former officials, including John Brennan, …": members named as examples are not the speaker
            start = t.i - 1 if t.i and t.doc[t.i - 1].text == "," else t.i
            drop |= {x.i for x in t.subtree} | {start}
    toks = [t for t in toks if t.i not in drop]
    dash = next((k for k, t in enumerate(toks[:4]) if t.text in ("-", "—", "–", "--")), None)
    if dash and toks[0].i == toks[0].sent.start and all(t.is_upper and t.is_alpha for t in toks[:dash]):
        toks = toks[dash + 1 :]  # a dateline the parser took into the subject ("BRUSSELS - European leaders")
    while toks and (toks[0].is_punct or toks[0].dep_ == "cc" or toks[0].dep_ == "preconj"):  # "Both X and Y"
        toks = toks[1:]
    while toks and toks[-1].is_punct:
        toks = toks[:-1]
    return toks


_SPEAKER_NOUNS = frozenset(
    "spokesman spokeswoman spokesperson minister expert professor official president analyst researcher scientist ambassador "
    "diplomat director chief head leader premier chairman chairwoman chair secretary commander governor mayor senator envoy "
    "economist lawyer attorney author candidate nominee adviser advisor aide campaign representative lawmaker"
    .split()
)


def _can_name_speaker(t: Any) -> bool:
    """A token that can stand for a speaker: a proper name, a personal pronoun, a role or an issuing body."""
    if t.pos_ == "PROPN" or t.ent_type_ in ("PERSON", "ORG", "GPE", "NORP"):
        return True
    if t.pos_ == "PRON":
        return t.lower_ in _PRONOUNS
    lemma = t.lemma_.lower()
    return t.pos_ == "NOUN" and (lemma in _SPEAKER_NOUNS or lemma in _ISSUER_HEADS or lemma in _ANON_NOUNS or lemma in _DESCRIPTIONS)


_ISSUER_HEADS = {"report", "statement", "spokesman", "spokeswoman", "spokesperson", "press", "service", "office", "communique", "release", "document", "assessment", "strategy", "briefing"}
# An outlet's reporters speak for it ("An Al Jazeera reporter noted …", "a correspondent for the BBC").
_REPORTERS = frozenset("reporter correspondent journalist".split())
_ISSUED_HEADS = frozenset(
    "report study poll survey estimate analysis statement assessment review document memo letter release communique "
    "data figures research paper spokesperson spokesman spokeswoman representative".split()
) | _REPORTERS


def _issuer(head: Any, inside: set[int]) -> list[Any]:
    """The named body that issued a document or speaks through a spokesperson: the proper name after "by", "for",
    "from" or "of" on *head*, directly or through a participle ("published by", "released by"); [] if none."""
    for prep in head.children:
        if prep.dep_ == "acl" and prep.tag_ == "VBN":
            prep = next((c for c in prep.children if c.dep_ == "agent" or c.dep_ == "prep" and c.lower_ == "by"), None)
            if prep is None:
                continue
        elif not (prep.dep_ == "prep" and prep.lower_ in ("by", "for", "from", "of")):
            continue
        obj = next((c for c in prep.children if c.dep_ == "pobj" and c.i in inside), None)
        if obj is not None and obj.pos_ == "NOUN":  # "by the newspaper Sermitsiaq"
            obj = next((c for c in obj.children if c.dep_ in ("appos", "compound") and c.i > obj.i and c.pos_ == "PROPN"), obj)
        if obj is not None and obj.pos_ == "PROPN":
            return [t for t in obj.subtree if t.i in inside and t.i <= obj.i and t.dep_ not in ("det", "case")
                    and t.lower_ != "the" and t.i >= obj.left_edge.i]
    return []


def _chain_start(head: Any) -> int:
    i = head.i
    doc = head.doc
    while i > 0 and (doc[i - 1].pos_ == "PROPN" or doc[i - 1].text in ("-",)) and doc[i - 1].dep_ in ("compound", "punct", "nmod", "amod"):
        i -= 1
    return i


def _trim_mention(stoks: list[Any], head: Any) -> str:
    """The mention as a name: no leading determiner, nothing after a comma or a relative clause."""
    toks = list(stoks)
    for k, t in enumerate(toks):
        if k and (t.i > head.i and t.text in (",", "(", "—", "–", ";") or t.text == "("):
            toks = toks[:k]  # also a bracketed short form after the name: "The Philippine Institute … (Phivolcs)"
            break
    cut = next((k for k, t in enumerate(toks) if k > 1 and t.lower_ == "in" and toks[k - 1].pos_ == "PROPN" and _a_place(toks[k + 1 :], toks[k - 1])), None)
    if cut is not None and toks[cut - 1].lemma_.lower() not in ("embassy", "consulate", "mission", "office", "delegation", "bureau"):
        toks = toks[:cut]  # "the Aam Aadmi Party in Goa": the body, not where it sits (an embassy keeps its city)
    while toks and toks[0].lower_ in ("the", "a", "an"):
        toks = toks[1:]
    desc = max((k for k, t in enumerate(toks) if t.pos_ == "NOUN" and t.is_lower and t.i < head.i), default=-1)
    if desc >= 0 and all(t.pos_ == "PROPN" or t.text in ("-", "&") for t in toks[desc + 1 : head.i - toks[0].i + 1]) \
            and toks[desc + 1 :] and toks[desc + 1].pos_ == "PROPN":  # fmt: skip
        toks = toks[desc + 1 :]  # a description before the name: "wrestling promotion World Wonder Ring Stardom"
    return _span_text(toks) if toks else _span_text(stoks)


def _a_place(toks: list[Any], before: Any) -> bool:
    """Whether *toks* (after "in") name only a place: a place by NER, or after an institution word ("Party in Goa")
    proper nouns NER left untagged."""
    from .entities import _ORG_WORDS

    if not toks or not all(t.lower_ == "the" or t.ent_type_ in ("GPE", "LOC") or t.pos_ == "PROPN" and not t.ent_type_ for t in toks):
        return False
    return any(t.ent_type_ in ("GPE", "LOC") for t in toks) or before.text in _ORG_WORDS


_SIDE_DEPS = {"appos", "relcl", "parataxis", "advcl"}


def _core(stoks: list[Any]) -> list[Any]:
    """The part of a speaker mention that names the speaker: its head word's phrase without appositions
    and relative clauses ("Don Fowler, who helmed the DNC under Bill Clinton" -> "Don Fowler").

    A head that is not itself a name, with a person's name in apposition, gives the name ("the company's
    chief, John Smith"; "One of its authors, Gunnar Thorsson").
    """
    inside = {t.i for t in stoks}
    roots = [t for t in stoks if t.head.i not in inside or t.head is t]
    if len(roots) != 1:
        return stoks
    root = roots[0]
    if root.ent_type_ != "PERSON":
        app = [c for c in root.children if c.dep_ == "appos" and c.i in inside and (c.ent_type_ == "PERSON" or root.pos_ == "NOUN" and c.pos_ == "PROPN")]
        if app:
            root = app[0]
    # "Pierce and Carroll", "La Riva, Hawkins and Carroll": names side by side, the first speaks (not the parts of
    # one name: "Ministry of Justice and Public Security")
    conj = next((c for c in root.children if c.dep_ == "conj" and c.pos_ == "PROPN"), None)
    names = conj is not None and (root.pos_ == "PROPN" and not any(c.dep_ == "prep" for c in root.children)
                                  or root.lower_ in ("he", "she")  # "Both he and the county's commissioner Stephen Mold"
                                  or root.pos_ == "PROPN" and _two_bodies(root, conj))  # fmt: skip
    side = _SIDE_DEPS | ({"conj", "cc"} if names else set())
    drop = {x.i for c in root.children if c.dep_ in side or (c.dep_ == "punct" and c.text in ",;()—–") for x in c.subtree}
    core = [t for t in root.subtree if t.i in inside and t.i not in drop]
    while core and (core[-1].is_punct or core[-1].dep_ == "case" and core[-1].head.i not in inside):
        core = core[:-1]
    return core if core and root in core else stoks


def _two_bodies(root: Any, conj: Any) -> bool:
    """Whether *root* and its conjunct *conj* name two bodies, each with its own institution word ("the American Civil
    Liberties Union of Montana and Native American Rights Fund"), not one body's name ("Ministry of Justice and Public
    Security")."""
    first = _span_text([t for t in root.subtree if t.i < conj.i and t.dep_ != "cc" and not t.is_punct])
    return org_kind(first) is not None and org_kind(_span_text(list(conj.subtree))) is not None


_TITLES = frozenset("""
    mr mrs ms dr sen senator rep gov governor gen general adm admiral col colonel capt captain lt sgt president vice
    prime minister secretary chancellor premier speaker chairman chairwoman chair mayor judge justice ambassador
    professor prof commissioner director deputy foreign defence defense king queen prince princess pope chief
""".split())


def _titled_name(chain: list[Any]) -> bool:
    """A run of proper nouns NER did not read as a person that still names one: a capitalised title, or a common
    given name, followed by two or three name words, none of them an institution's ("Finnmark Governor Lars Eide")."""
    from .entities import _ORG_WORDS

    k = next((k for k, t in enumerate(chain) if t.text[:1].isupper() and t.lower_.rstrip(".") in _TITLES | _RANKS), None)
    rest = chain[k + 1 :] if k is not None else (chain if chain and chain[0].text in given_names() else [])  # "Kari Lunde"
    return 2 <= len(rest) <= 3 and all(t.text.isalpha() and t.text[:1].isupper() and t.text[1:].islower()
                                       and t.text not in _ORG_WORDS and t.lower_ not in _TITLES for t in rest)  # fmt: skip


def _titled_tail(stoks: list[Any]) -> list[Any]:
    """A person's name closing a titled mention that NER did not read as a person ("United States Senator from
    Vermont Bernie Sanders", read as a body): a common given name and one or two capitalised words at the end,
    after a title; [] otherwise."""
    from .entities import _ORG_WORDS

    for n in (2, 3):
        tail = stoks[-n:]
        if len(stoks) > n and tail[0].text in given_names() and all(t.pos_ == "PROPN" and t.text.isalpha() and t.text[:1].isupper()
                and t.text not in _ORG_WORDS for t in tail) and any(t.lower_.rstrip(".") in _TITLES | _RANKS for t in stoks[:-n]):  # fmt: skip
            return tail
    return []


def _given_name(ent: Any) -> str:
    """A PERSON entity's text, with a given name that NER left out ("Petter" of "Petter Lund") put back."""
    doc, i = ent.doc, ent.start
    while i > 0 and (t := doc[i - 1]).pos_ == "PROPN" and t.dep_ == "compound" and ent.start <= t.head.i < ent.end \
            and t.text.isalpha() and t.text[:1].isupper() and t.lower_ not in _TITLES and not t.ent_type_:
        i -= 1  # fmt: skip
    return doc[i : ent.end].text


def _surname_clash(doc: Any, start: int, actor: Actor) -> bool:
    """A registry person found by a surname inside a longer name with another given name.

    *start* is the match's character offset in *doc*; "Luis Rubio" is not the registry's Marco Rubio.
    """
    if not actor.is_person:
        return False
    known = {w for f in (actor.name, *actor.aliases) for w in f.split()}
    for e in _doc_ents(doc):
        if e.label_ == "PERSON" and e.start_char < start < e.end_char:
            given = [w for w in re.findall(r"[^\W\d_][\w’'.-]*", doc.text[e.start_char : start]) if w[:1].isupper()]
            return bool(given) and not all(w.rstrip(".") in known or w in known for w in given)
    return False


_DOCUMENTS = frozenset(
    "report study poll polling survey estimate analysis statement assessment review document memo letter release communique "
    "paper notice announcement warning guideline guidance website record filing motion lawsuit complaint bulletin advisory "
    "press-release post tweet summary decision ruling judgment judgement verdict schedule transcript statistic data".split()
)
_SPEAKING_FOR = _DOCUMENTS | _REPORTERS  # a document, or a reporter, that speaks for a named body


def _document_issuer(head: Any, stoks: list[Any], inside: set[int], offset: int, res: _Resolver, reg: ActorRegistry) -> tuple[str | None, str | None, str | None, str] | None:
    """Who speaks through a document or a spokesperson (*head*), or None to go on as before: the body after
    "by/for/from/of" ("a report by the Swedish EPA"), its possessor ("the federal government's policy document",
    "its report"), a name before it ("a Greenpeace study"), or for "the report"/"the study" the issuer of the
    last document that had one, else the body that last spoke. Documents whose issuer is found are noted, so a
    later "the study" finds it."""
    issuer = _issuer(head, inside)
    if not issuer:
        poss = next((c for c in head.children if c.dep_ == "poss" and c.i in inside), None)
        if poss is not None and poss.lower_ in ("its", "their") and head.lemma_.lower() in _DOCUMENTS:
            # "their statement", "its report": the issuer of the document the text just spoke of, if any
            prior = _prior_document(res, offset, head.lemma_.lower(), since=offset - 1500)
            if prior is not None:
                return prior[0], prior[1], prior[2], "description"
        if poss is not None:
            issuer = [t for t in poss.subtree if t.i in inside and t.dep_ != "case" and t.lower_ not in ("'s", "’s")]
    if not issuer and head.lemma_.lower() in _DOCUMENTS:
        # "the government statement", "a company report": the body the description stands for
        desc = next((c for c in head.children if c.dep_ == "compound" and c.pos_ == "NOUN" and c.i in inside and c.lower_ in _DESCRIPTIONS), None)
        got = _resolve([desc], offset, res, reg) if desc is not None else None
        if got is not None and got[1] and got[3] == "description":
            return got
    if not issuer:
        names = [c for c in head.children if c.dep_ in ("compound", "nmod", "amod") and c.pos_ == "PROPN" and c.i in inside and c.ent_type_ != "DATE"]
        if names and head.lemma_.lower() in _SPEAKING_FOR and (head.tag_ == "NN" or names[0].ent_type_ == "ORG" or _is_acronym(names[0].text)):
            first = min(x.i for x in names[0].subtree if x.i in inside)
            issuer = [t for t in stoks if first <= t.i <= names[-1].i and t.lower_ != "the"]
    if issuer:
        got = _resolve(issuer, offset, res, reg)
        if got[1] and not got[1].startswith("unnamed ") and head.lemma_.lower() in _DOCUMENTS:
            res.documents.append((offset, got, head.lemma_.lower()))
        return got
    if head.lemma_.lower() in _DOCUMENTS and head.tag_ in ("NN", "NNS") and stoks[0].lower_ in ("the", "this", "that", "these"):
        # "the report said": the document the article spoke of, through its issuer
        prior = _prior_document(res, offset, head.lemma_.lower())
        if prior is not None:
            return prior[0], prior[1], prior[2], "description"
        spoke = res.last_at(offset, {"org-speaker"}) or res.last_at(offset, {"org"})
        if spoke is not None and spoke[4]:
            return (spoke[2] or None), spoke[4], spoke[3], "description"
    return None


def _prior_document(res: _Resolver, offset: int, noun: str, since: int = -1) -> tuple[str | None, str | None, str | None, str] | None:
    """The issuer of the document a definite "the letter", "its report" means: the last one of that noun the text
    spoke of (a letter, not the takedown notice named since), else the last document of any kind."""
    docs = [(off, got, n) for off, got, n in res.documents if since < off < offset]
    same = next((got for off, got, n in reversed(docs) if n == noun), None)
    return same or (docs[-1][1] if docs else None)


# Verbs whose subject issues the document they take as object ("released a statement", "published a report").
_ISSUING_VERBS = frozenset("release issue publish send post sign file write circulate deliver submit present".split())
# Factored by prefix (``trie_alternation``): the flat alternation tried each of its words at every position of
# every paragraph. The words are distinct and in lower case, so under IGNORECASE too the forms that can match at one
# position are prefixes of one another, and the two patterns find the same spans (tests/test_nlp_speed.py).
_DOCUMENT_RX = re.compile(r"(?<![\w-])(?:" + trie_alternation(_DOCUMENTS) + r")(?![\w-])", re.IGNORECASE)


def note_names(res: _Resolver, doc: Any, base: int, reg: ActorRegistry, taken: list[tuple[int, int]], text: str | None = None) -> None:
    """Note what a paragraph names besides registry actors and NER persons, for descriptions and pronouns
    read later: a NER organisation that reads as a person ("Opposition MP Maja Holmqvist"), an organisation
    the registry does not know ("Norrmalm Minerals"), and a document whose issuer the registry knows ("The
    Pentagon's latest strategy report", "a report by NATO"), so that "the report said" finds its issuer.
    *taken* holds the paragraph's registry spans (character offsets); *text* is the paragraph (``doc.text``)."""
    from .entities import _HONORIFICS, _ORG_WORDS, _ROLE_WORDS, _name_like, _widen

    text = doc.text if text is None else text  # doc.text joins the paragraph's tokens on every access

    for ent in _doc_ents(doc):
        if ent.label_ == "PERSON" and ent.text.split()[-1] in _ORG_WORDS and len(ent.text.split()) > 1:
            res.note_in_order(base + ent.start_char, "org", "", None, ent.text)  # "Norrmalm Minerals" read as a person
            continue
        if ent.label_ in _NOT_PERSON and not any(s < ent.end_char and ent.start_char < e for s, e in taken):
            p = res.by_surname(ent.text)
            if p is not None:
                # "La Riva disagreed" with NER reading "La Riva" as a body: the surname of a person named in full
                res.note_in_order(base + ent.start_char, "person", p.id, p.country, p.name)
                if _is_subject(ent.root):
                    res.note_in_order(base + ent.start_char, "subject-person", p.id, p.country, p.name)
                continue
        if ent.label_ == "ORG" and (tail := _titled_tail(list(ent))) and not any(s < tail[-1].idx + len(tail[-1]) and tail[0].idx < e for s, e in taken):
            # "United States Representative Elijah Cummings" read as a body: the person, whom a later "Cummings" means
            p = res.person(_span_text(tail), base + tail[0].idx, _span_text(list(ent)[: len(ent) - len(tail)]))
            res.note_in_order(base + tail[0].idx, "person", p.id, p.country, p.name)
            if _is_subject(ent.root):
                res.note_in_order(base + tail[0].idx, "subject-person", p.id, p.country, p.name)
            continue
        if ent.label_ != "ORG":
            continue
        inner = [(s, e) for s, e in taken if s < ent.end_char and ent.start_char < e]
        if inner and not all(ent.start_char <= s and e < ent.end_char for s, e in inner):
            continue
        start, end = _widen(text, ent.start_char, ent.end_char)  # "the Russian Embassy in Reykjavik"
        name = re.sub(r"^(?:[Tt]he|[Aa]n?)\s+", "", re.sub(r"['’]s$", "", text[start:end])).strip()
        if not name[:1].isupper():
            continue
        if inner:
            # a body whose name holds a country the registry knows ("the US Embassy in London"), for a later "the
            # embassy"; the country's short form spelled out as the registry names it
            if not org_kind(name) or (found := [m for m in reg.find(name) if m.actor.type == "country"]) == []:
                continue
            m = found[0]
            if m.text.isupper():
                name = name[: m.start] + m.actor.name + name[m.end :]
            res.note_in_order(base + ent.start_char, "org", "", m.actor.country or m.actor.id.upper(), name)
            continue
        prev = doc[ent.start - 1] if ent.start > 0 else None
        if prev is not None and prev.lower_.rstrip(".") in _ROLE_WORDS | _HONORIFICS and _name_like(name, reg):
            p = res.person(name, base + ent.start_char, prev.text)
            res.note_in_order(base + ent.start_char, "person", p.id, p.country, p.name)
            if _is_subject(ent.root):
                res.note_in_order(base + ent.start_char, "subject-person", p.id, p.country, p.name)
        elif org_kind(name):
            res.note_in_order(base + ent.start_char, "org", "", reg.demonym_country(name), name)  # "Norrmalm Minerals"
        elif ent.root.dep_ in ("nsubj", "nsubjpass") and ent.root.pos_ == "PROPN":
            # any organisation that is a clause's subject ("NASA interrupted its coverage … It also credited …"), for a
            # later "it"; its country is not looked up (the registry's patterns over every such name cost 0.5 ms an article)
            res.note_in_order(base + ent.start_char, "org", "", None, name)
    for mt in _DOCUMENT_RX.finditer(text):  # the singular document nouns, found in the text, not token by token
        span = doc.char_span(mt.start(), mt.end())
        tok = span[0] if span is not None and len(span) == 1 else None
        if tok is None or tok.tag_ != "NN" or tok.lemma_.lower() not in _DOCUMENTS:
            continue
        by = _issuer(tok, {t.i for t in tok.subtree})
        poss = [c for c in tok.children if c.dep_ == "poss" and c.pos_ == "PROPN"]
        issuer = by or (list(poss[0].subtree) if poss else [])
        if issuer and (found := reg.find(_span_text(issuer))) and not found[0].actor.is_person:
            a = found[0].actor
            res.documents.append((base + tok.idx, (a.id, a.name, a.country, "registry"), tok.lemma_.lower()))
        elif issuer:
            # an issuer the registry does not know: a person or a body by name ("a letter from EFF attorney Mitchell
            # Stoltz", "a warning by Met Éireann"), for a later "the letter"
            got = _resolve(issuer, base + issuer[0].idx, res, reg)
            if got[1] and not got[1].startswith("unnamed ") and got[3] in ("name", "registry", "unresolved"):
                res.documents.append((base + tok.idx, got, tok.lemma_.lower()))
        elif not issuer and tok.dep_ == "dobj" and tok.head.lemma_ in _ISSUING_VERBS:
            # "the task force released a statement": the subject of a verb of issuing issues it
            subj = next((c for c in tok.head.children if c.dep_ == "nsubj"), None)
            got = _resolve(_mention_tokens(subj), base + subj.idx, res, reg) if subj is not None else None
            if got and got[1] and not got[1].startswith("unnamed ") and got[3] != "pronoun":
                res.documents.append((base + tok.idx, got, tok.lemma_.lower()))
    for t in _noting_tokens(doc):
        dep, tag = t.dep_, t.tag_  # read once: each spaCy string attribute is a lookup
        subj = dep in ("nsubj", "nsubjpass")
        etal = t.text[:1].isupper() and t.i + 2 < len(doc) and doc[t.i + 1].lower_ == "et" and doc[t.i + 2].lower_.startswith("al")
        if etal or subj and (first := _first_of_group(t)) is not None:
            first = t if etal else first
            # "Wilson and Hawco found …", "Stamenković et al studied …", "the lead authors, Wilson and Hawco, …": a
            # group of people, whom a later "they" stands for, through its first member
            ent = next((e for e in _doc_ents(doc) if e.label_ == "PERSON" and e.start <= first.i < e.end), None)
            name = _clean_name(ent.text if ent is not None else first.text)
            if name:
                p = res.person(name, base + first.idx)
                res.note_in_order(base + t.idx, "group", p.id, p.country, p.name)
        if tag == "NNS" and t.lemma_.lower() in _TEAM_NOUNS and (body := _team_body(t)):
            # "researchers from Georgia Tech" however the sentence is parsed: a team whom a later "the researchers"
            # or "they" stands for, through its institution
            got = _resolve(body, base + t.idx, res, reg)
            if got[1] and not got[1].startswith("unnamed "):
                res.note_in_order(base + t.idx, "group", got[0] or "", got[2], got[1])
        if tag == "NN" and t.lemma_.lower() in _BODY_NOUNS and t.pos_ == "NOUN":
            nat = [c for c in t.children if c.i < t.i and c.ent_type_ in ("NORP", "GPE") and c.dep_ in ("amod", "compound")]
            if nat:
                # "the Indian navy", "the Serbian government" (one the registry does not hold): a body named by its
                # country, whom a later "the navy" or "the government" means (noted for descriptions, not pronouns)
                country = reg.country_actor(reg.demonym_country(_span_text(nat)))
                if country is not None and not (t.lemma_.lower() == "government" and _government_of(reg, country.id)):
                    res.note_in_order(base + nat[0].idx, "body", "", country.id, _span_text([*nat, t]))
        if subj and tag in ("NNS", "NNPS") and is_main_subject(t) and (t.pos_ == "PROPN" or (
                (low := t.lemma_.lower()) in _ANON_NOUNS or low in _SPEAKER_NOUNS or low in _DESCRIPTIONS)):
            # a plural subject of a main clause that can speak ("Critics of the act …", "Greek unions …", "The Angels"),
            # whom a later "they" means; not things ("The animals"), nor one person it names
            res.plurals[base + t.idx] = _mention_tokens(t)  # resolved only when a "they" asks (the registry's patterns cost)
            res.note_in_order(base + t.idx, "plural", "", None, "")
        # "Carroll argued …" with no entity on "Carroll": a subject that is the surname of a person named in full
        if subj and t.pos_ == "PROPN" and not t.ent_type_ and res.persons:
            words = [c.text for c in t.lefts if c.dep_ == "compound" and c.pos_ == "PROPN"] + [t.text]
            p = res.by_surname(" ".join(words))
            if p is not None:
                res.note_in_order(base + t.idx, "person", p.id, p.country, p.name)
                res.note_in_order(base + t.idx, "subject-person", p.id, p.country, p.name)


def _noting_tokens(doc: Any) -> list[Any]:
    """The tokens of *doc* that can pass a first test of ``note_names``'s loop (a subject, a word before "et", a plural
    team noun or a body noun), found from the doc's arrays: a superset of what the tests take, without a Token
    object and six attribute look-ups for each of the others."""
    from spacy.attrs import DEP, LEMMA, LOWER, TAG

    if not len(doc):
        return []
    strs = doc.vocab.strings
    subj, et, nn, nns = {strs["nsubj"], strs["nsubjpass"]}, strs["et"], strs["NN"], strs["NNS"]
    dep, tag, lemma, lower = doc.to_array([DEP, TAG, LEMMA, LOWER]).T.tolist()
    low = _LEMMA_LOWER
    keep = []
    for i, d in enumerate(dep):
        if d in subj or i + 1 < len(dep) and lower[i + 1] == et:
            keep.append(i)
        elif tag[i] == nns or tag[i] == nn:
            lw = low.get(lemma[i])
            if lw is None:
                if len(low) > 200_000:  # a long run's new words: keep the cache bounded
                    low.clear()
                lw = low[lemma[i]] = strs[lemma[i]].lower()
            if lw in (_TEAM_NOUNS if tag[i] == nns else _BODY_NOUNS):
                keep.append(i)
    return [doc[i] for i in keep]


_LEMMA_LOWER: dict[int, str] = {}  # a lemma's string id -> the lemma in lower case (ids are the same for equal strings)


# The members of a party, in the plural, are lawmakers and officials no one names ("Democrats expressed …").
_PARTY_MEMBERS = frozenset("democrats republicans conservatives liberals tories socialists".split())
# Plural nouns for a research team, which speaks for its institution or its first named member.
_TEAM_NOUNS = frozenset("researcher scientist author".split())


def _first_of_group(t: Any) -> Any:
    """The first person of a subject that names several people: coordinated names ("Wilson and Hawco"), a name
    with "et al", or a plural noun with such names in apposition ("the lead authors, Wilson and Hawco"); else None."""
    doc = t.doc
    person = lambda x: x.ent_type_ == "PERSON" or x.pos_ == "PROPN" and x.ent_type_ in ("", "ORG", "NORP")  # noqa: E731
    if person(t) and (any(c.dep_ == "conj" and person(c) for c in t.children)
                      or t.i + 2 < len(doc) and doc[t.i + 1].lower_ == "et" and doc[t.i + 2].lower_.startswith("al")):
        return t
    if t.tag_ == "NNS" and t.pos_ == "NOUN":
        app = next((c for c in t.children if c.dep_ == "appos" and person(c) and any(x.dep_ == "conj" and person(x) for x in c.children)), None)
        return app
    return None


def _crowd(head: Any, stoks: list[Any]) -> str | None:
    """The anonymous class of a quantified crowd: "Others", "some of them", "Most candidates", "Several residents",
    "other forecasters" ("sources" unless the noun says officials or experts); None if the mention names anyone."""
    if any((t.pos_ == "PROPN" or t.ent_type_ in ("PERSON", "ORG", "GPE", "NORP"))
           and not (t.ent_type_ in ("GPE", "NORP") and t.head.i == head.i and t.dep_ in ("compound", "amod", "nmod")) for t in stoks):
        return None  # a name in the mention; not a country's ("many U.S. generals", "several Chinese experts")
    low = head.lower_
    share = low in ("%", "percent", "per cent") or head.pos_ == "NUM" or head.like_num  # "95% of the participants"
    if low in _QUANTIFIER_VOICES and head.pos_ in ("PRON", "DET", "ADJ", "NOUN") or low == "others" or share:
        of = next((c for c in head.children if c.dep_ == "prep" and c.lower_ == "of"), None)
        noun = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
        if noun is not None and noun.pos_ == "PRON":
            return None  # "some of them": the people named before, not a new voice
        if noun is not None:
            return _ANON_NOUNS.get(noun.lemma_.lower(), "sources")
        return "sources"
    if head.tag_ == "NNS" and head.pos_ == "NOUN" and any(c.lower_ in _QUANTIFIER_VOICES | {"other", "multiple"} and c.i < head.i for c in head.children):
        return _ANON_NOUNS.get(head.lemma_.lower(), "sources")
    return None


def _role_has(res: _Resolver, pid: str, words: list[str]) -> bool:
    p = res.persons.get(pid)
    return p is not None and p.role is not None and all(w in p.role.lower() for w in words)


def _apposed_name(stoks: list[Any]) -> list[Any] | None:
    """The name closing a mention "description, Given Surname" ("the university's chancellor, Ann Lee") that the
    parse did not hang as an apposition of the description: two to four capitalised proper nouns after the last
    comma, right after a common noun in the singular; None otherwise."""
    commas = [k for k, t in enumerate(stoks) if t.text == ","]
    if not commas or commas[-1] == 0:
        return None
    k = commas[-1]
    name, before = stoks[k + 1 :], stoks[k - 1]
    if not 2 <= len(name) <= 4 or before.tag_ != "NN" or not before.is_lower:
        return None
    from .entities import _ORG_WORDS

    if all(t.pos_ == "PROPN" and t.text.isalpha() and t.text[:1].isupper() and t.text not in _ORG_WORDS for t in name):
        return name
    return None


def _team_body(head: Any, inside: set[int] | None = None) -> list[Any]:
    """The tokens of the first institution a plural team noun comes from ("researchers from [the University of
    Washington] and Stanford"), or []."""
    at = next((c for c in head.children if c.dep_ == "prep" and c.lower_ in ("from", "at") and (inside is None or c.i in inside)), None)
    body = next((c for c in at.children if c.dep_ == "pobj" and c.ent_type_ == "ORG"), None) if at is not None else None
    if body is None:
        return []
    toks = [t for t in body.subtree if t.dep_ not in ("cc", "conj") or t.i < body.i]
    doc, end = body.doc, toks[-1].i + 1
    if body.text == "University" and end + 1 < len(doc) and doc[end].lower_ == "at" and doc[end + 1].pos_ == "PROPN":
        k = end + 1  # "the University of Colorado at Boulder": a campus the parser hung elsewhere
        while k < len(doc) and doc[k].pos_ == "PROPN" and doc[k].text[:1].isupper():
            k += 1
        toks += list(doc[end:k])
    return toks


def _team_of(root: Any) -> bool:
    """A plural team noun with the body it comes from ("researchers from CU Boulder"): the body speaks, not a name
    inside the body's phrase that NER read as a person."""
    return root.tag_ == "NNS" and root.lemma_.lower() in _TEAM_NOUNS and any(c.dep_ == "prep" and c.lower_ in ("from", "at") for c in root.children)


def _modifies_a_thing(ent: Any, root: Any) -> bool:
    """A name that only modifies the mention's head noun, which names no person ("the Sieggajavri Sami village")."""
    if not (ent.root.head.i == root.i and ent.root.dep_ in ("compound", "amod", "nmod") and root.pos_ == "NOUN"):
        return False
    if len(ent) == 1 and ent.start > 0 and ent.doc[ent.start - 1].lower_ in ("the", "a", "an") and ent.doc[ent.start - 1].head.i == root.i:
        return True  # "the Wooster professor", "a Trump adviser": a name that says whose or where, not who
    return root.lemma_.lower() not in _SPEAKER_NOUNS and root.lemma_.lower() not in _ANON_NOUNS


def _place_government(stoks: list[Any], head: Any, found: list[Any], offset: int, res: _Resolver, reg: ActorRegistry) -> tuple[str | None, str | None, str | None, str] | None:
    """The government a place names ("the government of Burundi", "The Seoul government", "Serbia's government"):
    the registry's government of that country when it has one, else the body as written, noted for a later "the
    government"; not the country, nor a person whose role names the place. None when no place is named."""
    place = [t for t in stoks if t.i != head.i and (t.ent_type_ in ("GPE", "NORP") or t.pos_ == "PROPN")]
    if not place or any(t.ent_type_ == "PERSON" for t in place):
        return None  # "the Trump government" is the leader's executive (actors._EXECUTIVE)
    where = _span_text(place)
    country = next((m.actor.id for m in found if m.actor.type == "country" and m.text in (m.actor.name, where)), None)
    if country is None and all(t.ent_type_ == "NORP" for t in place):  # "the Saudi government", not "American Samoa"
        country = (reg.demonym_country(where) or "").lower() or None
    gov = _government_of(reg, country) if country else None
    if gov is not None:
        return gov.id, gov.name, gov.country, "description"
    name = _trim_mention(stoks, head)
    code = country.upper() if country and len(country) == 2 else None
    res.note(offset, "org", "", code, name)
    return None, name, code, "unresolved"


# Bodies known by the person they serve: "the Biden campaign", "the Trump administration".
_PERSONAL_BODIES = frozenset({"campaign", "administration"})


def _personal_body(noun: str, poss: Any, offset: int, res: _Resolver, reg: ActorRegistry) -> tuple[str | None, str | None, str | None, str] | None:
    """"the campaign", "his administration": the last body named with that word ("the Jorgensen campaign"), else the
    body of that kind of the person the possessive stands for, or of the last person named ("Biden … The campaign
    called …" is the Biden campaign), noted so that a later "the campaign" or "it" finds it again; None if no one
    was named."""
    named = next(((aid, country, name) for off, kind, aid, country, name in reversed(res.events)
                  if off < offset and kind in ("org", "org-speaker", "body") and noun in name.lower().split()), None)
    if named is not None:
        return (named[0] or None), named[2], named[1], "description"
    owner = _resolve([poss], offset, res, reg) if poss is not None else None
    if owner and owner[0] in res.persons:
        person = (owner[0], owner[2], owner[1])
    else:  # the last named in the text (a paragraph's registry people are noted before its NER people)
        last = max((e for e in res.events if e[0] < offset and e[1] == "person"), key=lambda e: e[0], default=None)
        person = last[2:] if last is not None else None
    if person is None:
        return None
    name = f"{(res.persons[person[0]].name if person[0] in res.persons else person[2]).split()[-1]} {noun}"
    res.note(offset, "body", "", person[1], name)
    return None, name, person[1], "description"


def _first_of_pair(stoks: list[Any], res: _Resolver) -> Person | None:
    """"Ratcliffe and FBI director Christopher Wray", parsed as one name: the person the words before "and" name, when
    they are the surname of a person named before and another name follows; else None."""
    k = next((k for k, t in enumerate(stoks[:4]) if t.lower_ == "and"), None)
    if not k or not all(t.pos_ == "PROPN" for t in stoks[:k]) or not any(t.pos_ == "PROPN" for t in stoks[k + 1 :]):
        return None
    return res.by_surname(_span_text(stoks[:k]))


def _resolve(stoks: list[Any], offset: int, res: _Resolver, reg: ActorRegistry) -> tuple[str | None, str | None, str | None, str]:
    """(actor id, canonical name, country, how) for a speaker mention."""
    if not stoks:
        return None, None, None, "none"
    if len(stoks) == 1 and stoks[0].lower_ in ("which", "who", "that") and stoks[0].head.dep_ == "relcl":
        # "the Sami village, which said …": the noun the relative clause belongs to
        stoks = _mention_tokens(stoks[0].head.head)
        if not stoks or stoks[0].lower_ in ("which", "who", "that"):
            return None, None, None, "none"
    stoks = _core(stoks)
    if (first := _first_of_pair(stoks, res)) is not None:
        return first.id, first.name, first.country, "name"
    if (named := _apposed_name(stoks)) is not None:
        p = res.person(_span_text(named), offset)
        return p.id, p.name, p.country, "name"
    text = _span_text(stoks)
    low = text.lower().strip()
    # a person named in the mention
    ents = [e for e in _doc_ents(stoks[0].doc) if e.label_ == "PERSON" and stoks[0].i <= e.start and e.end <= stoks[-1].i + 1]
    inside = {t.i for t in stoks}
    root = next((t for t in stoks if t.head.i not in inside or t.head is t), stoks[-1])
    named_root = any(e.start <= root.i < e.end for e in ents)
    for m in reg.find(text):
        start = stoks[0].idx + m.start
        if m.actor.is_person and not _surname_clash(stoks[0].doc, start, m.actor):
            last = stoks[0].doc.char_span(start, stoks[0].idx + m.end, alignment_mode="expand")
            if last is not None and last[-1].dep_ in ("compound", "amod", "nmod") and last[-1].head.pos_ == "NOUN":
                if last[-1].head.lemma_.lower() == "campaign" and last[-1].head.i == root.i:
                    return None, _trim_mention(stoks, root), None, "unresolved"  # "The Trump campaign" speaks as such
                continue  # a name that only modifies a noun ("a Trump surrogate", "the Clinton campaign")
            if last is not None and last[-1].dep_ == "poss" and last[-1].head.lemma_.lower() in _ANON_NOUNS and last[-1].head.pos_ == "NOUN":
                continue  # "Trump's doctors", "Baker's daughter": not the person whose they are
            if named_root and last is not None and not last.start <= root.i < last.end:
                continue  # another person named further in ("Don Fowler, who … during Bill Clinton's presidency")
            p = res.person(m.actor.name, offset)
            return p.id, p.name, p.country, "registry"
    ents = [e for e in ents if e.start <= root.i < e.end] or [e for e in ents[:1] if not _modifies_a_thing(e, root) and not _team_of(root)]
    if ents and (name := _clean_name(_given_name(ents[0]))):
        p = res.person(name, offset)
        return p.id, p.name, p.country, "name"
    if not ents and (tail := _titled_tail(stoks)):
        p = res.person(_span_text(tail), offset)  # "United States Senator from Vermont Bernie Sanders"
        return p.id, p.name, p.country, "name"
    head = stoks[-1] if len(stoks) == 1 else next((t for t in stoks if t.dep_ in ("nsubj", "nsubjpass", "pobj", "dobj", "attr")), stoks[-1])
    # a document or spokesperson of a named body speaks for it: "A report by the Swedish Environmental
    # Protection Agency", "a poll published by the newspaper Sermitsiaq", "A spokesperson for the ministry"
    if (head.lemma_.lower() in _ISSUED_HEADS or head.lemma_.lower() in _DOCUMENTS) and head.pos_ == "NOUN":
        got = _document_issuer(head, stoks, inside, offset, res, reg)
        if got is not None:
            return got
    # anonymous voices: "Sources", "an industry insider", "Chinese experts", "Analysts in Oslo", "US media reports"
    found = reg.find(text)
    base = stoks[0].idx
    # a body that owns the mention ("the Pentagon's report"), not a named body of a country ("Finland's Border Guard")
    anon = _ANON_NOUNS.get(head.lemma_.lower())
    owner = [m for m in found if base + m.start <= head.idx < base + m.end
             or text[m.end : m.end + 2] in ("'s", "’s") and head.pos_ != "PROPN" and not (anon and m.actor.is_person)]
    # ("Trump's doctors", "Putin's daughter" are not Trump or Putin; "the Pentagon's report" is the Pentagon's)
    if head.pos_ in ("PROPN", "NOUN") and head.lower_ in _PARTY_MEMBERS and not any(t.ent_type_ == "PERSON" for t in stoks):
        res.anonymous.append((offset, "officials"))  # "Democrats in Congress", "House Republicans": no one named
        return None, "unnamed officials", None, "anonymous"
    if not owner and (crowd := _crowd(head, stoks)):
        res.anonymous.append((offset, crowd))
        return None, f"unnamed {crowd}", None, "anonymous"
    indefinite = head.tag_ == "NN" and stoks[0].lower_ in ("a", "an", "one") and stoks[0].head.i == head.i
    if anon and head.lemma_.lower() in _PLURAL_ONLY and (head.tag_ != "NNS" and not indefinite or any(c.pos_ == "PROPN" for c in head.children)):
        anon = None  # "the group" is the group named before ("a fire officer" is no one named); "Greenpeace groups" are named
    if not anon and not owner and head.pos_ == "NOUN" and head.lemma_.lower() in _DOCUMENTS | {"e-mail", "email"} \
            and (head.tag_ == "NNS" or indefinite and (head.dep_ == "nsubj" or head.dep_ == "pobj" and head.head.head.lower_ == "according")) \
            and not any(t.pos_ == "PROPN" or t.dep_ == "poss" for t in stoks):  # "according to a whistle-blower complaint"
        # a document no one is named as issuing: "Polls showed", "official statements", "an e-mail alluded to"
        anon = "officials" if any(c.lower_ in ("official", "government", "court") for c in head.children) else "sources"
    if anon == "experts" and head.tag_ == "NNS" and head.pos_ == "NOUN" and head.lemma_.lower() in _TEAM_NOUNS:
        body = _team_body(head, inside)
        if body:
            # "researchers from the University of Washington and Stanford": the first institution speaks for its team
            got = _resolve(body, offset, res, reg)
            if got[1]:
                res.note_in_order(offset, "group", got[0] or "", got[2], got[1])  # a later "the researchers", "they"
                return got
        group = res.last_at(offset, {"group"}) if stoks[0].lower_ == "the" else None
        if group is not None and group[0] > offset - 3000:
            res.note_in_order(offset, "group", group[2], group[3], group[4])  # named again: still the team "they" means
            return group[2], group[4], group[3], "description"  # "the researchers": the team named before, by its first
    if anon and head.pos_ == "NOUN" and not owner:
        kin = head.lemma_.lower() in _KIN or anon == "officials" and any(c.dep_ == "poss" for c in head.children)
        if kin and head.tag_ == "NN" and (hit := res.last(offset, {"person"}, role_word=head.lemma_.lower())):
            return hit[0], hit[2], hit[1], "description"  # "his daughter": Nettie Baker, named as his daughter
        if stoks[0].lower_ in ("the", "this", "that"):
            expertish = head.lemma_.lower() in ("expert", "analyst", "scholar", "specialist") and head.tag_ == "NN"
            # "the diplomat": the last person introduced with that role, else (an expert) the last person
            hit = res.last(offset, {"person"}, role_word=head.lemma_.lower()) if head.tag_ == "NN" else None
            hit = hit or (res.last(offset, {"person"}) if expertish else None)
            if hit:
                return hit[0], hit[2], hit[1], "description"
            prior = res.last_anonymous(offset, anon)
            if prior:
                return None, prior, None, "anonymous"
        res.anonymous.append((offset, anon))
        return None, f"unnamed {anon}", None, "anonymous"
    if head.lemma_.lower() == "government" and head.pos_ == "NOUN" and (gov := _place_government(stoks, head, found, offset, res, reg)):
        return gov
    # a registry body that owns the mention ("the Pentagon's report", "the Kremlin"), or issued it
    if owner or (found and head.lemma_.lower() in _ISSUER_HEADS):
        a = (owner or found)[0].actor
        return a.id, a.name, a.country, "registry"
    # a proper name the registry does not know: a person by NER, else an organisation by its name
    if head.pos_ == "PROPN":
        chain = [t for t in stoks if t.i <= head.i and (t.pos_ == "PROPN" or t.text in ("-", "&")) and t.i >= _chain_start(head)]
        if head.ent_type_ == "PERSON" and len(chain) >= 2 or _titled_name(chain):
            p = res.person(_clean_name(_span_text(chain)), offset)
            return p.id, p.name, p.country, "name"
        if chain and (p := res.by_surname(_span_text(chain))) is not None:
            return p.id, p.name, p.country, "name"  # "Pierce argued" with no person entity here: Brock Pierce, named before
        name = _trim_mention(stoks, head)
        possessor = any(text[m.end : m.end + 2] in ("'s", "’s") for m in found)  # "Finland's Border Guard" is no Finland
        inside_word = any(re.search(rf"[\w-]{re.escape(m.text)}|{re.escape(m.text)}-\w", name) for m in found)  # "Agence France-Presse"
        if found and all(m.text in name for m in found) and not re.search(r"\b(in|of|to)\b", name) and not possessor and not inside_word:
            a = found[0].actor
            return a.id, a.name, a.country, "registry"
        return None, name, reg.demonym_country(name), "unresolved"
    if found and head.pos_ == "NOUN" and head.lemma_.lower() in ("embassy", "consulate", "mission", "delegation"):
        name = _trim_mention(stoks, head)
        return None, name, reg.demonym_country(name), "unresolved"
    if found:
        a = found[0].actor
        return a.id, a.name, a.country, "registry"
    # pronouns ("his claim that …" is his)
    low = _POSSESSIVE_PRONOUNS.get(low, low)
    if low in _PRONOUNS:
        want = {"person"} if _PRONOUNS[low] == "person" else ({"org", "country"} if low == "it" else {"org", "country", "person"})
        gender = low if low in ("he", "she") else None
        hit = res.last(offset, {"subject-person"}, pronoun=gender) if gender else None
        if gender and hit and res.last(offset, {"person"}, pronoun=gender) and res.gap(hit[0], offset) > 1200:
            hit = None
        if gender and hit is None:
            hit = res.last(offset, want, pronoun=gender)
        if gender and hit and res.gender(hit[0]) is None and not res.salient(hit[0], offset) \
                and (sure := res.known_near(offset, gender, hit[0])):
            hit = sure  # a person known to take the pronoun, named since or just before, beats one not known to, unless
            # the one not known to is the last who spoke or was a main clause's subject ("…, Perlo explained. “…,” he said")
        if low == "it" and (spoke := res.last_at(offset, {"org-speaker"})) and spoke[0] > offset - 2000:
            # "it added": the body that last spoke, unless another body was named since ("…, the Border Guard said.
            # It added …"; a country named in between is not what "it" says)
            named = res.last_at(offset, {"org"})
            if named is None or named[0] <= spoke[0] or named[2] == spoke[2]:
                return (spoke[2] or None), spoke[4], spoke[3], "pronoun"
        if low == "they" and (plural := res.last_at(offset, {"plural"})) is not None and plural[0] > offset - 600 \
                and all(e is None or e[0] <= plural[0] for e in (res.last_at(offset, {"group"}), res.last_at(offset, {"org-speaker"}))):
            # "Greek unions concede … But they say …": the plural subject of the last main clause, when nothing that
            # speaks for a group was named since (and it is not one person it names)
            got = _resolve(res.plurals[plural[0]], plural[0], res, reg)
            if got[1] and got[3] != "pronoun" and got[0] not in res.persons:
                return got[0], got[1], got[2], "pronoun"
        if low == "they" and (group := res.last_at(offset, {"group"})) is not None and group[0] > offset - 1500:
            spoke = res.last_at(offset, {"org-speaker"})  # a body named in passing ("using the facilities at DLR") does not count
            if spoke is None or spoke[0] < group[0] or spoke[4] == group[4]:
                return group[2], group[4], group[3], "pronoun"  # "Wilson and Hawco … They found": the group's first
        if low == "they" and not hit:
            # "they": a body, a team or an anonymous crowd named last (within a few sentences), not a single person
            body = res.last_at(offset, {"group", "org", "org-speaker"})
            crowd = next(((off, k) for off, k in reversed(res.anonymous) if off < offset), None)
            if crowd is not None and crowd[0] > offset - 1500 and (body is None or crowd[0] > body[0]):
                return None, f"unnamed {crowd[1]}", None, "pronoun"
            if body is not None and body[0] > offset - 1500 and (body[2] or body[4]):
                return (body[2] or None), body[4], body[3], "pronoun"
        hit = hit or res.last(offset, want)
        return (hit[0], hit[2], hit[1], "pronoun") if hit else (None, text, None, "pronoun")
    # descriptions: "the professor", "the Kremlin spokesman", "the ministry"
    words = [t.lower_ for t in stoks if t.pos_ in ("NOUN", "PROPN")]
    if words:
        noun = words[-1]
        poss = next((t for t in stoks if t.dep_ == "poss" and t.lower_ in _POSSESSIVE_PRONOUNS and t.head.i == head.i), None)
        if poss is not None and noun in _DESCRIPTIONS and _PRONOUNS.get(_POSSESSIVE_PRONOUNS[poss.lower_]) == "person":
            # "his office", "her ministry": the body of the person the pronoun stands for, when the registry knows it
            pid = _resolve([poss], offset, res, reg)[0]
            a = reg.actors.get(pid or "")
            body = reg.actors.get(a.parent or "") if a is not None else None
            if body is not None and body.type != "country":
                return body.id, body.name, body.country, "description"
            if noun == "office" and pid and a is None:
                res.anonymous.append((offset, "officials"))
                return None, "unnamed officials", None, "anonymous"  # "his office" of someone the registry does not know
        if noun in _PERSONAL_BODIES and head.pos_ == "NOUN" and (poss is not None or stoks[0].lower_ in ("the", "this", "that")):
            if (got := _personal_body(noun, poss, offset, res, reg)) is not None:
                return got
        nat = [t for t in stoks if t.i < head.i and t.head.i == head.i and t.ent_type_ in ("NORP", "GPE") and t.dep_ in ("amod", "compound")]
        if noun in _DESCRIPTIONS and nat and head.pos_ == "NOUN":
            # "the Saudi government", "Iraqi military": that country's body, not the last body of the kind named
            country = reg.country_actor(reg.demonym_country(_span_text(nat)))
            gov = _government_of(reg, country.id) if country is not None and noun == "government" else None
            if gov is not None:
                return gov.id, gov.name, gov.country, "description"
            return None, _trim_mention(stoks, head), country.id if country is not None else None, "unresolved"
        if noun in ("service", "department", "brigade") and any(t.lower_ in _EMERGENCY for t in stoks if t.i < head.i):
            res.anonymous.append((offset, "officials"))
            return None, "unnamed officials", None, "anonymous"  # "the fire service", "the ambulance service"
        if noun in _DESCRIPTIONS:
            # "the ministry": the last body whose name says so ("Ministry of Natural Resources"), else the last body
            # of a kind the word fits ("the company": the last company named)
            fits = _DESCRIPTIONS[noun]
            hit = next(((aid, country, name) for off, kind, aid, country, name in reversed(res.events) if kind in ("org", "org-speaker", "body")
                        and off < offset and noun in name.lower().split()), None) or \
                next(((aid, country, name) for off, kind, aid, country, name in reversed(res.events) if off < offset
                      and kind in ("org", "org-speaker", "country", "body") and _body_kind(reg, aid, name) in fits), None)
            if hit and noun == "government" and hit[0] and len(hit[0]) == 2 and (gov := _government_of(reg, hit[0])):
                return gov.id, gov.name, gov.country, "description"  # "the federal government" after "Canada"
            if hit:
                return (hit[0] or None), hit[2], hit[1], "description"
        # "the health minister" is not the civil aviation minister: a noun before the role must be in the role
        qualifiers = [t.lower_ for t in stoks if t.dep_ == "compound" and t.head.i == head.i and t.pos_ == "NOUN" and t.is_lower]
        hit = res.last(offset, {"person"}, role_word=noun)
        if hit and qualifiers and not _role_has(res, hit[0], qualifiers):
            return None, _trim_mention(stoks, head), None, "unresolved"
        if hit:
            return hit[0], hit[2], hit[1], "description"
        if stoks[0].lower_ == "the" and head.pos_ == "NOUN" and not qualifiers:
            hit = res.last(offset, {"person"})
            if hit and noun in ("spokesman", "spokeswoman", "spokesperson", "minister", "expert", "professor", "official", "president", "analyst", "researcher", "scientist", "ambassador", "diplomat", "director", "chief", "head", "leader", "premier", "chairman", "chair", "secretary", "commander", "governor", "mayor", "senator", "envoy", "economist", "lawyer", "author"):
                return hit[0], hit[2], hit[1], "description"
    return None, text, reg.demonym_country(text), "unresolved"
