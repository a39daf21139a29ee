"""What the story clusterer compares: one ``ArticleFeatures`` record per article.

Built from the clean article and what extraction stored for it: its words
(content words, and names — capitalised words inside a sentence — kept
apart because they tell one event from another of the same kind), the actors
its mentions resolve to, the events coded in it, a date: the published
date when the input gave one, else a dateline date written near the top of
the text ("May 2, 2013", "2013-05-02"), else none; and the years its lead
writes (``lead_years``), which tell apart two events of one kind years apart
when a report has no date, and what its lead counts (``counts.counted``).
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

_TOKEN = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
# A word opens a sentence when it starts the text or a line, or follows closing punctuation and one or two spaces:
# the places after a line break or such punctuation where a word begins (a scan that can skip ahead to the
# possible first characters, twice as fast as one looking behind every word), then the word there.
_OPENS_AFTER = re.compile(r"(?:\n|[.!?:;\"“”`'(]\s\s?)(?=[^\W\d_])")
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
MONTHS["sept"] = 9
_MON = "(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b[ \t]?\.?"
_YEAR = r"(?:19|20)\d\d\b"
# Full dates: ISO ("2013-05-02"), month first ("May 2, 2013") or day first ("2 May 2013"). No scan opens with a
# word boundary or a look-behind, which would keep the regex engine from skipping ahead to the possible first
# characters; what precedes a hit is checked by hand (``_opens``).
_ISO_DATE = re.compile(r"(?P<y>(?:19|20)\d\d)\s{0,2}[-/]\s{0,2}(?P<m>\d\d?)\s{0,2}[-/]\s{0,2}(?P<d>\d\d?)\b")
_DATES = (
    _ISO_DATE,
    re.compile(rf"(?P<mon>{_MON})\s{{0,3}}(?P<d>\d\d?)(?:st|nd|rd|th)?\s{{0,3}},?\s{{0,3}}(?P<y>{_YEAR})", re.I),
    re.compile(rf"(?P<d>\d\d?)(?:st|nd|rd|th)?\s{{1,3}}(?:of\s{{1,3}})?(?P<mon>{_MON})\s{{0,3}},?\s{{0,3}}(?P<y>{_YEAR})", re.I),
)
DATELINE_CHARS = 400  # how far into the text a dateline date, and the years of the lead, are looked for
_LEAD_YEAR = re.compile(r"(?<![\w$£€])(?:19|20)\d\d(?!\w)")  # not "1990s" (a decade), "$2013" or "20134"
# Dates an article refers to without a full date: a day of a month ("Nov. 30", "14 December"), a month of a
# year ("April 2007") or a month after a preposition ("in September"). Found from the month words (one scan),
# then what stands right after and before each. Quantifiers are bounded: raw text may hold long runs of spaces.
_MONTH_WORD = re.compile(r"[JFMASOND](?:an|AN|un|UN|ul|UL|eb|EB|ar|AR|ay|AY|pr|PR|ug|UG|ep|EP|ct|CT|ov|OV|ec|EC)[a-zA-Z]*")
_DAY_END = r"(?:st|nd|rd|th)?\b(?![,.]\d)"  # "June 1,500 people" holds no day
_AFTER_MONTH = re.compile(
    rf"[ \t]?\.?\s{{0,3}}(?:(?P<d>\d\d?){_DAY_END}(?:\s{{0,2}}[-–]\s{{0,2}}(?P<d2>\d\d?){_DAY_END})?"
    rf"(?:\s{{0,3}},?\s{{0,3}}(?:of\s{{1,3}})?(?P<dy>{_YEAR}))?"
    rf"|,?\s{{0,3}}(?:of\s{{1,3}})?(?P<y>{_YEAR})"
    rf"|[-–/]\s{{0,2}}(?i:{_MON})\s{{0,3}},?\s{{0,3}}(?P<ry>{_YEAR}))")  # a range to another month: "May-June 2009"
_BEFORE_MONTH = re.compile(r"(?:\b(?P<d0>\d\d?)(?:st|nd|rd|th)?\s{0,2}[-–]\s{0,2})?\b(?P<d>\d\d?)(?:st|nd|rd|th)?\s{1,3}(?:of\s{1,3})?$")
_PREPOSITION = re.compile(r"(?:\b(?:in|since|during|until|by|from|last|next|early|late|mid)\s{1,3}|\bmid-)$", re.I)
_WORD_BEFORE = re.compile(r"([^\W\d_][\w'’-]*)\W{1,3}$")
# Words before a date missing its year that say which side of the article's day it lies on.
_PAST = re.compile(r"\b(?:last|since)\s{1,3}(?:the\s{1,3})?$", re.I)
_FUTURE = re.compile(r"\b(?:next|until|till|by)\s{1,3}(?:the\s{1,3})?$", re.I)
_WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
FUTURE_DAYS = 60  # a date missing its year may lie this far after the article; further, it is an earlier year's
PAST_DAYS = 270  # a date missing its year that resolves further back than this is dropped (an anniversary)
LEAD_MENTIONS = 4  # how often the person an article names most must be named to be whom it is about (``lead_person``)


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
    lead: str | None = None  # the person it names most (``lead_person``)
    years: frozenset[int] = frozenset()  # the years its lead writes, and its date's (``lead_years``)
    counts: frozenset[tuple[str, float]] = frozenset()  # what its lead counts: (slot, value) (``counts.counted``)
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


def _opens(text: str, i: int) -> bool:
    return i == 0 or not text[i - 1].isalnum()


def _parse_date(m: re.Match[str]) -> date | None:
    g = m.groupdict()
    month = int(g["m"]) if g.get("m") else MONTHS.get(g["mon"].lower().rstrip(" \t."))
    try:
        return date(int(g["y"]), month or 0, int(g["d"]))
    except (TypeError, ValueError):
        return None


def dateline(text: str) -> date | None:
    """The first full date (day, month and year) written in the first ``DATELINE_CHARS`` characters, if any."""
    head = text[:DATELINE_CHARS]
    found = [(m.start(), d) for rx in _DATES for m in rx.finditer(head)
             if _opens(head, m.start()) and (d := _parse_date(m)) is not None]
    return min(found)[1] if found else None


def _month_span(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _year(day: date, month: int, first: int | None, last: int | None, side: int) -> int | None:
    """The year of a date written without one (a day *first*..*last* of *month*, or the whole month): the
    latest of next year, this and the three before that puts it at most ``FUTURE_DAYS`` after *day*; with
    *side* < 0 ("last March", "since May 4") the latest that ends by *day*, with *side* > 0 ("next March",
    "until May 4") the earliest that ends after it. None when, with no *side*, it lies over ``PAST_DAYS`` before
    *day* (an anniversary, not an event the article reports on) or the day exists in no such year."""
    for y in range(day.year + 1, day.year - 4, -1) if side <= 0 else range(day.year, day.year + 2):
        try:
            a, b = (date(y, month, first), date(y, month, last or first)) if first else _month_span(y, month)
        except ValueError:
            continue  # February 29 of a year that has none
        if side < 0 and b <= day or side > 0 and b >= day or side == 0 and (a - day).days <= FUTURE_DAYS:
            return y if side or (day - b).days <= PAST_DAYS else None
    return None


def referred_dates(text: str, day: date | None) -> tuple[tuple[date, date], ...]:
    """The spans (first and last day) of the dates *text* refers to: full dates, days of a month ("12-14 March"
    a span), months of a year, and months after a preposition ("in September"); a date missing its year takes
    one from *day* (``_year``; none without a *day*). Month words count capitalised or in capitals ("may 3
    people" is no date, nor "MAY 5"), and May or an abbreviation alone, with no day or year, not at all; May
    with a day after a capitalised name ("Theresa May 10", "Chapter 11 May") is a name, not a date."""
    spans: set[tuple[date, date]] = set()
    for m in _ISO_DATE.finditer(text):
        if _opens(text, m.start()) and (d := _parse_date(m)) is not None:
            spans.add((d, d))
    for m in _MONTH_WORD.finditer(text):
        start, end = m.span()
        if not _opens(text, start) or end < len(text) and text[end].isalpha():  # "Marché", "Augustów"
            continue
        word = m.group()
        month = MONTHS.get(word.lower())
        if not month or word == "MAY":
            continue
        first = last = year = None
        opening = start  # where the date opens (before a day written first)
        if after := _AFTER_MONTH.match(text, end):
            first, last, year = after["d"], after["d2"], after["dy"] or after["y"] or after["ry"]
        if first is None and (before := _BEFORE_MONTH.search(text, max(0, start - 24), start)):
            first, last, opening = before["d0"] or before["d"], before["d"], before.start()
        if first is None and year is None and (
                len(word) <= 3 or month == 5 or not _PREPOSITION.search(text, max(0, start - 8), start)):
            continue
        if month == 5 and first and (name := _WORD_BEFORE.search(text, max(0, opening - 30), opening)) and \
                name[1][0].isupper() and name[1].lower() not in STOPWORDS and name[1].lower() not in _WEEKDAYS:
            continue
        first, last = (int(first), int(last or first)) if first else (None, None)
        if last is not None and last < first:
            last = first
        if year:
            y: int | None = int(year)
        elif day is None:
            continue
        else:
            lead = text[max(0, opening - 12):opening]
            y = _year(day, month, first, last, -1 if _PAST.search(lead) else 1 if _FUTURE.search(lead) else 0)
        if y is None:
            continue
        try:
            spans.add((date(y, month, first), date(y, month, last)) if first else _month_span(y, month))
        except ValueError:
            continue
    return tuple(sorted(spans))


def lead_text(text: str) -> str:
    """The first ``DATELINE_CHARS`` characters of *text* once the lines holding a URL are left out (a link's path
    is no part of the report): where a report states its event's specifics (``lead_years``, ``counts.counted``)."""
    if "http" in text[: 4 * DATELINE_CHARS]:
        text = "\n".join(line for line in text[: 8 * DATELINE_CHARS].split("\n") if "http" not in line)
    return text[:DATELINE_CHARS]


def lead_years(text: str, day: date | None) -> frozenset[int]:
    """The years (1900-2099) written in the ``lead_text`` of *text*, with the year of *day* if any: the years a
    report says its event is in. Only the lead: the years written further down are mostly background (an earlier
    season, a previous stay in rehab) and are in the reports of both events of a kind."""
    years = {int(y) for y in _LEAD_YEAR.findall(lead_text(text))}
    if day is not None:
        years.add(day.year)
    return frozenset(years)


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
    word_at = _TOKEN.match
    openers = [word_at(text, m.end()).group() for m in _OPENS_AFTER.finditer(text)]  # type: ignore[union-attr]
    if first := word_at(text):
        openers.append(first.group())
    opening = _counts(openers)[1]
    return Counter(words), Counter({w: n for w, c in caps.items() if (n := c - opening.get(w, 0)) > 0})


def lead_person(mentions: list[Any]) -> str | None:
    """The actor id of the person the mentions name most, if named ``LEAD_MENTIONS`` times or more and more often
    than any other person: whom the report is about (the host named, the boxer's opponent, the coach hired)."""
    counts = Counter(m.actor_id for m in mentions if m.actor_id and m.kind == "person")
    top = counts.most_common(2)
    if not top or top[0][1] < LEAD_MENTIONS or len(top) > 1 and top[1][1] == top[0][1]:
        return None
    return top[0][0]


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
    f.lead = lead_person(mentions)
    lead = lead_text(text)  # cut once; both read only it (and cutting a lead again leaves it as it is)
    f.years = lead_years(lead, f.day)
    f.counts = counted(lead)
    return f


from .counts import counted  # noqa: E402  (counts reads this module's lead and stopwords)
