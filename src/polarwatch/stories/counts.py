"""What a report's lead counts: each number with the thing it counts ("5.9 magnitude", "killing 10", "$200
million", "fourth election"), as (slot, value) pairs.

Two events of one kind are told in the same words; what differs is often a figure: the magnitude, the dead
and hurt, the sum offered, which election it is. Only the lead (``features.lead_text``) is read: further
down, reports of both events give the same background figures (a player's career home runs, an earlier
toll). The slot is the word the number counts, found in the words next to it:

* dead, hurt and magnitude: a word of ``_SLOTS`` within ``WINDOW`` words before or after the number, with no
  punctuation between ("killing at least 10 people", "ten people are killed", "measuring 5.6 on the Richter
  scale"; the nearer side wins, before on a tie);
* money: a number after a currency sign ("$ 160 million");
* an ordinal: the last content word of the three after it ("fourth parliamentary election");
* else the first content word of the two after it ("288 candidates", "eight-year offer").

A slot is the word's first ``STEM`` letters (pirate, pirates). Years, times of day, percentages and numbers
with no word to count are left out. "5 . 9" and "1 , 000" (a tokenised text's numbers) are read as 5.9 and
1,000. English only.
"""

from __future__ import annotations

import re

from .features import STOPWORDS, lead_text

WINDOW = 3  # words looked at on each side of a number for dead, hurt or magnitude
STEM = 6  # a slot is this many first letters of its word
_SLOTS = {w: "dead" for w in "kill killed killing kills dead death deaths die died dying toll lives".split()}
_SLOTS.update({w: "hurt" for w in "injure injured injuring injuries injury hurt wounded wounding wound".split()})
_SLOTS.update({"magnitude": "magnitude", "richter": "magnitude"})
_CURRENCY = frozenset("$£€")
_WORDS = {w: float(i) for i, w in enumerate(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
    "eighteen nineteen twenty".split(), 1)}  # fmt: skip
_WORDS.update({"thirty": 30.0, "forty": 40.0, "fifty": 50.0, "sixty": 60.0, "seventy": 70.0, "eighty": 80.0,
               "ninety": 90.0, "hundred": 100.0, "dozen": 12.0})  # fmt: skip
_ORDINALS = {w: float(i) for i, w in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split(), 1)}  # fmt: skip
_NUMBER_WORDS = frozenset(_WORDS) | frozenset(_ORDINALS)
_SCALES = {"thousand": 1e3, "million": 1e6, "mln": 1e6, "billion": 1e9, "bn": 1e9}
_NOT_COUNTED = frozenset("people persons person more than least about some nearly almost around over".split()) | STOPWORDS
_NOT_AFTER = frozenset(": am pm a.m p.m gmt utc % percent per".split())  # a time of day, a percentage
_TOKEN = re.compile(r"[$£€]|\d+(?:[.,:]\d+)*(?:st|nd|rd|th)?|[A-Za-z][A-Za-z'’-]*|[^\sA-Za-z\d\-–]")
_SPLIT_DECIMAL = re.compile(r"(\d) \. (\d)")
_SPLIT_THOUSANDS = re.compile(r"(\d) , (\d\d\d)(?!\d)")
_NUMBER = re.compile(r"(\d+(?:[.,]\d+)*)(st|nd|rd|th)?")
_YEAR = re.compile(r"(?:19|20)\d\d")


def _value(tok: str) -> tuple[float, bool] | None:
    """The number a token writes and whether it is an ordinal, or None."""
    if tok[0].isdigit():
        m = _NUMBER.fullmatch(tok)
        if m is None or _YEAR.fullmatch(tok):
            return None  # a time ("17:06") or a year
        try:
            return float(m[1].replace(",", "")), bool(m[2])
        except ValueError:
            return None  # "1.2.3"
    if (w := _WORDS.get(tok)) is not None:
        return w, False
    if (o := _ORDINALS.get(tok)) is not None:
        return o, True
    return None


def _near(words: list[str]) -> tuple[int, str] | None:
    """(distance, slot) of the first dead / hurt / magnitude word of *words* before any punctuation."""
    for d, w in enumerate(words):
        if not w[0].isalpha():
            return None
        if (slot := _SLOTS.get(w)) is not None:
            return d, slot
    return None


def counted(text: str) -> frozenset[tuple[str, float]]:
    """The (slot, value) pairs the lead of *text* counts (module docstring)."""
    head = lead_text(text)
    head = _SPLIT_THOUSANDS.sub(r"\1,\2", _SPLIT_DECIMAL.sub(r"\1.\2", head))
    toks = [t.lower() for t in _TOKEN.findall(head)]
    out: set[tuple[str, float]] = set()
    for i in [i for i, t in enumerate(toks) if t[0].isdigit() or t in _NUMBER_WORDS]:
        if (v := _value(toks[i])) is None:
            continue
        value, ordinal = v
        j = i + 1
        if j < len(toks) and toks[j] in _NOT_AFTER:
            continue
        if j < len(toks) and (scale := _SCALES.get(toks[j])):
            value *= scale
            j += 1
        if i and toks[i - 1] in _CURRENCY:
            out.add((toks[i - 1], value))
            continue
        if ordinal:
            words = [w for w in toks[j : j + 3] if w.isalpha() and w not in _NOT_COUNTED]
            if words:
                out.add(("ord:" + words[-1][:STEM], value))
            continue
        after, before = _near(toks[j : j + WINDOW]), _near(toks[max(0, i - WINDOW) : i][::-1])
        if after or before:
            out.add((min(x for x in (before, after) if x is not None)[1] if not (after and before and before[0] == after[0])
                     else before[1], value))  # type: ignore[index]
            continue
        words = [w for w in toks[j : j + 2] if w.isalpha() and w not in _NOT_COUNTED and len(w) > 2]
        if words:
            out.add((words[0][:STEM], value))
    return frozenset(out)
