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
        ("Permafrost under Svalbard thaws twice as fast, say scientists", "indirect",
         "Permafrost under Svalbard thaws twice as fast", "scientists", "say"),
        ("Supreme Court rules wind farm licences invalid", "indirect", "wind farm licences invalid", "Supreme Court", "rules"),
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
        "Court rules out appeal in reindeer case",  # ruling out, ruling on: no claim
        "New Fishing Rules Face Test In Court",  # title case: "Rules" is a noun
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



def test_a_claim_with_quoted_words_is_a_mixed_quote():
    title = "Senator says new Arctic strategy is ‘dead on arrival’ without funding"
    claim, frag = headline_quotes(title, Analysis(text="The senator spoke on Monday."))
    assert (claim.kind, frag.kind) == ("indirect", "direct")
    assert frag.text == "dead on arrival" and title[frag.start : frag.end] == frag.text
    assert frag.speaker_text == claim.speaker_text == "Senator"


def test_a_quoted_name_in_a_headline_is_not_speech():
    # sentence case: a capitalised quotation names something
    (q,) = headline_quotes("Pentagon says “Northern Rampart” drills will be the largest yet", Analysis())
    assert q.kind == "indirect"
    # title case: a name only when the body writes it with the same capitals
    body = "The exercise, called Northern Rampart, starts on Monday."
    (q,) = headline_quotes("Pentagon Says ‘Northern Rampart’ Drills Will Be Largest Yet", Analysis(text=body))
    assert q.kind == "indirect"
    qs = headline_quotes("Governor Says Drills Near Town Are ‘Reckless’", Analysis(text="The governor spoke."))
    assert [q.kind for q in qs] == ["indirect", "direct"] and qs[1].text == "Reckless"


def test_naming_verbs_need_a_quotation_and_kickers_are_skipped():
    (claim, frag) = headline_quotes("Minister calls Russian patrols ‘a provocation’ after talks", Analysis())
    assert claim.cue == "calls" and frag.text == "a provocation"
    assert headline_quotes("Minister calls snap election for December", Analysis()) == []
    (q,) = headline_quotes("The Latest: Minister urges fishermen to avoid the zone", Analysis())
    assert (q.speaker_text, q.text) == ("Minister", "fishermen to avoid the zone")
    (q,) = headline_quotes("Poll: most Icelanders oppose a permanent base", Analysis())
    assert (q.speaker_text, q.cue) == ("Poll", ":")


def test_scientists_in_a_headline_are_the_team_the_body_reports_for():
    an = nlp.analyse_batch([["Researchers from the University of Tromsø measured the thaw.",
                             "The researchers found the ground had sunk by a metre."]])[0]  # fmt: skip
    (q,) = headline_quotes("Permafrost under Svalbard thaws twice as fast, say scientists", an)
    assert q.speaker_name == an.quotes[0].speaker_name == "UiT The Arctic University of Norway"  # the registry's name
