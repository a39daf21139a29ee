"""Where the parser misplaces a reported clause: small repairs the indirect-speech rules of ``quotes.py`` use.

en_core_web_sm often hangs the content of a report somewhere other than on the report verb's clausal
complement: on the noun of a phrase that comes between ("insisted during a visit on Monday [that …]"), as
an adverbial clause ("tweeted in the early hours [that …]", "said [after the vote he would …]"), as a
second complement beside the first ("said [A has …] and [his comment was …]"); and it hangs on the content
what is not part of it (", although he refused …"), or leaves out what a colon announces. Each function
takes the report verb (or the content's head) and returns tokens; none of them decides whether a verb
reports: that stays in ``quotes.analyse``.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

FINITE = frozenset({"VBD", "VBZ", "VBP", "MD"})  # finite verb tags: a clause with its own tense
_MARKS = "“\"”"


def that_clause_as_advcl(tok: Any, c: Any) -> bool:
    """A that-clause the parser hung on the verb as an adverbial clause when a phrase came between ("tweeted
    in the early hours [that the mayor was …]"): no adverbial clause opens with a bare "that" ("so that" and
    "now that" do, and are left alone)."""
    if c.dep_ != "advcl" or c.i < tok.i:
        return False
    first = c.left_edge
    return first.lower_ == "that" and first.dep_ in ("mark", "advmod") and first.i > tok.i and first.nbor(-1).lower_ not in ("so", "now", "such", "in", "order")


# Nouns whose that-clause is their own content ("pointed to reports that …", "the fact that …"), not a clause
# the parser moved onto them from the verb.
_CONTENT_NOUNS = frozenset("""
    report news fact idea notion evidence sign signal indication rumor rumour word message impression sense
    assumption theory possibility chance risk doubt question proof story speculation suspicion
""".split())


def that_clause_in_phrase(tok: Any, noun_cues: Collection[str]) -> list[Any]:
    """A that-clause the parser hung on the last noun of a phrase after the verb ("insisted during a visit to
    Kirkenes on Monday [that Oslo was …]"): a clause under the verb's prepositional phrases whose "that" is a
    complementiser (a relative "that" is usually the clause's subject or object, not its marker, though
    the parser sometimes labels it one: hence the stranded-preposition guard); on a noun that
    takes a content clause of its own only after "in" ("said in a statement that …", not "pointed to reports
    that …", which is the reports' claim)."""
    for prep in (c for c in tok.children if c.dep_ == "prep" and c.i > tok.i):
        for t in prep.subtree:
            first = t.left_edge
            if t.dep_ in ("relcl", "acl") and first.lower_ == "that" and first.dep_ == "mark" and first.head == t:
                words = [x for x in t.subtree if not x.is_punct]
                if words and words[-1].dep_ == "prep" and not list(words[-1].children):
                    return []  # a stranded preposition: a relative clause after all ("the raids that the unit took part in")
                noun = t.head
                if (noun.lemma_ in _CONTENT_NOUNS or noun.lemma_ in noun_cues) and not (noun.dep_ == "pobj" and noun.head.lower_ == "in"):
                    return []  # "pointed to reports that …" is the reports' claim; "said in a statement that …" the speaker's
                return [t]
    return []


def clause_behind_a_phrase(tok: Any) -> list[Any]:
    """A reported clause the parser read as an adverbial clause opening with the phrase before it ("said
    [after the vote he would resign]"): a finite clause after the verb with its own subject, no conjunction
    of its own ("because", "if"), and a prepositional phrase as its first words, before that subject."""
    for c in tok.children:
        if c.dep_ != "advcl" or c.i < tok.i or any(m.dep_ == "mark" for m in c.children):
            continue
        subj = next((x for x in c.children if x.dep_ == "nsubj"), None)
        lead = c.left_edge
        finite = c.tag_ in FINITE or any(a.dep_ == "aux" and a.tag_ in FINITE for a in c.children)
        if subj is not None and finite and lead.dep_ == "prep" and lead.head == c and lead.i < subj.left_edge.i and lead.i == tok.i + 1:
            return [c]
    return []


_CONCESSIVE = frozenset({"although", "though", "whereas"})


def without_concession(c: Any, toks: list[Any]) -> list[Any]:
    """The reported clause without a concessive clause set off by a comma at its end ("claimed that the patrol
    was routine[, although it had entered the zone twice]"): the reporter's aside, which the parser
    hangs on the clause rather than on the report verb. "because", "if", "while" clauses stay (they are most
    often part of the claim)."""
    if not toks:
        return toks
    doc = c.doc
    for adv in c.children:
        if adv.dep_ != "advcl" or adv.i < c.i or adv.right_edge.i < toks[-1].i:
            continue  # only a clause that runs to the end of the content
        mark = adv.left_edge
        concessive = mark.lower_ in _CONCESSIVE or (mark.lower_ == "even" and mark.i + 1 < len(doc) and doc[mark.i + 1].lower_ == "though")
        if concessive and mark.i > 0 and doc[mark.i - 1].text == ",":
            return [t for t in toks if t.i < mark.i - 1]
    return toks


def after_colon(tok: Any, toks: list[Any], cues: frozenset[str]) -> list[Any]:
    """What follows a colon that ends the reported clause, to the end of the sentence: the items or the
    explanation the claim announces ("noted that the town needs three things before winter: a second pier,
    a larger fuel depot …"). Only when the colon and the rest are in the report verb's sentence (when the parser
    makes the rest a sentence of its own, nothing is added). Not when the rest has a quotation or a report of
    its own."""
    if not toks:
        return []
    doc, last = tok.doc, toks[-1]
    if last.i + 2 >= len(doc) or doc[last.i + 1].text != ":" or doc[last.i + 1].sent != tok.sent:
        return []
    rest = [t for t in tok.sent if t.i > last.i + 1]
    while rest and rest[-1].is_punct:
        rest = rest[:-1]
    if len(rest) < 3 or any(t.text in _MARKS or t.lemma_ in cues and t.pos_ == "VERB" for t in rest):
        return []
    return rest


def that_clause_coordinated(tok: Any, first: Any) -> list[Any]:
    """A second that-clause the parser coordinated with the report verb instead of with the first clause ("said
    that the route is open, but [that the fleet froze all cooperation]"): a conjunct of the verb after the first
    clause whose own first word is the complementiser "that"."""
    return [c for c in tok.children if c.dep_ == "conj" and c.i > first.i and c.left_edge.lower_ == "that"
            and c.left_edge.dep_ == "mark" and c.left_edge.head == c]


def second_clause(tok: Any, comp: list[Any], toks: list[Any], second: set[int], cues: frozenset[str]) -> list[Any]:
    """The words of a second clause the parser hung on the report verb beside the first one ("said [Oslo
    has respect for the treaty and] [his harsh comment was an expression of …]": two ccomps, where one clause
    coordinated with the other was meant). Only when both follow the verb in one sentence and nothing but a
    conjunction or a comma stands between them (not a dash, colon or full stop); not when the second is a
    report itself ("she thinks A but said B": its own quote)."""
    if len(comp) < 2 or not tok.i < comp[0].i < comp[1].i or not toks:
        return []
    nxt = comp[1]
    gap = tok.doc[comp[0].right_edge.i + 1 : nxt.left_edge.i]
    if any(not (t.text == "," or t.dep_ == "cc") for t in gap) or nxt.left_edge.i <= toks[-1].i or nxt.sent != tok.sent:
        return []
    if nxt.lemma_ in cues or nxt.left_edge.tag_ == "VBG" or any(x.dep_ == "csubj" for x in nxt.children):
        return []  # a report of its own, or a participle's clause (", citing the damage caused …")
    if any(m.dep_ == "mark" and m.lower_ != "that" for m in nxt.children):
        return []  # "said A, because B": not a second claim
    return [t for t in nxt.subtree if t.i not in second and not (t.dep_ == "mark" and t.head == nxt)]


_OBJECT_PRONOUNS = frozenset("me you him her us them it".split())


def subject_read_as_object(tok: Any, c: Any) -> list[Any]:
    """The subject of a reported clause with no "that", which the parser made the report verb's object
    ("Rappler reported [three malls] were damaged", "announced [the recorder from Flight 610] has been
    recovered"): a finite clausal complement with no subject of its own, right after the verb's noun object
    (and a phrase the parser hung on the verb between them). Not an addressee pronoun ("told them …")."""
    if c.dep_ != "ccomp" or c.i < tok.i or any(x.dep_ in ("nsubj", "nsubjpass", "expl", "csubj") for x in c.children):
        return []
    if not (c.tag_ in FINITE or any(a.dep_ in ("aux", "auxpass") and a.tag_ in FINITE for a in c.children)):
        return []
    obj = next((x for x in tok.children if x.dep_ == "dobj" and tok.i < x.i < c.i), None)
    if obj is None or obj.lower_ in _OBJECT_PRONOUNS:
        return []
    gap = tok.doc[obj.right_edge.i + 1 : c.left_edge.i]
    if len(gap) and not (gap[0].dep_ == "prep" and gap[0].head == tok and gap[0].right_edge.i + 1 == c.left_edge.i
                         and not any(t.is_punct for t in gap)):
        return []  # only the object, or the object and a phrase of its own the parser hung on the verb ("[Netflix due to …] have delayed")
    return list(tok.doc[obj.left_edge.i : c.left_edge.i])


def that_read_as_noun(tok: Any) -> Any:
    """The complementiser "that" of a reported clause which the parser took for the verb's object or subject
    ("writes in an essay [that] the term … derived from …": "that" as dobj, the clause hung under it): the
    "that" token (a subordinating conjunction, after the verb, not the demonstrative "said that"), or None.
    The clause is then the rest of the sentence."""
    for x in tok.children:
        if x.lower_ == "that" and x.i > tok.i and x.tag_ == "IN" and x.dep_ in ("dobj", "nsubj", "attr", "npadvmod") and x.i + 3 < x.sent.end:
            return x
    return None


def clause_read_as_object(tok: Any, object_verbs: Collection[str]) -> Any:
    """The subject of a reported clause with no "that" which the parser made the verb's object and under which
    it hung the clause's verb ("he says [the phrase] “subject to” referred to …"): the object, when its phrase
    holds a finite verb and the report verb takes no noun object of its own (not "reported a rise", "told
    them"). The clause is then the rest of the sentence from the object on; None when this is not the case."""
    if tok.lemma_ in object_verbs or tok.lemma_ in _ADDRESSEE_VERBS:
        return None
    obj = next((x for x in tok.children if x.dep_ == "dobj" and x.i > tok.i), None)
    if obj is None or obj.pos_ == "PRON" or obj.left_edge.i != tok.i + 1 and tok.doc[tok.i + 1].dep_ != "det":
        return None
    finite = any(t.tag_ in ("VBD", "VBZ", "VBP") and t.i > obj.i and t.pos_ == "VERB" and not _in_relative(t, obj) for t in obj.subtree)
    # "said [several acres of land] burned": a past tense the parser read as a participle on the object ("say" takes
    # no such object: "said the words spoken" is rare next to "said the land burned")
    past = tok.lemma_ == "say" and any(t.dep_ == "acl" and t.tag_ == "VBN" and t.text.endswith("ed") and t.i > obj.i
                                       and not any(a.dep_ in ("aux", "auxpass") for a in t.children) for t in obj.subtree)
    return obj if finite or past else None


def _in_relative(t: Any, top: Any) -> bool:
    """Whether *t* sits in a relative clause or a participle phrase of a noun below *top* ("a letter [that explained …]")."""
    while t.i != top.i and t.head.i != t.i:
        if t.dep_ in ("relcl", "acl"):
            return True
        t = t.head
    return False


_ADDRESSEE_VERBS = frozenset("tell ask warn assure inform remind notify urge advise brief".split())


def that_clause_on_addressee(tok: Any) -> list[Any]:
    """A that-clause the parser hung as a relative clause on the addressee or its apposition ("told Anadolu
    Agency, a local news outlet, [that one of the deceased was …]"): a clause under the verb's object whose
    "that" is its complementiser (a mark, not its subject) and which has a subject of its own."""
    for obj in (c for c in tok.children if c.dep_ == "dobj" and c.i > tok.i):
        for t in obj.subtree:
            first = t.left_edge
            if t.dep_ in ("relcl", "acl") and first.lower_ == "that" and first.dep_ == "mark" and first.head == t \
                    and any(x.dep_ in ("nsubj", "nsubjpass", "expl") and x.i > first.i for x in t.children):  # fmt: skip
                return [t]
    return []
