"""Quotes in headlines: ``X says …``, ``“…,” says X``, ``X: “…”``, ``claim: X``, ``claim — X``, ``…, X says``.

A headline is not a sentence the parser reads well ("Kremlin: cooperation not
aimed at anyone"), so it gets its own patterns, and its speaker is resolved
against the article it heads: the body quote that repeats the headline's
quotation, a registry actor or a name the body uses ("Peskov"), or a
description the body fills in ("Danish PM", "expert" → the person of that
role, or the body's most quoted person). Quotes found here carry
``in_title=True`` and offsets into the title.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from typing import Any

from ..records import Quote
from .actors import ActorRegistry, registry

_MARKS = {"“": "”", '"': '"', "‘": "’", "'": "'", "«": "»"}
# Words that make a short phrase a speaker description ("Norwegian minister", "Chinese experts", "study").
_ROLE_WORDS = {
    "minister", "pm", "premier", "president", "chancellor", "spokesman", "spokeswoman", "spokesperson", "ambassador",
    "envoy", "diplomat", "official", "officials", "expert", "experts", "analyst", "analysts", "scientist", "scientists",
    "researcher", "researchers", "professor", "general", "admiral", "commander", "governor", "mayor", "senator",
    "lawmaker", "lawmakers", "mp", "mps", "chief", "ceo", "head", "leader", "leaders", "report", "study", "survey", "poll",
    "police", "military", "army", "navy", "ministry", "government", "embassy", "source", "sources", "insider", "insiders",
    "media", "residents", "herders", "fishermen", "activists", "watchdog", "regulator", "court", "judge",
    "chairman", "chairwoman", "chair", "secretary", "panel", "committee", "council", "board", "union", "campaign",
}  # fmt: skip
# Role words that name a body, not a person: the body speaks, never its most quoted member.
_BODY_WORDS = frozenset({"panel", "committee", "council", "board", "union", "campaign", "court", "ministry", "government",
                         "military", "army", "navy", "police", "embassy", "report", "study", "survey", "poll", "watchdog"})
_ROLE_ALIASES = {"pm": "prime minister", "premier": "prime minister", "mp": "member of parliament"}
_ANON = {"experts": "unnamed experts", "analysts": "unnamed experts", "scientists": "unnamed experts",
         "researchers": "unnamed experts", "officials": "unnamed officials", "diplomats": "unnamed officials",
         "sources": "unnamed sources", "insiders": "unnamed sources", "media": "unnamed sources",
         # unnamed voices as the body's rules read them (speakers._ANON_NOUNS): "…, South Korean police confirm"
         "police": "unnamed officials", "prosecutors": "unnamed officials", "investigators": "unnamed officials",
         "authorities": "unnamed officials", "witnesses": "unnamed sources", "residents": "unnamed sources"}  # fmt: skip
# Verbs that attribute a headline's claim ("X says …", "…, X warns"): speech verbs that take a clause, and the
# evaluative ones headlines favour. Verbs that take a noun ("reports drone flights", "demands answers") are left out.
_HEADLINE_VERBS = (
    "say", "tell", "warn", "claim", "insist", "admit", "argue", "predict", "confirm", "announce", "stress", "vow",
    "pledge", "suggest", "fear", "hope", "urge", "note", "add", "slam", "blast", "hail", "decry", "deny", "believe",
    "call", "dub", "brand", "label", "rip", "vote", "plan", "rule",
)  # fmt: skip
# Verbs of intent that attribute only an infinitive ("House panel votes to hold …", not "votes on the budget").
_INTENT_VERBS = frozenset({"vote", "votes", "plan", "plans"})
# Of those, the verbs that name or judge a noun: an attribution only when the claim holds a quotation
# ("calls the deal ‘a disaster’"), not in "calls a snap election".
_NAMING_VERBS = frozenset({"call", "calls", "dub", "dubs", "brand", "brands", "label", "labels", "rip", "rips"})
# Lower-case words a speaker description may hold besides role words ("Iceland's foreign minister").
_DESCRIPTIVE = {
    "the", "a", "an", "of", "and", "for", "foreign", "defence", "defense", "prime", "deputy", "former", "top", "senior",
    "local", "state", "regional", "federal", "national", "interior", "finance", "trade", "economy", "energy",
    "fisheries", "environment", "justice", "health", "climate", "arctic", "border", "coast", "guard", "new",
}  # fmt: skip


@lru_cache(maxsize=1)
def _cue_rx() -> re.Pattern[str]:
    forms: set[str] = set()
    for lemma in _HEADLINE_VERBS:
        forms.add(lemma)
        if lemma.endswith("y") and lemma[-2:-1] not in "aeiou":
            forms.add(lemma[:-1] + "ies")
        elif lemma.endswith(("s", "sh", "ch", "x", "z")):
            forms.add(lemma + "es")
        else:
            forms.add(lemma + "s")
    alts = "|".join(sorted(forms, key=len, reverse=True))
    return re.compile(rf"\b({alts})\b", re.I)


def _strip_marks(s: str, start: int) -> tuple[str, int, bool]:
    """The content of *s* without wrapping quotation marks: (text, its offset, was quoted)."""
    t = s.rstrip(" .")
    lead = len(t) - len(t.lstrip())
    t = t.strip()
    if len(t) > 2 and t[0] in _MARKS and t[-1] == _MARKS[t[0]]:
        return t[1:-1], start + lead + 1, True
    return t, start + lead, False


def _speakerish(phrase: str, reg: ActorRegistry, names: set[str], loose: bool = False) -> bool:
    """A short phrase that can name who speaks: a registry actor (not a region), a name the body uses, a role
    description ("Norwegian minister"). *loose* (where the headline's shape already says it is an attribution,
    "…, Coast Guard says") also takes any short capitalised phrase."""
    words = phrase.split()
    if not words or len(words) > 5 or any(ch in phrase for ch in "“”\"?!:"):
        return False
    bare = [re.sub(r"['’]s?$", "", w.strip(",.")) for w in words]
    if any(w[:1].islower() and w.lower() not in _ROLE_WORDS and w.lower() not in _DESCRIPTIVE for w in bare):
        return False  # a verb or other word: "Iceland's foreign minister rejects"
    if any(m.actor.type != "region" for m in reg.find(phrase)):
        return True
    if any(w.lower() in _ROLE_WORDS for w in bare) or phrase in names or any(w in names for w in bare):
        return True
    return loose and bare[0][:1].isupper()


def _lead_speaker(text: str, reg: ActorRegistry, names: set[str]) -> str | None:
    """The longest start of *text* (up to four words, a word following) that can speak: "Moscow Slams NATO…"."""
    words = text.split()
    for k in range(min(4, len(words) - 1), 0, -1):
        cand = " ".join(words[:k])
        if any(_cue_rx().fullmatch(w) for w in words[:k]):
            continue  # title case hides the verb: "Moscow Slams NATO" is not a speaker
        if _speakerish(cand, reg, names) and words[k][:1].isalpha():
            return cand
    return None


def _split(title: str, reg: ActorRegistry, names: set[str]) -> tuple[tuple[int, int] | None, tuple[int, int], str, int] | None:
    """((speaker start, end) or None, (claim start, end), cue, cue offset) of a headline attribution, or None.

    A speaker of None is a quotation the headline does not attribute (“…”: story); the body names its speaker."""
    n = len(title)
    end = len(title.rstrip(" ."))
    # "X: claim", "claim: X", "‘quote’: X verbs …", "story: ‘quote’"
    if (i := title.find(": ")) > 0 and title.count(": ") == 1:
        left, right = title[:i], title[i + 2 :]
        if _speakerish(left, reg, names) and len(left.split()) < len(right.split()):
            return (0, i), (i + 2, n), ":", i
        if _speakerish(right.rstrip(" ."), reg, names):
            return (i + 2, end), (0, i), ":", i
        if _strip_marks(left, 0)[2]:
            spk = _lead_speaker(right, reg, names)
            return ((i + 2, i + 2 + len(spk)) if spk else None), (0, i), ":", i
        if _strip_marks(right, 0)[2]:
            return None, (i + 2, n), ":", i
    # "claim — X"
    if m := re.search(r"\s[—–]\s+([^—–]{2,60})$", title):
        if _speakerish(m.group(1).rstrip(" ."), reg, names, loose=True):
            return (m.start(1), end), (0, m.start()), title[m.start() + 1], m.start() + 1
    cue = _cue_rx()
    # "“…,” says X (as …)"
    if title[:1] in _MARKS and (close := title.find(_MARKS[title[0]], 1)) > 0:
        c = re.match(r"[,:]?\s+(\w+)\s+", title[close + 1 :])
        if c and cue.fullmatch(c.group(1)):
            at = close + 1 + c.end()
            if spk := _lead_speaker(title[at:] + " .", reg, names):
                return (at, at + len(spk)), (0, close + 1), c.group(1).lower(), close + 1 + c.start(1)
    # "…, X says"
    if (m := re.search(r",\s+([^,]{2,60}?)\s+(\w+)\s*\.?$", title)) and cue.fullmatch(m.group(2)):
        if _speakerish(m.group(1), reg, names, loose=True):
            return (m.start(1), m.end(1)), (0, m.start()), m.group(2).lower(), m.start(2)
    # "…, says X"
    if (m := re.search(r",\s+(\w+)\s+([^,]{2,60}?)\s*\.?$", title)) and cue.fullmatch(m.group(1)):
        if _speakerish(m.group(2), reg, names, loose=True):
            return (m.start(2), m.end(2)), (0, m.start()), m.group(1).lower(), m.start(1)
    # "X says claim", also after a kicker ("The Latest: X urges …")
    if (c := cue.search(title)) and c.start() > 0 and n - c.end() > 8:
        lead = title.rfind(": ", 0, c.start()) + 2 if title.rfind(": ", 0, c.start()) > 0 else 0
        if (comma := title.rfind(", ", lead, c.start())) > 0:
            lead = comma + 2  # an opening phrase is not the speaker ("Railing Against Trump, Sanders Vows …")
        spk = title[lead : c.start()].strip()
        start = c.end() + 1
        verb, rest = c.group(0).lower(), title[start:].lower()
        if verb in ("rule", "rules") and (c.group(0)[:1].isupper() or rest.startswith(("out ", "on ", "in ", "against ", "for "))):
            return None  # "rules out talks", "rules on the appeal": no claim ruled; "Power Plant Rules Face …" a noun
        if verb in ("call", "calls") and rest.startswith(("for ", "on ")):
            start += 4 if rest.startswith("for ") else 0  # a request: "calls for an inquiry", "calls on X to …"
        elif verb in _NAMING_VERBS and not _fragments(title[start:], 0):
            return None  # naming a noun attributes nothing without a quotation ("calls a snap election")
        if verb in _INTENT_VERBS and not rest.startswith("to "):
            return None
        if _speakerish(spk, reg, names):
            if title[start:].lower().startswith("that "):
                start += 5
            return (lead, lead + len(spk)), (start, n), verb, c.start()
    return None


def _fragments(claim: str, base: int) -> list[tuple[int, int]]:
    """(start, end) of the quotations inside a headline claim, single or double marks, offsets plus *base*.

    A single mark opens before a word and closes after one, so apostrophes ("Clinton’s") are not marks."""
    out = []
    for m in re.finditer(r"(?<!\w)([‘“\"'])(?=\w)(.+?)(?<=[\w.,!?])(?:[’”\"'])(?!\w)", claim):
        if _MARKS.get(m.group(1)) == claim[m.end() - 1] or m.group(1) in "\"'":
            out.append((base + m.start(2), base + m.end(2)))
    return out


def _from_body(text: str, analysis: Any) -> Any:
    """The body quote that repeats the headline's quotation, if any."""
    key = re.sub(r"\W+", " ", text).strip().lower()
    if len(key) < 8:
        return None
    for q in analysis.quotes:
        if key in re.sub(r"\W+", " ", q.text).lower() and (q.speaker_id or q.speaker_name):
            return q
    return None


def _resolve(spk: str, analysis: Any, reg: ActorRegistry) -> tuple[str | None, str | None, str | None]:
    """(actor id, name, country) of a headline speaker, from the registry or the article's body."""
    persons = list(analysis.persons.values())
    for m in reg.find(spk):
        if m.actor.type == "region":
            continue
        if m.actor.is_person:
            p = analysis.persons.get(m.actor.id)
            return m.actor.id, m.actor.name, m.actor.country if p is None else p.country
        if not any(w.lower().strip(",.") in _ROLE_WORDS - {"government", "ministry", "military", "embassy"} for w in spk.split()):
            return m.actor.id, m.actor.name, m.actor.country
    words = [re.sub(r"['’]s?$", "", w.strip(",.")).lower() for w in spk.split()]
    for p in persons:  # a name the body gives in full ("Peskov" -> Dmitry Peskov)
        if p.name.split() and p.name.split()[-1].lower() in words:
            return p.id, p.name, p.country
    role = next((w for w in words if w in _ROLE_WORDS), None)
    if role in ("scientists", "researchers"):
        # "…, say scientists": the team the body reports for, through the institution it speaks for
        teams = Counter((q.speaker_id, q.speaker_name, q.speaker_country) for q in analysis.quotes if q.speaker_name
                        and not q.speaker_name.startswith("unnamed ") and q.speaker_text
                        and re.search(r"\b(?:researchers|scientists|team)\b", q.speaker_text, re.I))  # fmt: skip
        if teams:
            return teams.most_common(1)[0][0]
    if role in _ANON:
        return None, _ANON[role], None
    if role in _BODY_WORDS:
        return None, spk, reg.demonym_country(spk)
    quoted = Counter(q.speaker_id for q in analysis.quotes if q.speaker_id and q.speaker_id in analysis.persons)
    country = reg.demonym_country(spk)
    if role:
        want = _ROLE_ALIASES.get(role, role)
        fits = [p for p in persons if p.role and want in p.role.lower() and (country is None or p.country in (None, country))]
        if not fits and country:
            fits = [p for p in persons if p.country == country and p.id in quoted]
        if not fits:
            fits = [p for p in persons if p.id in quoted]
        if fits:
            best = max(fits, key=lambda p: (quoted.get(p.id, 0), -p.first))
            return best.id, best.name, best.country
    return None, spk, country




def headline_quotes(title: str | None, analysis: Any, reg: ActorRegistry | None = None) -> list[Quote]:
    """The quote of a headline that attributes its claim or quotes someone (none for a plain headline)."""
    if not title or len(title) < 8:
        return []
    reg = reg or registry()
    names = {w for p in analysis.persons.values() for w in p.name.split()}
    names |= {m.text for m in analysis.mentions if m.actor_id} | {m.actor_name for m in analysis.mentions if m.actor_name}
    split = _split(title, reg, names)
    if split is None:
        return []
    spk_span, (cs, ce), cue, cue_at = split
    text, start, quoted = _strip_marks(title[cs:ce], cs)
    if len(text.split()) < 2 and not quoted:
        return []
    body = _from_body(text, analysis) if quoted else None
    if body is not None:  # the body says who said it: trust that over the headline's shorthand
        sid, name, country = body.speaker_id, body.speaker_name, body.speaker_country
    elif spk_span is not None:
        sid, name, country = _resolve(title[spk_span[0] : spk_span[1]], analysis, reg)
    else:
        sid = name = country = None
    ss, se = spk_span if spk_span else (None, None)
    about = sorted({m.actor.id for m in reg.find(text)} - ({sid} if sid else set()))
    spk_text = title[ss:se] if spk_span else None
    out = [Quote(start, start + len(text), text, "direct" if quoted else "indirect", cue, cue_at,
                 spk_text, ss, se, sid, name, country, about, in_title=True)]  # fmt: skip
    if not quoted:
        # a claim with quoted words is a mixed quote: the claim, and each quotation that is speech (convention 6)
        for fs, fe in _fragments(text, start):
            frag = title[fs:fe].rstrip(" .,")
            if _is_name(frag, title, analysis.text):
                continue
            out.append(Quote(fs, fs + len(frag), frag, "direct", cue, cue_at, spk_text, ss, se, sid, name, country,
                             sorted({m.actor.id for m in reg.find(frag)} - ({sid} if sid else set())), in_title=True))  # fmt: skip
    return out


def _is_name(frag: str, title: str, body: str) -> bool:
    """Whether a quotation in a headline names something ("Northern Rampart" drills) rather than quoting speech.

    In a sentence-case headline a capitalised phrase is a name; in a title-case one every phrase is capitalised,
    so only one the body writes with the same capitals is."""
    words = re.findall(r"[^\W\d_][\w’'-]*", title)
    title_case = sum(w[:1].isupper() for w in words) > 0.7 * max(1, len(words))
    capitalised = all(w[:1].isupper() or w.lower() in ("of", "the", "and", "for", "in", "on") for w in frag.split())
    if not capitalised:
        return False
    return not title_case or (frag in body and frag.lower() not in body.replace(frag, ""))
