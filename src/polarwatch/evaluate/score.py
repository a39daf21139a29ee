"""Scoring for ``polarwatch eval``: predictions (plain data) against gold.

Pure functions: no NLP, no store. The rules are written up in ``docs/eval.md``.

* :func:`score_quotes` -- quote detection and speaker attribution for one article;
* :func:`score_entities` -- entity linking for one article;
* :func:`aggregate` / :func:`score_quotes_many` / :func:`score_entities_many` --
  micro-averages over many articles (tp/fp/fn summed, ratios recomputed);
* :func:`format_table` -- the CLI's text output.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .gold import GoldEntity, GoldQuote

if TYPE_CHECKING:
    from ..records import Mention, Quote

__all__ = [
    "ENTITY_TYPES",
    "PredEntity",
    "PredQuote",
    "aggregate",
    "coarse_type",
    "entities_from_mentions",
    "format_table",
    "heaviest_matching",
    "match_quotes",
    "prf",
    "same_entity",
    "same_speaker",
    "score_entities",
    "score_entities_many",
    "score_quotes",
    "score_quotes_many",
    "tokens",
]

KINDS = ("direct", "indirect")
ENTITY_TYPES = ("country", "organization", "person")

# Mention.kind / registry kinds -> the three types entity linking is scored on.
_COARSE = {
    "person": "person",
    "country": "country",
    "organization": "organization",
    "organisation": "organization",
    "government": "organization",
    "ministry": "organization",
    "military": "organization",
    "agency": "organization",
    "company": "organization",
    "legislature": "organization",
    "international": "organization",
    "indigenous": "organization",
    "party": "organization",
    "media": "organization",
}

# Never enough to identify a speaker or entity on their own.
PRONOUNS = frozenset(
    "i me my we us our you your he him his she her hers it its they them their theirs this that these those who whom which".split()
)

# A last word like these marks an institution, not a person's surname.
_ORG_WORDS = frozenset(
    """
    academy administration agency army association authority bank board bureau campaign center centre coalition command
    commission committee company congress corp corporation council court department embassy federation fleet force forces
    foundation fund government group guard house inc institute journal kingdom league ltd ministry navy network news
    office officials organisation organization parliament party police post press republic senate service services
    sources states team times union university experts analysts observers
    """.split()
)
_PARTICLES = frozenset("de da del der di du van von bin al la le el ibn".split())


# --- predictions ------------------------------------------------------------------


@dataclass(slots=True)
class PredQuote:
    """One predicted quote, as data. ``speaker_type`` ("person", ...) is optional."""

    text: str
    kind: str  # "direct" or "indirect"
    speaker_name: str | None = None  # canonical name of the resolved speaker, else the mention text
    speaker_aliases: list[str] = field(default_factory=list)
    speaker_type: str | None = None

    @classmethod
    def from_record(cls, q: Quote, aliases: Iterable[str] = (), speaker_type: str | None = None) -> PredQuote:
        """From an extractor's :class:`polarwatch.records.Quote`; the speaker mention becomes an alias."""
        al = [a for a in aliases if a]
        if q.speaker_text and q.speaker_text != q.speaker_name:
            al.append(q.speaker_text)
        return cls(q.text, q.kind, q.speaker_name or q.speaker_text, al, speaker_type)


@dataclass(slots=True)
class PredEntity:
    """One predicted entity (an actor found in the article) with the names used for it."""

    name: str
    type: str
    aliases: list[str] = field(default_factory=list)


def entities_from_mentions(mentions: Iterable[Mention]) -> list[PredEntity]:
    """Group an article's mentions into entities: one per ``actor_id`` (or per name when unresolved).

    The entity's name is the canonical ``actor_name`` (else the first mention's
    text), its type the first mention's ``kind``, its aliases the other mention texts.
    """
    out: dict[str, PredEntity] = {}
    for m in mentions:
        name = m.actor_name or m.text
        key = m.actor_id or f"text:{_norm(name)}"
        e = out.get(key)
        if e is None:
            e = out[key] = PredEntity(name, m.kind, [])
        if m.text != e.name and m.text not in e.aliases:
            e.aliases.append(m.text)
    return list(out.values())


# --- counting -----------------------------------------------------------------------


def prf(tp: int, fp: int, fn: int) -> dict[str, Any]:
    """``{"precision","recall","f1","tp","fp","fn"}``; a ratio with a zero denominator is 0.0."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


def aggregate(results: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Micro-average: sum tp/fp/fn at every level of same-shaped results, recompute the ratios."""
    results = list(results)
    if not results:
        raise ValueError("aggregate() needs at least one result (use score_quotes_many for an empty set)")

    def merge(parts: list[dict[str, Any]]) -> dict[str, Any]:
        first = parts[0]
        if "tp" in first:
            return prf(sum(x["tp"] for x in parts), sum(x["fp"] for x in parts), sum(x["fn"] for x in parts))
        return {k: merge([x[k] for x in parts]) for k in first}

    return merge(results)


# --- text and names -------------------------------------------------------------------

_WORD = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens; punctuation (and quotation marks) ignored."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def _norm(name: str) -> str:
    s = unicodedata.normalize("NFKC", name).replace("’", "'").replace("‘", "'").casefold()
    s = re.sub(r"\s+", " ", s).strip(" \t\n.,;:!?\"'“”()[]")
    if s.startswith("the "):
        s = s[4:].lstrip()
    return s


def _names(name: str | None, aliases: Iterable[str]) -> set[str]:
    out = {_norm(n) for n in [name or "", *aliases]}
    return {n for n in out if n and n not in PRONOUNS}


def _strip_possessive(name: str) -> str:
    return re.sub(r"['’]s?$", "", name.strip())


def _last_word(name: str) -> str:
    ws = _WORD.findall(_strip_possessive(name))
    return ws[-1] if ws else ""


def _looks_like_person(name: str) -> bool:
    """A heuristic for when no side says: 2-5 capitalised words, no article, no institution word."""
    words = _strip_possessive(name).split()
    if not 2 <= len(words) <= 5 or words[0].casefold() == "the":
        return False
    for w in words:
        bare = w.strip(".,")
        if not bare:
            return False
        if bare.casefold() in _ORG_WORDS:
            return False
        if not (bare[0].isupper() or bare.casefold() in _PARTICLES):
            return False
    return True


def _is_person(typ: str | None) -> bool | None:
    return None if not typ else coarse_type(typ) == "person"


def _surname_match(g_name: str, g_type: str | None, p_name: str, p_type: str | None) -> bool:
    gl, pl = _last_word(g_name), _last_word(p_name)
    if not gl or not pl or gl.casefold() != pl.casefold() or gl.casefold() in PRONOUNS:
        return False
    gp, pp = _is_person(g_type), _is_person(p_type)
    if gp is False or pp is False:
        return False
    if gp or pp:
        return True
    # Neither side says what it is: both must end in a capitalised non-institution word,
    # and one of them must look like a full personal name.
    if not (gl[0].isupper() and pl[0].isupper()) or gl.casefold() in _ORG_WORDS:
        return False
    return _looks_like_person(g_name) or _looks_like_person(p_name)


# Words that open what a noun phrase adds after its head: a relative clause, a contact clause's subject
# ("tax experts I spoke to"), a prepositional phrase ("a panel in 2001"); not "of", which opens the head's
# complement ("the head of the FBI"). A lower-case word in -ed or -ing with another word after it opens a
# participle ("a report released Friday"); alone it is more often the head ("the Senate hearing").
_POSTMODIFIER_OPENERS = frozenset("that who whom whose which i we you he she they in at from for on with by during".split())
_DASHES = "–—―"


def _cut_before_postmodifier(long: str, short: str) -> bool:
    """Whether *short* is the noun phrase *long* (as written) cut where what follows its head begins.

    *short* must open *long* (after an optional "the") and end at a word boundary; what follows must
    open with a relative or personal pronoun, a preposition other than "of", a lower-case participle
    followed by another word, or a dash set off by a space or closed by a second dash.
    """
    lowered = long.casefold().replace("’", "'")
    short = short.casefold().replace("’", "'")
    if not short or short in PRONOUNS or short.endswith(("'s", "s'")):
        return False  # a possessive is not the head: "Trump's running mate"
    m = re.match(r"(?:the\s+)?" + re.escape(short) + r"(?!\w)", lowered)
    if m is None:
        return False
    rest = lowered[m.end():]
    if rest[:1] in _DASHES:  # "The transcript of the debate–published by The Post–", not "Russia–Ukraine"
        return rest[1:2].isspace() or any(c in _DASHES for c in rest[1:])
    if rest[:1].isspace() and rest.lstrip()[:1] in _DASHES:
        return True  # "the minutes — kept by the clerk"
    words = rest.split()
    if not rest[:1].isspace() or not words:
        return False
    nxt = words[0].strip(",.;:")
    if nxt in _POSTMODIFIER_OPENERS:
        return True
    # the same word as written (casefolding keeps the words apart), lower-case unless it is a name: "Khalid Ahmed"
    written = long.split()[len(lowered[: m.end()].split())].strip(",.;:")
    return len(words) > 1 and nxt.endswith(("ed", "ing")) and written.islower()


def _same_mention_cut_short(gold: GoldQuote, pred: PredQuote) -> bool:
    """Whether the predicted mention and the gold source mention are one noun phrase, one of them cut short.

    Only for gold whose loader says its speaker is the mention as written
    (``GoldQuote.speaker_is_span``: PolNeAR has no coreference, its speaker is the Source span). PolNeAR spans keep relative clauses and participles
    ("A 2014 study that appeared in …", "A union representing flight attendants"); a
    prediction attached to that mention names it "A 2014 study", "A union"; or the other
    way round, the prediction keeps a phrase the annotator left out ("an arbitration panel
    in 2001" for "an arbitration panel"). The shorter must open the longer at a word
    boundary, and what the longer adds must open as :func:`_cut_before_postmodifier` says,
    so "the Trump campaign" is not "Trump", "Khalid Ahmed" is not "Khalid", "The Senate
    hearing" is not "Senate" and "The head of the FBI" is not "the head". (The spans' offsets
    are not compared: gold offsets are into the raw text, predictions' into the article body.)
    """
    mention = " ".join((gold.speaker_mention or "").split())
    if not gold.speaker_is_span or not mention:
        return False  # our own gold names a resolved speaker: its aliases are other names, not cut spans
    short_gold = _norm(mention)
    for raw in [pred.speaker_name or "", *pred.speaker_aliases]:
        name = " ".join(raw.split())
        if _cut_before_postmodifier(mention, _norm(name)) or _cut_before_postmodifier(name, short_gold):
            return True
    return False


def same_speaker(gold: GoldQuote, pred: PredQuote) -> bool:
    """Whether a matched predicted quote names the gold speaker.

    Same canonical name, or an alias of either side equal to a name or alias
    of the other (case-insensitive, a leading "the" ignored; pronoun aliases
    never count), or, for people, the same surname (last word). A gold speaker
    that is itself a pronoun (a PolNeAR Source span "he") also matches a
    prediction whose aliases hold that pronoun (the mention it attached to). A
    gold quote with no speaker (PolNeAR's source-less attributions) is right
    only when the prediction names none.
    """
    if not gold.speaker:
        return not pred.speaker_name
    if not pred.speaker_name:
        return False
    g_canon, p_canon = _norm(gold.speaker), _norm(pred.speaker_name)
    g_names = {g_canon} | _names(None, gold.aliases_of_speaker)
    p_names = {p_canon} | _names(None, pred.speaker_aliases)
    if g_names & p_names - {""}:
        return True
    if g_canon in PRONOUNS and g_canon in {_norm(a) for a in pred.speaker_aliases}:
        return True
    if _same_mention_cut_short(gold, pred):
        return True
    return _surname_match(gold.speaker, gold.speaker_type, pred.speaker_name, pred.speaker_type)


# --- quotes -----------------------------------------------------------------------------


# How far below a prediction's best overlap a gold quote may be and still have its speaker break the tie.
NEAR_BEST = 0.1
_FINE = 1000  # overlap kept to 1/1000 as the last tier
# Above this many summed weight units a component is paired greedily: float64 sums must stay exact (< 2**53).
_EXACT_LIMIT = 1 << 50


def heaviest_matching(keys: dict[tuple[int, int], tuple[int, ...]]) -> list[tuple[int, int]]:
    """One-to-one ``(left, right)`` pairs of the candidate pairs *keys*: the most pairs, then the largest
    sum of each key tier in turn (keys are tuples of non-negative ints of one length, compared tier by tier).

    Per connected component, the tiers become one integer weight (each tier's unit exceeds what every
    lower tier can add up to over the component's largest matching) and
    ``scipy.optimize.linear_sum_assignment`` finds the heaviest assignment, which is exact while the
    weights stay far under 2**53 (components up to about a thousand pairs a side with the quote keys).
    A larger component is paired greedily, heaviest key first.
    """
    pairs: list[tuple[int, int]] = []
    for part in _components(keys):
        pairs += _heaviest_in_component(part)
    return sorted(pairs)


def _heaviest_in_component(keys: dict[tuple[int, int], tuple[int, ...]]) -> list[tuple[int, int]]:
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    left = sorted({i for i, _ in keys})
    right = sorted({j for _, j in keys})
    size = min(len(left), len(right))  # no matching has more pairs
    tiers = (1, *next(iter(keys.values())))  # being a pair at all is the first tier
    top = [1] + [max(k[t] for k in keys.values()) for t in range(len(tiers) - 1)]
    units = [1] * len(tiers)
    for t in range(len(tiers) - 2, -1, -1):  # each unit outweighs all the lower tiers of a full matching
        units[t] = size * top[t + 1] * units[t + 1] + units[t + 1]
    weight = {e: units[0] + sum(u * x for u, x in zip(units[1:], k, strict=True)) for e, k in keys.items()}
    if size * max(weight.values()) >= _EXACT_LIMIT:
        return _greedy(keys)
    li, ri = {i: n for n, i in enumerate(left)}, {j: n for n, j in enumerate(right)}
    matrix = np.zeros((len(left), len(right)))
    for (i, j), w in weight.items():
        matrix[li[i], ri[j]] = w
    rows, cols = linear_sum_assignment(matrix, maximize=True)
    return [(left[r], right[c]) for r, c in zip(rows, cols, strict=True) if matrix[r, c] > 0]


def _greedy(keys: dict[tuple[int, int], tuple[int, ...]]) -> list[tuple[int, int]]:
    used_l: set[int] = set()
    used_r: set[int] = set()
    out = []
    for (i, j), _ in sorted(keys.items(), key=lambda e: (tuple(-x for x in e[1]), e[0])):
        if i not in used_l and j not in used_r:
            used_l.add(i)
            used_r.add(j)
            out.append((i, j))
    return out


def match_quotes(gold: Sequence[GoldQuote], pred: Sequence[PredQuote]) -> list[tuple[int, int]]:
    """One-to-one ``(gold index, pred index)`` pairs: as many as can be, then overlap, then the right speakers.

    A pair is a candidate when the prediction shares at least half of the gold
    quote's tokens (multiset overlap, at least one); its overlap is shared tokens /
    tokens of either side. Of all one-to-one sets of candidates, the one taken has
    the most pairs; among those, the most pairs whose overlap is within
    :data:`NEAR_BEST` of the best overlap its prediction has with any gold quote
    (the text decides which quote a prediction belongs to); among those, the most
    pairs whose speaker is right (:func:`same_speaker`), so the speaker only breaks
    a tie between gold quotes the prediction overlaps about equally well (two nested
    attributions of the same words); among those, the largest summed overlap.
    (Before round 7, pairs were taken greedily, best overlap first, which could
    leave a gold quote unmatched.)
    """
    gtok = [Counter(tokens(g.text)) for g in gold]
    ptok = [Counter(tokens(p.text)) for p in pred]
    overlap: dict[tuple[int, int], float] = {}
    for i, gc in enumerate(gtok):
        gn = sum(gc.values())
        if not gn:
            continue
        for j, pc in enumerate(ptok):
            shared = sum((gc & pc).values())
            if shared and 2 * shared >= gn:
                overlap[(i, j)] = shared / (gn + sum(pc.values()) - shared)
    best: dict[int, float] = {}
    for (_, j), ov in overlap.items():
        best[j] = max(best.get(j, 0.0), ov)
    keys = {
        (i, j): (int(ov >= best[j] - NEAR_BEST - 1e-9), int(same_speaker(gold[i], pred[j])), round(_FINE * ov))
        for (i, j), ov in overlap.items()
    }
    return heaviest_matching(keys)


def _components(edges: dict[tuple[int, int], Any]) -> list[dict[tuple[int, int], Any]]:
    """The candidate pairs split into connected groups (most gold quotes overlap one prediction or none)."""
    group: dict[tuple[str, int], tuple[str, int]] = {}

    def root(x: tuple[str, int]) -> tuple[str, int]:
        while group.setdefault(x, x) != x:
            group[x] = group[group[x]]  # path halving: chains stay short on a dense component
            x = group[x]
        return x

    for i, j in edges:
        ri, rj = root(("L", i)), root(("R", j))
        if ri != rj:
            group[ri] = rj
    parts: dict[tuple[str, int], dict[tuple[int, int], Any]] = {}
    for (i, j), w in edges.items():
        parts.setdefault(root(("L", i)), {})[(i, j)] = w
    return list(parts.values())


def _score_quote_set(gold: Sequence[GoldQuote], pred: Sequence[PredQuote]) -> dict[str, Any]:
    pairs = match_quotes(gold, pred)
    tp = len(pairs)
    stp = sum(1 for i, j in pairs if same_speaker(gold[i], pred[j]))
    return {
        "quotes": prf(tp, len(pred) - tp, len(gold) - tp),
        "speakers": prf(stp, len(pred) - stp, len(gold) - stp),
    }


def score_quotes(gold: Sequence[GoldQuote], pred: Sequence[PredQuote]) -> dict[str, Any]:
    """Quote and speaker P/R/F1 for one article, overall and per kind.

    ``{"quotes": {...}, "speakers": {...}, "direct": {"quotes", "speakers"},
    "indirect": {"quotes", "speakers"}}``, each leaf
    ``{"precision","recall","f1","tp","fp","fn"}``. Speaker tp = matched quotes
    with the right speaker; speaker fp = predictions - speaker tp; speaker
    fn = gold - speaker tp. Per kind, gold and predictions are both filtered
    by kind and matched afresh.
    """
    out = _score_quote_set(gold, pred)
    for kind in KINDS:
        out[kind] = _score_quote_set([g for g in gold if g.kind == kind], [p for p in pred if p.kind == kind])
    return out


def score_quotes_many(pairs: Iterable[tuple[Sequence[GoldQuote], Sequence[PredQuote]]]) -> dict[str, Any]:
    """Micro-averaged :func:`score_quotes` over ``(gold, pred)`` pairs, one per article."""
    return aggregate([score_quotes([], []), *(score_quotes(g, p) for g, p in pairs)])


# --- entities -----------------------------------------------------------------------------


def coarse_type(typ: str | None) -> str | None:
    """"person", "country" or "organization" for a scored type (ministries, agencies... are organizations), else None."""
    return _COARSE.get((typ or "").strip().casefold())


def same_entity(gold: GoldEntity, pred: PredEntity) -> bool:
    """Same name, or a name/alias of one side equal to a name/alias of the other (normalised as for speakers)."""
    return bool(_names(gold.name, gold.aliases) & _names(pred.name, pred.aliases))


def score_entities(gold: Sequence[GoldEntity], pred: Sequence[PredEntity]) -> dict[str, Any]:
    """Entity-linking P/R/F1 for one article: ``{"precision","recall","f1","tp","fp","fn"}``.

    Only entities of type country, organization or person count, on both sides
    (see :func:`coarse_type`). Gold and predicted entities are paired one to one
    when :func:`same_entity` holds (a maximum matching): tp = pairs, fp = unpaired
    predictions, fn = unpaired gold entities.
    """
    g = [e for e in gold if coarse_type(e.type)]
    p = [e for e in pred if coarse_type(e.type)]
    tp = len(heaviest_matching({(i, j): () for i, ge in enumerate(g) for j, pe in enumerate(p) if same_entity(ge, pe)}))
    return prf(tp, len(p) - tp, len(g) - tp)


def score_entities_many(pairs: Iterable[tuple[Sequence[GoldEntity], Sequence[PredEntity]]]) -> dict[str, Any]:
    """Micro-averaged :func:`score_entities` over ``(gold, pred)`` pairs, one per article."""
    return aggregate([score_entities([], []), *(score_entities(g, p) for g, p in pairs)])


# --- output -------------------------------------------------------------------------------


def format_table(result: dict[str, Any]) -> str:
    """A fixed-width text table of a :func:`score_quotes` or :func:`score_entities` result."""
    if "tp" in result:
        rows = [("entities", result)]
    else:
        rows = [("quotes", result["quotes"]), ("speakers", result["speakers"])]
        for kind in KINDS:
            if kind in result:
                rows += [(f"{kind} quotes", result[kind]["quotes"]), (f"{kind} speakers", result[kind]["speakers"])]
    width = max(len(r[0]) for r in rows)
    lines = [f"{'':<{width}}  precision  recall      f1      tp      fp      fn"]
    for label, m in rows:
        lines.append(
            f"{label:<{width}}  {m['precision']:>9.3f}  {m['recall']:>6.3f}  {m['f1']:>6.3f}"
            f"  {m['tp']:>6d}  {m['fp']:>6d}  {m['fn']:>6d}"
        )
    return "\n".join(lines)
