"""Headline quotes: the shapes headlines attribute in, and speakers resolved against the body."""

from __future__ import annotations

import pytest

from polarwatch import nlp
from polarwatch.nlp.headlines import headline_quotes
from polarwatch.nlp.quotes import Analysis
from polarwatch.records import Quote

BODY = [
    "Finnish Defence Minister Aino Virtanen said on Monday the border would stay closed.",
    "“We will keep the crossing shut until the drones stop,” Virtanen said.",
]


@pytest.fixture(scope="module")
def body_analysis() -> Analysis:
    return nlp.analyse_batch([BODY])[0]


@pytest.mark.parametrize(
    "title,kind,text,speaker_text,cue",
    [
        ("Pentagon says Russian bombers flew near Alaska twice this week", "indirect",
         "Russian bombers flew near Alaska twice this week", "Pentagon", "says"),
        ("Russian bombers flew near Alaska twice this week, Pentagon says", "indirect",
         "Russian bombers flew near Alaska twice this week", "Pentagon", "says"),
        ("Kremlin: cooperation with Beijing is aimed at no one", "indirect", "cooperation with Beijing is aimed at no one",
         "Kremlin", ":"),
        ("Icebreaker fleet to grow by three ships by 2030 — Rosatom", "indirect", "Icebreaker fleet to grow by three ships by 2030",
         "Rosatom", "—"),
        ("“The Arctic is not for sale,” says Danish minister as talks resume", "direct", "The Arctic is not for sale,",
         "Danish minister", "says"),
        ("Norwegian PM: ‘Svalbard is Norwegian territory’", "direct", "Svalbard is Norwegian territory", "Norwegian PM", ":"),
    ],
)  # fmt: skip
def test_attributed_headlines(title, kind, text, speaker_text, cue):
    (q,) = headline_quotes(title, Analysis())
    assert (q.kind, q.text, q.speaker_text, q.cue, q.in_title) == (kind, text, speaker_text, cue, True)
    assert title[q.start : q.end] == text
    assert title[q.speaker_start : q.speaker_end] == speaker_text


@pytest.mark.parametrize(
    "title",
    [
        "Finland reports drone flights near the border",  # a verb with a noun object is news, not speech
        "Iceland's foreign minister rejects calls for a permanent base",
        "Arctic: a new frontier",  # a region is no speaker
        "Sea ice hits record low in September",
        "Russia and Norway agree to extend fisheries deal",
    ],
)
def test_plain_headlines_give_no_quote(title):
    assert headline_quotes(title, Analysis()) == []


def test_speaker_descriptions_and_quotations_resolve_from_the_body(body_analysis):
    (q,) = headline_quotes("Finnish minister: ‘We will keep the crossing shut’", body_analysis)
    assert q.speaker_name == "Aino Virtanen"
    (q,) = headline_quotes("‘We will keep the crossing shut’: border stays closed", body_analysis)
    assert q.speaker_text is None and q.speaker_name == "Aino Virtanen"  # the body quote says who said it
    (q,) = headline_quotes("Drone flights must stop, Chinese experts say", body_analysis)
    assert q.speaker_name == "unnamed experts"


def test_headline_quotes_come_first_and_keep_title_offsets():
    title = "Moscow says NATO drills near Kola are a provocation"
    (an,) = nlp.analyse_batch([["NATO began its drills on Monday."]], titles=[title])
    assert an.quotes and an.quotes[0].in_title and an.quotes[0].speaker_name == "Russia"
    assert all(not q.in_title for q in an.quotes[1:])
    assert isinstance(an.quotes[0], Quote) and title[an.quotes[0].start : an.quotes[0].end] == an.quotes[0].text

