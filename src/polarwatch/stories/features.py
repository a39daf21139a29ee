"""What the story clusterer compares: one ``ArticleFeatures`` record per article.

Built from the clean article and what extraction stored for it: its words
(content words, and names — capitalised words inside a sentence — kept
apart because they tell one event from another of the same kind), the actors
its mentions resolve to, the events coded in it, and a date: the published
date when the input gave one, else a dateline date written near the top of
the text ("May 2, 2013", "2013-05-02"), else none.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

_TOKEN = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
# A word opens a sentence when it starts the text or a line, or follows closing punctuation and one or two spaces.
_OPENING = re.compile(r"(?:^|\n|(?<=[.!?:;\"“”`'(])\s{1,2})([^\W\d_][\w'’-]*)", re.UNICODE)
# Function words and reporting words: frequent in every story, they say nothing about which one.
STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below between both but by
can could did do does doing down during each few for from further had has have having he her here hers herself him himself
his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other our ours
ourselves out over own same she should so some such than that the their theirs them themselves then there these they this
those through to too under until up very was we were what when where which while who whom why will with would you your
yours yourself yourselves said says say told tell according also would could may might must shall one two new year years
mr mrs ms dr people time like get got just more most many much well us s t don didn doesn isn wasn weren won ll ve re
http https www com html htm org net co uk article articles news story stories published updated pm am edt est pdt gmt
""".split())
MONTHS = {m: i + 1 for i, m in enumerate(
    "january february march april may june july august september october november december".split())}  # fmt: skip
MONTHS.update({m[:3]: n for m, n in list(MONTHS.items())})
_MON = "(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r"|sept)\b\s?\.?"
_DATES = (
    re.compile(r"\b(?P<y>(?:19|20)\d\d)\s*[-/]\s*(?P<m>\d\d?)\s*[-/]\s*(?P<d>\d\d?)\b"),
    re.compile(rf"\b(?P<mon>{_MON})\s*(?P<d>\d\d?)(?:st|nd|rd|th)?\s*,?\s*(?P<y>(?:19|20)\d\d)\b", re.I),
    re.compile(rf"\b(?P<d>\d\d?)(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>{_MON})\s*,?\s*(?P<y>(?:19|20)\d\d)\b", re.I),
)
DATELINE_CHARS = 400  # how far into the text a dateline date is looked for
# Dates an article refers to without a full date: a day of a month ("Nov. 30", "14 December"), a month of a
# year ("April 2007") or a month after a preposition ("in September"). Found from the capitalised month
# words (one scan), then what stands right after and before each.
# (Neither scan opens with a word boundary or a look-behind, which would keep the regex engine from
# skipping ahead to the possible first characters; what precedes a hit is checked by hand.)
_MONTH_WORD = re.compile(r"[JFMASOND](?:an|AN|un|UN|ul|UL|eb|EB|ar|AR|ay|AY|pr|PR|ug|UG|ep|EP|ct|CT|ov|OV|ec|EC)[a-zA-Z]*")
_ISO_DATE = re.compile(r"(?P<y>(?:19|20)\d\d)\s*[-/]\s*(?P<m>\d\d?)\s*[-/]\s*(?P<d>\d\d?)\b")
_AFTER_MONTH = re.compile(r"\s?\.?\s*(?:(?P<d>\d\d?)(?:st|nd|rd|th)?\b(?:\s*,?\s*(?P<dy>(?:19|20)\d\d)\b)?|,?\s*(?:of\s+)?(?P<y>(?:19|20)\d\d)\b)")
_BEFORE_MONTH = re.compile(r"\b(?P<d>\d\d?)(?:st|nd|rd|th)?\s+(?:of\s+)?$")
_PREPOSITION = re.compile(r"(?:\b(?:in|since|during|until|by|from|last|early|late|mid)\s+|\bmid-)$", re.I)
FUTURE_DAYS = 60  # a date missing its year may lie this far after the article; further, it is last year's


def actor_weight(actor: str, country: float) -> float:
    """An actor's weight in a story's actors: *country* for a country (a two-letter code), 0 for an outlet
    ("outlet:…", a paper naming itself or another as its source: not an actor of the event), 1 otherwise."""
    if actor.startswith("outlet:"):
        return 0.0
    return country if len(actor) == 2 and actor.isalpha() else 1.0


@dataclass(slots=True)
class ArticleFeatures:
    """An article as the clusterer sees it."""

    id: str
    words: Counter[str] = field(default_factory=Counter)  # lower-cased content words
    names: Counter[str] = field(default_factory=Counter)  # lower-cased capitalised words met inside sentences
    actors: set[str] = field(default_factory=set)  # actor ids of its mentions (registry ids, "article:<slug>" persons)
    countries: set[str] = field(default_factory=set)
    events: set[tuple[str, str, str]] = field(default_factory=set)  # (type, source, target), sides by country else id
    day: date | None = None
    title: str | None = None
    outlet: str | None = None
    repeated: frozenset[str] | None = None  # made by repeated_names
    repeated_terms: tuple[str, ...] | None = None  # made by repeated_name_terms
    weighed: tuple[tuple[str, float], ...] | None = None  # made by weighed_actors
    weighed_with: float | None = None  # the country weight they were made with
    referred: tuple[tuple[date, date], ...] = ()  # the spans of the dates its text refers to (``referred_dates``)
    actor_mass: float = 0.0  # their summed weights

    def repeated_names(self) -> frozenset[str]:
        """The names said twice or more (all names when none is)."""
        if self.repeated is None:
            self.repeated = frozenset(n for n, c in self.names.items() if c >= 2) or frozenset(self.names)
        return self.repeated

    def weighed_actors(self, country: float) -> tuple[tuple[str, float], ...]:
        """The actors with their ``actor_weight`` under *country*, outlets left out; ``actor_mass`` is their sum."""
        if self.weighed is None or self.weighed_with != country:
            ws = ((a, actor_weight(a, country)) for a in self.actors)
            self.weighed = tuple((a, w) for a, w in ws if w > 0)
            self.weighed_with = country
            self.actor_mass = sum(w for _, w in self.weighed)
        return self.weighed

    def repeated_name_terms(self) -> tuple[str, ...]:
        """``repeated_names`` as the clusterer's terms ("n:" and the name)."""
        if self.repeated_terms is None:
            self.repeated_terms = tuple("n:" + n for n in self.repeated_names())
        return self.repeated_terms


def _parse_date(m: re.Match[str]) -> date | None:
    g = m.groupdict()
    month = int(g["m"]) if g.get("m") else MONTHS.get(g["mon"].lower()[:3])
    try:
        return date(int(g["y"]), month or 0, int(g["d"]))
    except (TypeError, ValueError):
        return None


def dateline(text: str) -> date | None:
    """The first full date (day, month and year) written in the first ``DATELINE_CHARS`` characters, if any."""
    head = text[:DATELINE_CHARS]
    found = []
    for rx in _DATES:
        for m in rx.finditer(head):
            d = _parse_date(m)
            if d is not None:
                found.append((m.start(), d))
    return min(found)[1] if found else None


def _month_span(year: int, month: int) -> tuple[date, date]:
    end = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, 1), date.fromordinal(end.toordinal() - 1)


def _before(day: date, month: int, dom: int | None) -> int:
    """The year that puts *month* (and day *dom*) before *day*, or at most ``FUTURE_DAYS`` after it."""
    y = day.year
    try:
        if (date(y, month, dom or 1) - day).days > FUTURE_DAYS:
            y -= 1
    except ValueError:
        pass
    return y


def referred_dates(text: str, day: date | None) -> tuple[tuple[date, date], ...]:
    """The spans (first and last day) of the dates *text* refers to: full dates, days of a month, months of a
    year, and months after a preposition ("in September"); a date missing its year takes the one that puts it
    before *day* (none without a *day*). Month names count capitalised only ("may 3 people" is no date), and
    May or an abbreviation alone, with no day or year, not at all."""
    spans: set[tuple[date, date]] = set()
    for m in _ISO_DATE.finditer(text):
        if (m.start() == 0 or not text[m.start() - 1].isalnum()) and (d := _parse_date(m)) is not None:
            spans.add((d, d))
    for m in _MONTH_WORD.finditer(text):
        if m.start() and text[m.start() - 1].isalnum():
            continue
        word = m.group().lower()
        month = MONTHS.get(word) or (9 if word == "sept" else 0)
        if not month:
            continue
        dom, year = None, None
        if after := _AFTER_MONTH.match(text, m.end()):
            dom, year = after["d"], after["dy"] or after["y"]
        if dom is None and (before := _BEFORE_MONTH.search(text, max(0, m.start() - 12), m.start())):
            dom = before["d"]
        if dom is None and year is None and (
                len(word) <= 3 or word == "may" or not _PREPOSITION.search(text, max(0, m.start() - 8), m.start())):
            continue
        dom = int(dom) if dom else None
        y = int(year) if year else _before(day, month, dom) if day else None
        if y is None:
            continue
        try:
            spans.add((date(y, month, dom), date(y, month, dom)) if dom else _month_span(y, month))
        except ValueError:
            continue
    return tuple(sorted(spans))


def parse_published(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _counts(tokens: list[str]) -> tuple[dict[str, int], dict[str, int]]:
    """Counts of the tokens that count (three letters or more, not a stopword), lower-cased: all of them,
    and the capitalised ones. Each distinct token is looked at once."""
    words: dict[str, int] = {}
    caps: dict[str, int] = {}
    for tok, c in Counter(tokens).items():
        if tok[-1] in "'’-":
            tok = tok.strip("'’-")
        low = tok.lower()
        if len(low) < 3 or low in STOPWORDS:
            continue
        words[low] = words.get(low, 0) + c
        if tok[0].isupper() and not tok.isupper():
            caps[low] = caps.get(low, 0) + c
    return words, caps


def words_and_names(text: str) -> tuple[Counter[str], Counter[str]]:
    """Content words, and names: the capitalised ones among them less those that open a sentence (found by a
    second pass over the sentence openings rather than by looking behind every word)."""
    words, caps = _counts(_TOKEN.findall(text))
    opening = _counts(_OPENING.findall(text))[1]
    return Counter(words), Counter({w: n for w, c in caps.items() if (n := c - opening.get(w, 0)) > 0})


def _side(country: str | None, actor: str | None) -> str:
    return country or actor or "?"


def build(aid: str, title: str | None, body: str, mentions: list[Any] = (), events: list[Any] = (),  # type: ignore[assignment]
          published: str | None = None, outlet: str | None = None) -> ArticleFeatures:
    """Features of one article from its title, clean body, ``Mention`` and ``Event`` records and published date."""
    text = f"{title}\n{body}" if title else body
    words, names = words_and_names(text)
    f = ArticleFeatures(aid, words, names, title=title, outlet=outlet)
    for m in mentions:
        if m.actor_id:
            f.actors.add(m.actor_id)
        if m.country:
            f.countries.add(m.country)
    for e in events:
        src, tgt = _side(e.source_country, e.source_id), _side(e.target_country, e.target_id)
        if e.symmetric and tgt < src:
            src, tgt = tgt, src
        f.events.add((e.type, src, tgt))
    f.day = parse_published(published) or dateline(text)
    f.referred = referred_dates(text, f.day)
    return f
