"""Who said what: acceptance on the seeds, and score floors on our own gold set, pinned for CI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import polarwatch
from polarwatch.cli import main
from polarwatch.evaluate.run import run_eval

GOLD = Path(__file__).parent / "gold" / "quotes"

# Floors measured on tests/gold/quotes (34 fictional articles, 462 quotes) after the speaker round of 2026-11-24
# (extract-7: P 0.987 R 0.974, speakers P 0.890 R 0.879; direct quotes F1 0.985, direct speakers F1 0.871,
# indirect quotes F1 0.977, indirect speakers F1 0.895); raise them as extraction improves, never lower them.
# (Speaker round 2, 24ddf56: P 0.987 R 0.974, speakers P 0.901 R 0.890, direct 0.985 / 0.896, indirect 0.977 / 0.895.)
# (Speaker round 3, extract-8, 9d5a7be: P 0.983 R 0.974, speakers P 0.897 R 0.890, direct 0.985 / 0.896, indirect 0.974 / 0.891:
# two noun-object reports our conventions leave out, "regards the passage as …", "favours independence"; floors kept.)
# (Speaker round 4, extract-9, 4e638eb: P 0.983 R 0.974, speakers P 0.904 R 0.896, direct 0.985 / 0.902, indirect
# 0.974 / 0.899 (the outlet aliases of the evaluation count one of them); speaker floors raised by 0.005.)
# (Round 7 measured speakers P 0.851 R 0.840, direct speakers F1 0.834, indirect speakers F1 0.853. Round 6 measured P 0.978 R 0.952, speakers P 0.842 R 0.820, direct 0.985 / 0.834, indirect 0.951 / 0.829;
# round 5 P 0.978 R 0.948, speakers P 0.819 R 0.794, direct 0.979 / 0.828, indirect 0.951 / 0.791.)
# (The 2026-11-24 convention change added 9 belief/intent/request quotes to the gold; convention 14 of round 4 added none;
# conventions 15 and 16 of round 5 added 12 and 3 indirect quotes: objects of naming verbs and of other verbs of communication.)
FLOORS = {
    ("quotes", "precision"): 0.98, ("quotes", "recall"): 0.965,
    ("speakers", "precision"): 0.9, ("speakers", "recall"): 0.89,
    ("direct", "quotes", "f1"): 0.98, ("direct", "speakers", "f1"): 0.895,
    ("indirect", "quotes", "f1"): 0.972, ("indirect", "speakers", "f1"): 0.895,
}  # fmt: skip


def _get(d: dict, path: tuple[str, ...]) -> float:
    for k in path:
        d = d[k]
    return d  # type: ignore[return-value]


def test_seed_quotes_and_speakers(seeds):
    r = run_eval("quotes", seeds)
    assert r["articles"] == 2
    assert r["speakers"]["tp"] >= 11, r  # at least 11 of the 12 gold quotes with the right speaker
    assert r["quotes"]["fp"] == 0, "a quote was taken from boilerplate or invented"


def test_seed_entities_linked(seeds):
    r = run_eval("entities", seeds)["entities"]
    assert r["recall"] >= 0.84 and r["precision"] >= 0.9, r


def test_boilerplate_gives_no_actor(seeds, db):
    rep = polarwatch.ingest([seeds], db=db)
    names = set()
    for aid in rep.new_ids:
        for m in polarwatch.lib.extraction(aid, db)["mentions"]:
            names.add(m.actor_name)
    assert "Vladimir Putin" not in names and "Boris Kovalchuk" not in names
    assert {"Dmitry Peskov", "Yana Leksyutina", "Pentagon", "Kremlin", "Russia", "China"} <= names


def test_quotes_filters(seeds, db):
    polarwatch.ingest([seeds], db=db)
    peskov = polarwatch.lib.quotes(db, speaker="Peskov")
    assert len(peskov) == 3 and all(q.speaker_name == "Dmitry Peskov" for _, _, _, q in peskov)
    about_cn = polarwatch.lib.quotes(db, about="China", kind="direct")
    assert about_cn and all("cn" in q.about for _, _, _, q in about_cn)


@pytest.mark.parametrize("path,floor", FLOORS.items(), ids=["/".join(k) for k in FLOORS])
def test_gold_floors(gold_scores, path, floor):
    assert _get(gold_scores, path) >= floor


@pytest.fixture(scope="module")
def gold_scores():
    return run_eval("quotes", GOLD)


def test_eval_cli_json_shape(seeds):
    r = CliRunner().invoke(main, ["eval", "quotes", "--gold", str(seeds), "--json"])
    d = json.loads(r.output)
    keys = {"precision", "recall", "f1", "tp", "fp", "fn"}
    assert keys <= set(d["quotes"]) and keys <= set(d["speakers"])
    for k in ("direct", "indirect"):
        assert keys <= set(d[k]["quotes"]) and keys <= set(d[k]["speakers"])


# --- rules, one sentence each (fictional text) ---------------------------------------------

from polarwatch.nlp.quotes import analyse  # noqa: E402


def _quotes(*paragraphs: str) -> list[tuple[str, str, str | None]]:
    return [(q.kind, q.text, q.speaker_name) for q in analyse(list(paragraphs)).quotes]


def test_a_different_given_name_blocks_a_registry_surname():
    an = analyse(["“The port will stay open all winter,” said Luis Rubio, a harbour engineer in Tromsø."])
    assert [q.speaker_name for q in an.quotes] == ["Luis Rubio"]
    assert not any(m.actor_name == "Marco Rubio" for m in an.mentions)


def test_a_name_in_an_apposition_or_relative_clause_is_not_the_speaker():
    qs = _quotes("“We will not sell the licence,” said Anna Berg, who advised Jonas Gahr Støre on Arctic policy.")
    assert qs[0][2] == "Anna Berg"
    qs = _quotes("“This is a dangerous precedent,” Petter Lund, a longtime Støre adviser, said on Monday.")
    assert qs[0][2] == "Petter Lund"


def test_a_one_word_quote_counts_only_when_a_speech_verb_reports_it():
    qs = _quotes("Petter Lund called the plan “reckless” on Monday.")
    assert [(k, t, s) for k, t, s in qs if k == "direct"] == [("direct", "reckless", "Petter Lund")]
    assert not [q for q in _quotes("The “reset” of relations with Oslo failed within a year.") if q[0] == "direct"]


def test_a_quotation_signed_with_a_dash_and_a_name():
    qs = _quotes("“The ice road opened three weeks late this year.” ― Maria Tapio, Kiruna")
    assert qs == [("direct", "The ice road opened three weeks late this year.", "Maria Tapio")]


def test_a_report_in_mid_sentence_attributes_the_words_around_it():
    qs = _quotes("But to keep the route open, Petter Lund said, the coast guard needs two more icebreakers.")
    assert [(k, s) for k, _, s in qs] == [("indirect", "Petter Lund")]
    assert "coast guard needs two more icebreakers" in qs[0][1]


def test_beliefs_intentions_and_requests_are_attributions():
    qs = _quotes("Anna Berg expects the talks to resume in spring. She also urged Oslo to publish the survey data.")
    assert [(k, t, s) for k, t, s in qs] == [
        ("indirect", "the talks to resume in spring", "Anna Berg"),
        ("indirect", "Oslo to publish the survey data", "Anna Berg"),
    ]


def test_a_speaker_is_never_the_object_of_a_verb_before_the_quotation():
    qs = _quotes('Anna Berg smiled and asked the crowd to welcome the new governor - "my new best friend."')
    assert [s for k, _, s in qs if k == "direct"] == ["Anna Berg"]


def test_a_cue_without_a_subject_takes_the_subject_of_the_verb_it_depends_on():
    qs = _quotes('Tromsø Mayor Kari Holm said Friday that she thinks the survey should be published but said "the question is the timing."')
    assert [s for k, _, s in qs if k == "direct"] == ["Kari Holm"]


def test_an_inverted_cue_at_the_start_of_a_sentence():
    qs = _quotes("Few experts expect a quick deal. Said Holm: “I don’t see either side giving way before the spring.”")
    assert [s for k, _, s in qs if k == "direct"] == ["Holm"]


def test_a_name_inside_an_apposition_does_not_replace_a_one_word_speaker():
    an = analyse(["“This is a dangerous precedent,” Lund, a longtime Jonas Gahr Støre adviser, said on Monday."])
    assert [q.speaker_name for q in an.quotes] == ["Lund"]
    an = analyse(["“The herds are starving,” herder Aslak Näkkäläjärvi from Savukoski said."])
    assert [q.speaker_name for q in an.quotes] == ["Aslak Näkkäläjärvi"]  # a name at the head of the mention still counts


def test_a_report_the_clause_subordinates_stays_inside_the_content():
    qs = _quotes("Anna Berg said Holm was “absolutely right” when he said on Monday that the quota “cannot be raised.”")
    ind = [t for k, t, _ in qs if k == "indirect"]
    assert len(ind) == 1 and ind[0].startswith("Holm was") and "cannot be raised" in ind[0]


def test_a_short_clause_around_a_quotation_is_a_mixed_quote():
    qs = _quotes("Holm says the quota “would be one hell of a way to lose the fleet.”")
    assert sorted(k for k, _, _ in qs) == ["direct", "indirect"]
    assert all(s == "Holm" for _, _, s in qs)


def test_a_paragraph_opened_with_a_right_hand_mark_is_a_quotation():
    qs = _quotes("”The ice road opened three weeks late this year. Nobody here remembers that.” ― Maria Tapio")
    assert qs == [("direct", "The ice road opened three weeks late this year. Nobody here remembers that.", "Maria Tapio")]


def test_a_report_without_a_subject_takes_the_one_of_the_verb_it_hangs_on():
    qs = _quotes("The Sami council rejected the mining licence on Monday, saying the herds would lose their calving grounds.")
    assert qs == [("indirect", "the herds would lose their calving grounds", "The Sami council")]
    qs = _quotes("Petter Lund attacked the ministry for saying the quota was final.")
    assert [(t, s) for k, t, s in qs if k == "indirect"] == [("the quota was final", "the ministry")]  # who was attacked said it


def test_no_speaker_from_inside_reported_content_and_no_claim_in_whether():
    # the parser hangs the second report on the first one's content: "cooperation" must not become a speaker
    qs = _quotes("The council said that cooperation with Oslo was not aimed at anyone and said the criticism was misplaced.")
    assert all(s != "cooperation" and not (s or "").startswith("cooperation") for _, _, s in qs)
    assert _quotes("Holm declined to say whether the fleet would sail in March.") == []


def test_verbs_of_criticism_and_praise_report_their_object():
    qs = _quotes("Anna Berg criticized the new quota rules as a gift to trawler owners.")
    assert qs == [("indirect", "the new quota rules as a gift to trawler owners", "Anna Berg")]
    assert _quotes("The minister praised it.") == []  # a lone pronoun says nothing
    assert _quotes("Two battalions attacked the northern outpost at dawn.") == []  # "attack" is not a report


def test_a_verb_of_naming_reports_its_object_with_the_complement():
    # convention 15: "called X “Y”" / "described X as Y" is a mixed quote: the object and complement, and the quotation
    qs = _quotes("Anna Berg called the new quota rules “a gift to trawler owners” on Monday.")
    assert sorted(qs) == [
        ("direct", "a gift to trawler owners", "Anna Berg"),
        ("indirect", "the new quota rules “a gift to trawler owners”", "Anna Berg"),
    ]
    qs = _quotes("Petter Lund described the survey as a waste of money.")
    assert qs == [("indirect", "the survey as a waste of money", "Petter Lund")]
    assert _quotes("The minister called the ambassador on Monday.") == []  # a telephone call names nothing
    assert _quotes("Petter Lund described the survey in detail.") == []  # no complement, no claim


def test_commentators_are_unnamed_experts():
    qs = _quotes("Some Western commentators describe the research ships as “dual-use” platforms.")
    assert {s for _, _, s in qs} == {"unnamed experts"}


def test_a_verb_of_communication_reports_its_noun_object():
    # convention 16: "stressed the need for …", "accused Oslo of …" (what the target is charged with)
    assert _quotes("Anna Berg stressed the need for two more icebreakers.") == [
        ("indirect", "the need for two more icebreakers", "Anna Berg")
    ]
    assert _quotes("Petter Lund accused the ministry of hiding the survey data.") == [
        ("indirect", "hiding the survey data", "Petter Lund")
    ]
    # a report that is not made has no content (convention 11)
    assert _quotes("Holm declined to confirm the figures.") == []
    assert _quotes("The official would not discuss the new quota rules.") == []
    assert _quotes("The agency reached out to an expert to discuss the motivation of the survey.") == []  # only meant


def test_a_cue_noun_reports_its_clause_or_infinitive():
    qs = _quotes("Anna Berg spoke in Tromsø. She repeated her claim that the quota would ruin the coastal fleet.")
    assert qs == [("indirect", "the quota would ruin the coastal fleet", "Anna Berg")]  # "her" resolved
    qs = _quotes("Norway's decision to expand the patrols angered Moscow.")
    assert qs == [("indirect", "to expand the patrols", "Norway")]
    assert _quotes("The claim that the ice road would close was never checked.") == []  # nobody makes it
    # a possessive pronoun stands for the subject of the verb the noun is object of
    qs = _quotes("The council repeated its concern that the turbines will disturb the reindeer herds.")
    assert qs == [("indirect", "the turbines will disturb the reindeer herds", "The council")]
    qs = _quotes("The two countries reached an agreement to share the survey data.")
    assert qs == [("indirect", "to share the survey data", "The two countries")]


def test_a_report_spoken_at_the_end_of_a_sentence_is_not_its_own_noun():
    # the parser makes "plan" a second subject of "warned": the expert speaks, the plan is what was warned about
    qs = _quotes("Oslo's plan to buy two submarines risks turning the country into a pawn, a Chinese expert has warned.")
    assert [(k, s) for k, _, s in qs] == [("indirect", "unnamed experts")]
    assert qs[0][1].startswith("Oslo's plan to buy")


def test_a_document_or_spokesperson_speaks_for_the_body_named_in_it():
    qs = _quotes("A report by the Swedish Environmental Protection Agency warned that the mine would harm reindeer herding.")
    assert [s for _, _, s in qs] == ["Swedish Environmental Protection Agency"]
    qs = _quotes("A spokesperson for the Nordic Fisheries Council said the quota was under review.")
    assert [s for _, _, s in qs] == ["Nordic Fisheries Council"]


def test_a_transcript_turn_is_its_speakers_report():
    paras = ["\"HOLM: We will keep the route open.", "\"BERG: Even with one icebreaker?", "\"HOLM: Yes.", "\"BERG: Thank you.",
             "UPDATE: This story was corrected."]
    qs = _quotes(*paras)
    assert [(t, s) for _, t, s in qs] == [("We will keep the route open.", "Holm"), ("Even with one icebreaker?", "Berg"),
                                          ("Yes.", "Holm"), ("Thank you.", "Berg")]
    qs = _quotes("Anna Berg spoke to the radio on Monday.", "BERG: The quota is final.")
    assert qs == [("indirect", "The quota is final.", "Anna Berg")]  # a one-off label the article names


def test_a_report_between_two_quotations_is_no_clause():
    qs = _quotes("“We love the fjord,” he said, but “the quota rules are a disaster for the fleet.”")
    assert all(k == "direct" for k, _, _ in qs)


def test_gerund_and_infinitive_reports():
    assert _quotes("Petter Lund proposed dropping the fuel levy for coastal ferries.") == [
        ("indirect", "dropping the fuel levy for coastal ferries", "Petter Lund")
    ]
    assert _quotes("Anna Berg called for cutting the quota by a third.") == [("indirect", "cutting the quota by a third", "Anna Berg")]
    assert _quotes("The Sami council voted to appeal the ruling.") == [("indirect", "to appeal the ruling", "The Sami council")]
    assert _quotes("The coast guard warned fishermen to stay out of the zone.") == [
        ("indirect", "fishermen to stay out of the zone", "The coast guard")
    ]


def test_a_passive_report_with_its_agent():
    qs = _quotes("The new quota was criticized by the Sami council on Monday.")
    assert qs == [("indirect", "The new quota", "the Sami council")]
    assert _quotes("The quota was announced on Monday.") == []  # no agent, nobody to attribute it to (convention 11)
    qs = _quotes("Her book was mentioned several times, mostly by her opponents.")
    assert [s for _, _, s in qs] == ["unnamed sources"]  # an unnamed group


@pytest.mark.parametrize("sentence,expected", [
    # verbs on no cue list: a speaker subject and a that-clause or a finite clause right after the verb
    ("The Sami council is demanding that the ministry halt the turbine licences.",
     [("indirect", "the ministry halt the turbine licences", "The Sami council")]),
    ("Petter Lund felt the coast guard was not being open about the incident.",
     [("indirect", "the coast guard was not being open about the incident", "Petter Lund")]),
    ("The harbour workers felt the new pier was a mistake.", [("indirect", "the new pier was a mistake", "unnamed sources")]),  # anonymous voices (gold convention 9)
    # a verb of asking reports its indirect question, the question word kept
    ("Anna Berg asked whether the ministry had read the report.",
     [("indirect", "whether the ministry had read the report", "Anna Berg")]),
    ("Several fishermen questioned how the quota could be enforced.",
     [("indirect", "how the quota could be enforced", "unnamed sources")]),  # a quantified crowd (convention 9)
    # any verb with an object and the object's infinitive is a request, unless it causes or lets
    ("Anna Berg exhorted Norwegian lawmakers to reject the quota.",
     [("indirect", "Norwegian lawmakers to reject the quota", "Anna Berg")]),
    ("The storm forced the trawler to turn back.", []),
    ("The office requested absentee ballots to vote by mail.", []),  # someone is asked, not something
    # perception, an expletive subject, first person, a relative clause taken for a complement, a dash tagged
    # as a verb: no new report
    ("Petter Lund saw that the ice had already broken.", []),
    ("It seems the ice had already broken.", []),
    ("We asked whether the quota would change.", []),
    ("Tone Brekke cited remarks the minister had made about Svalbard.",
     [("indirect", "remarks the minister had made about Svalbard", "Tone Brekke")]),
    ("Kari Nilsen, 40 ― a fisherman who sailed every week ― was fined by the coast guard.", []),
])  # fmt: skip
def test_any_verb_with_a_speaker_and_a_clause_or_question_reports_it(sentence, expected):
    assert _quotes(sentence) == expected

def test_a_free_relative_is_the_object_a_verb_of_criticism_reports():
    qs = _quotes("The ministry is denouncing what it calls “the biggest smear campaign in history.”")
    assert ("indirect", "what it calls “the biggest smear campaign in history.”", "The ministry") in qs


def test_a_reported_clause_that_opens_a_quotation_runs_to_its_closing_mark():
    qs = _quotes("The harbour master called the new pier a “gift to the trawler owners in a town that never asked for it.”")
    assert ("indirect", "the new pier a “gift to the trawler owners in a town that never asked for it.”", "The harbour master") in qs


@pytest.mark.parametrize("title,text,speaker_text,speaker", [
    # a request ("calls for", "calls on X to") needs no quotation, unlike naming ("calls X ‘…’")
    ("Former Sami council chairman calls for inquiry into turbine licences", "inquiry into turbine licences",
     "Former Sami council chairman", "Former Sami council chairman"),
    ("Støre calls on Moscow to reopen the quota talks", "on Moscow to reopen the quota talks", "Støre", "Jonas Gahr Støre"),
    # an intent verb with its infinitive; a body is the speaker itself, never its most quoted member
    ("Storting panel votes to summon the fisheries minister", "to summon the fisheries minister", "Storting panel",
     "Storting panel"),
    # an opening phrase before a comma is not the speaker
    ("Railing Against Putin, Støre Vows To Block The Quota Cut", "To Block The Quota Cut", "Støre", "Jonas Gahr Støre"),
])  # fmt: skip
def test_headline_requests_intents_and_bodies(title, text, speaker_text, speaker):
    from polarwatch.nlp.headlines import headline_quotes
    from polarwatch.nlp.quotes import Analysis

    (q,) = headline_quotes(title, Analysis())
    assert (q.text, q.speaker_text, q.speaker_name) == (text, speaker_text, speaker)
    assert headline_quotes("Storting panel votes on the fisheries budget", Analysis()) == []  # news, not intent


@pytest.mark.parametrize("paragraph,expected", [
    # convention 1: "as X put it", "in the words of X" attribute the clause they are set off from by a comma
    ("As Lund put it, the quota talks are dead.", [("indirect", "the quota talks are dead", "Lund")]),
    ("The quota talks are dead, as Lund noted on Monday.", [("indirect", "The quota talks are dead", "Lund")]),
    ("As reported by NRK, the quota talks are dead.", [("indirect", "the quota talks are dead", "NRK")]),
    ("In the words of Anna Berg, the quota talks are dead.", [("indirect", "the quota talks are dead", "Anna Berg")]),
    ("As Lund said goodbye, the ice cracked.", []),  # an object of its own: a time clause
    # and they attribute a quotation, as "according to" does when the quotation is the rest of the sentence
    ("As the coast guard said in a statement, “no vessel was in danger.”",
     [("direct", "no vessel was in danger.", "the coast guard")]),
    ("According to the ministry, “the quota talks are dead.”", [("direct", "the quota talks are dead.", "the ministry")]),
    ("According to the ministry, the talks are “dead for now.”",
     [("indirect", "the talks are “dead for now.”", "the ministry")]),
])  # fmt: skip
def test_as_clauses_and_in_the_words_of(paragraph, expected):
    assert _quotes(paragraph) == expected


def test_it_is_the_body_that_last_spoke_and_a_country_owns_no_named_body():
    qs = _quotes("Finland's Border Guard said on Friday it had detected six drones near Salla.",
                 "Finland has closed the crossing since 2023. It added that no flight had entered Finnish airspace.")
    assert [s for _, _, s in qs] == ["Finland's Border Guard", "Finland's Border Guard"]  # not Finland
    qs = _quotes("The Prairie Trade Institute said the line needs new funds. Later Rosatom announced a new route.",
                 "It said the route would open in June.")
    assert qs[-1][2] == "Rosatom"  # a body named since is what "it" stands for
    qs = _quotes("Kari Fowler said the rules were clear. It prohibits proxies when the council votes to fill a vacancy.")
    assert "Kari Fowler" not in [s for _, _, s in qs[1:]]  # a person who spoke is never "it"


def test_object_pronouns_and_descriptions_that_name_the_body():
    qs = _quotes("Vadim Klyuev, head of the port authority, spoke on Monday.",
                 "According to him, transit voyages grew to 97 this year.")
    assert qs == [("indirect", "transit voyages grew to 97 this year", "Vadim Klyuev")]
    qs = _quotes("China's Ministry of Natural Resources said the expedition had ended. Rosatom said the convoy had left.",
                 "The ministry stressed that all research had been conducted in international waters.")
    assert qs[-1][2] == "China's Ministry of Natural Resources"  # the body called a ministry, not the last one named


def test_a_dateline_is_not_part_of_the_speaker():
    an = analyse(["TROMSØ - Norwegian fishermen said the patrol would continue through the winter."])
    assert [(q.text, q.speaker_text, q.speaker_name) for q in an.quotes] == [
        ("the patrol would continue through the winter", "Norwegian fishermen", "unnamed sources")]  # an anonymous crowd


def test_he_and_she_skip_a_person_the_text_gives_the_other_pronoun():
    qs = _quotes("Petter Lund says the town is ready. Anna Berg said she doubts it. Lund said he would ask again.",
                 "She argues that the government has not explained the plan.")
    assert qs[-1][2] == "Anna Berg"  # Lund, the last subject, is "he"



@pytest.mark.parametrize(
    "sentence, report",
    [
        # convention 3: "X said A and B" is one report, though the parser made B a second clause of "said"
        ("But Lund said Oslo has “enormous respect” for the treaty and his harsh comment was instead an expression of frustration with the talks.",
         ("indirect", "Oslo has “enormous respect” for the treaty and his harsh comment was instead an expression of frustration with the talks", "Lund")),
        # a that-clause after a phrase: "that" taken for an adverb, or the clause hung on the phrase's last noun
        ("Berg tweeted in the early morning hours that Lund was “disgusting” and “a con” and urged voters to “check out” his record.",
         ("indirect", "Lund was “disgusting” and “a con”", "Berg")),
        ("The minister insisted during a visit to Kirkenes on Monday that Oslo was “not afraid” of the new patrols.",
         ("indirect", "Oslo was “not afraid” of the new patrols", "The minister")),
        # a naming verb's complement that the parser made a second object
        ('The Kremlin branded the patrol a "dangerous provocation."', ("indirect", 'the patrol a "dangerous provocation."', "Kremlin")),
        # a phrase after the verb that the parser read as the start of an adverbial clause
        ("Lund said after the meeting he would not accept the quota.", ("indirect", "he would not accept the quota", "Lund")),
        # a concessive clause set off by a comma is the reporter's aside, not the claim (as our gold annotates it)
        ("The coast guard claimed that the patrol was routine, although it had entered the zone twice.",
         ("indirect", "the patrol was routine", "The coast guard")),
        ("Lund said the port would close, even though the council had voted to keep it open.", ("indirect", "the port would close", "Lund")),
        # a second that-clause the parser coordinated with the report verb: one report (convention 3)
        ("Oslo has often said that it is ready for dialogue on fisheries, but that Russian trawlers broke almost every quota in the zone in 2021, including the cod quota.",
         ("indirect", "it is ready for dialogue on fisheries, but that Russian trawlers broke almost every quota in the zone in 2021, including the cod quota", "Norway")),
        # what a colon at the end of the clause announces is part of the claim
        ("Berg noted that the town needs three things before winter: a second pier, a larger fuel depot and a clinic.",
         ("indirect", "the town needs three things before winter: a second pier, a larger fuel depot and a clinic", "Berg")),
        # a complementiser the parser made the clause's object (tagged IN) is no part of the content
        ("Berg testified before the committee that the harbour would close.", ("indirect", "the harbour would close", "Berg")),
        # a text cut after a conjunction ("said that A, but that", "said A and that") ends at the clause
        ("The minister said that the harbour would close, but that", ("indirect", "the harbour would close", "The minister")),
        ("The minister said the harbour would close and that", ("indirect", "the harbour would close", "The minister")),
    ],
)  # fmt: skip
def test_clauses_the_parser_misplaces_stay_reports(sentence, report):
    assert report in _quotes(sentence)


def test_a_content_nouns_own_clause_is_not_the_subjects_report():
    qs = _quotes("Anna Berg pointed to reports that the ferry had been “a disgrace” for years.")  # the reports' claim
    assert not [q for q in qs if q[0] == "indirect" and q[1].startswith("the ferry")]


def test_a_question_a_belief_or_intent_leaves_open_is_no_report():
    assert _quotes("Three years on, the port of 3,000 is struggling to decide what it wants to be.") == []
    # a speech verb's question is what it explains ("explained how …" is reported)
    assert _quotes("Anna Berg explained how the new quota system would share the catch between the two fleets.")[0][0] == "indirect"


def test_what_the_parser_hangs_on_a_report_but_is_not_part_of_it():
    # a relative clause with a stranded preposition is no that-clause of the verb
    assert _quotes("Oslo called the landing defensive, pointing to the June incident as an example of the incursions that the patrol took part in.") == []
    # a participle's clause after the report is the writer's, not a second clause of the claim
    qs = _quotes("The researchers noted the seals might not have the same effect on the fjord as the orcas have had, citing the disruption "
                 "apparently caused off Svalbard when a change in orca behaviour had a knock-on effect.")
    assert [t for k, t, _ in qs if k == "indirect"] == ["the seals might not have the same effect on the fjord as the orcas have had"]


def test_a_relative_pronoun_speaks_for_the_noun_its_clause_belongs_to():
    qs = _quotes("The plan was opposed by the Northern Fishers Association, which said the quotas would ruin small boats.")
    assert qs[-1][2] == "Northern Fishers Association"


def test_a_document_speaks_for_its_issuer():
    qs = _quotes("The Pentagon's latest Arctic strategy report was published on Friday.",
                 "The report says that research stations can support military operations.")
    assert qs[-1][2] == "Pentagon"  # the report named before, through its issuer
    qs = _quotes("The Canadian government's new policy document says the north needs more patrols.")
    assert qs[-1][2] == "Government of Canada"  # its possessor, and "government" is the country's government


def test_a_description_is_the_last_body_of_its_kind():
    qs = _quotes("Norrmalm Minerals plans a new pit near the lake. The United Nations has asked for a review.",
                 "The company said the expansion would create 300 jobs.")
    assert qs[-1][2] == "Norrmalm Minerals"  # a company, not the last body named


def test_anonymous_voices_get_their_class():
    qs = _quotes("Residents said the water had turned brown.", "Investigators believe the pipe burst on Sunday.")
    assert [s for _, _, s in qs] == ["unnamed sources", "unnamed officials"]


def test_a_person_ner_took_for_an_organisation_is_an_antecedent():
    qs = _quotes("Claes Lindqvist says the town has been preparing for years.",
                 "Opposition MP Maja Holmqvist is more critical. She argues that the government has not explained the plan.")
    assert qs[-1][2] == "Maja Holmqvist"


def test_a_quantified_crowd_and_a_notice_have_their_speakers():
    qs = _quotes("Several residents said the water had turned brown. Police said the pipe burst on Sunday.")
    assert [s for _, _, s in qs] == ["unnamed sources", "unnamed officials"]
    qs = _quotes("Some of them said the vote was unfair.")
    assert qs[0][2] != "unnamed sources"  # "them" are people named before, not a new voice
    qs = _quotes("NATO's notice said the exercise would start on Monday.")
    assert qs[0][2] == "NATO"  # a notice speaks for its issuer


def test_a_common_given_name_tells_he_from_she_and_titles_leave_the_name():
    qs = _quotes("Gloria Mendes said the port was ready. Constable Gary Gray said the road was closed.",
                 "She added that the ferry would run on Sunday.")
    assert [s for _, _, s in qs] == ["Gloria Mendes", "Gary Gray", "Gloria Mendes"]
    qs = _quotes("Anna Berg said the plan was late. Mark Dahl disagreed.", "She said that the vote would decide it.")
    assert qs[-1][2] == "Anna Berg"


def test_the_text_beats_a_given_name_guess():
    from polarwatch.nlp.actors import registry
    from polarwatch.nlp.speakers import _Resolver

    res = _Resolver(registry())
    p = res.person("Mark Dahl", 0, "spokeswoman")  # the text says "she"; the given name would say "he"
    assert res.gender(p.id) == "she"
    assert res.gender(res.person("Mark Lund", 10).id) == "he"


def test_an_unknown_body_is_named_without_its_description_short_form_or_a_country_inside_a_word():
    qs = _quotes("Environmental group Hudson Bay Watch said more shipping would raise the risk of spills.",
                 "The Philippine Institute of Volcanology and Seismology (Phivolcs) said the alert level was raised.",
                 "Agence France-Presse said 32 people were taken to hospital.")
    assert [s for _, _, s in qs] == ["Hudson Bay Watch", "Philippine Institute of Volcanology and Seismology", "AFP"]


def test_a_campaign_speaks_as_itself_and_the_first_of_names_side_by_side():
    qs = _quotes("The Trump campaign said the ad was misleading.", "Lund and Berg said the vote should be held in May.",
                 "Norway's Ministry of Justice and Public Security said the cable was repaired.")
    assert [s for _, _, s in qs] == ["Trump campaign", "Lund", "Norway's Ministry of Justice and Public Security"]


def test_a_colon_hands_the_quotation_to_the_subject_of_the_clause_it_closes():
    qs = _quotes("Mayor Ingrid Solheim spoke after the vote. Harbour director Tor Aasen posted a statement on the port's site:",
                 "“The terminal stays open through the winter and no jobs will be lost.”",
                 "Fisheries minister Kari Dahl released a statement: “We will take the company to court over the quotas.”")  # fmt: skip
    assert [s for k, _, s in qs if k == "direct"] == ["Tor Aasen", "Kari Dahl"]


def test_a_partial_quote_is_its_own_sentence_subjects_not_the_next_sentences_speakers():
    qs = _quotes("Lena Holm attacked the “reckless spending” of the council. Per Nilsen recalled that the budget had doubled.")
    assert ("direct", "reckless spending", "Lena Holm") in qs


def test_a_surname_the_parser_reads_as_a_body_stays_the_person_for_a_pronoun():
    qs = _quotes("Gloria La Riva, the presidential nominee, spoke first. Moderator Anna Berg then asked about housing.",
                 "La Riva disagreed, stating that the college should be abolished. She said that rents should be cancelled.")
    assert [s for k, t, s in qs if "rents" in t] == ["Gloria La Riva"]


def test_in_an_interview_the_answers_reports_are_not_the_articles():
    interview = ["Wikinews interviewed the activist Sara Lind about her campaign.",
                 "((WN)) Why did you start the campaign?",
                 "((Sara Lind)) My brother told me that the school would close, and I said “we cannot let that happen”.",
                 "((WN)) What do you expect from the council?",
                 "((Sara Lind)) I hope they listen."]  # fmt: skip
    assert not [q for q in _quotes(*interview) if "school" in q[1] or "let that happen" in q[1]]
    # an opinion piece says "I" but puts no questions to "you": its reports stay
    column = ["I have followed the council for years. The mayor said that the school would close.",
              "I think that is a mistake, and the teachers said “we cannot let that happen”."]  # fmt: skip
    kept = _quotes(*column)
    assert any("school would close" in t for _, t, _ in kept) and any("let that happen" in t for _, t, _ in kept)


def test_a_reported_clause_the_parser_cut_open_is_taken_whole():
    # no "that": the parser makes the clause's subject the verb's object
    qs = _quotes("Barents Observer reported the ferry from Kirkenes to Murmansk has been cancelled for the winter.")
    assert [t for k, t, _ in qs if k == "indirect"] == ["the ferry from Kirkenes to Murmansk has been cancelled for the winter"]
    # … and a phrase the parser hung on the verb comes between the object and the clause
    qs = _quotes("The Barents Observer reported Nordlys Ferries due to the storm have delayed releasing a new timetable.")
    assert [t for k, t, _ in qs if k == "indirect"] == ["Nordlys Ferries due to the storm have delayed releasing a new timetable"]
    # "that" read as the verb's object, the clause hung under it
    qs = _quotes("Anna Berg of the Fram Centre writes in a Nordlys essay that the term “blue ice” derived from the Sami "
                 "“ice roads” which included all routes within the fjord.")  # fmt: skip
    assert [(t, s) for k, t, s in qs if k == "indirect"] == [
        ("the term “blue ice” derived from the Sami “ice roads” which included all routes within the fjord", "Anna Berg")]


def test_a_noun_object_of_a_report_verb_is_what_it_reports():
    qs = _quotes("The Norwegian health ministry confirmed four new cases of the virus in Tromsø on Sunday.")
    assert ("indirect", "four new cases of the virus in Tromsø", "Norwegian health ministry") in [
        (k, t.removesuffix(" on Sunday"), s) for k, t, s in qs]  # fmt: skip
    qs = _quotes("Anna Berg regarded the agreement as a step back for the fishing towns.")
    assert [(k, t) for k, t, _ in qs] == [("indirect", "the agreement as a step back for the fishing towns")]


def test_a_verb_reports_the_object_of_its_preposition():
    qs = _quotes("Anna Berg argued for a second icebreaker and for a larger fuel depot in Longyearbyen.")
    assert [(k, t, s) for k, t, s in qs] == [("indirect", "a second icebreaker and for a larger fuel depot in Longyearbyen", "Anna Berg")]
    qs = _quotes("The Norwegian Meteorological Institute warned of a storm surge along the coast of Finnmark.")
    assert [t for _, t, _ in qs] == ["a storm surge along the coast of Finnmark"]
    assert not _quotes("Anna Berg argued for it on Monday.")  # a lone pronoun says nothing


def test_unnamed_voices_and_documents_no_one_is_named_as_issuing():
    qs = _quotes("The fire spread through the old hotel in Tromsø overnight. A fire officer said the wooden panels burned quickly.",
                 "Polls showed the mayor trailing her challenger by six points.",
                 "According to local news, schools across the county will stay closed on Monday.",
                 "According to official statements, the ferry will resume sailing next week.")  # fmt: skip
    assert [s for _, _, s in qs] == ["unnamed officials", "unnamed sources", "unnamed sources", "unnamed officials"]
    # a document inside the speaker's sentence ("in a statement") is not the speaker
    qs = _quotes("The Norwegian Coastal Administration has, in a statement, called on skippers to “stay out of the fjord until the ice clears.”")
    assert {s for _, _, s in qs} == {"Norwegian Coastal Administration"}


def test_a_document_speaks_for_who_issued_it():
    qs = _quotes("On Friday the Barents Regional Council released a statement on the ferry route.",
                 "A spokesperson told the Nordlys newspaper the route would reopen. “The crossing is safe again;” read the "
                 "statement; “the council thanks the crews.”")  # fmt: skip
    assert [s for k, _, s in qs if k == "direct"] == ["Barents Regional Council", "Barents Regional Council"]


def test_a_description_with_a_nationality_is_that_countrys_body():
    qs = _quotes("The Canadian Coast Guard sent two ships to the strait.",
                 "Seventeen boats were stopped near the base, according to Icelandic military. The Canadian government "
                 "said the passage is internal waters.")  # fmt: skip
    assert [s for _, _, s in qs] == ["Icelandic military", "Government of Canada"]


def test_a_question_put_to_an_interviewee_is_no_report():
    assert not _quotes("What according to you is more important for the town: the harbour or the school?")


def test_a_statement_or_a_press_conference_speaks_for_who_issued_or_held_it():
    qs = _quotes("The Barents Council released a statement saying the ferry would resume sailing on Monday.")
    assert [(k, t, s) for k, t, s in qs] == [("indirect", "the ferry would resume sailing on Monday", "Barents Euro-Arctic Council")]
    # members named as examples of a group are not its voice
    qs = _quotes("Fifty former Arctic diplomats, including former envoys Anna Berg, Per Lund, and Tor Aasen, signed a letter "
                 "saying the treaty “has served every coastal state well.”")  # fmt: skip
    assert [s for k, _, s in qs if k == "direct"] == ["unnamed officials"]


def test_a_clause_hung_under_its_own_subject_is_the_report():
    # the parser makes "the phrase" the object of "says" and hangs "referred" under it
    qs = _quotes('Moreover, she says the 1920 Treaty phrase "subject to" referred primarily to ships flagged to coastal states.')
    assert [t for k, t, _ in qs if k == "indirect"] == ['the 1920 Treaty phrase "subject to" referred primarily to ships flagged to coastal states']
    assert not [q for q in _quotes("Anna Berg wrote a letter that reached the council on Monday.") if q[0] == "indirect"]


def test_a_document_that_opens_its_sentence_attributes_the_rest():
    qs = _quotes("In a situation report of the Norwegian Coastal Administration, the storm damaged 143 boats in Finnmark.")
    assert [(k, t, s) for k, t, s in qs] == [("indirect", "the storm damaged 143 boats in Finnmark", "Norwegian Coastal Administration")]
    # the rest reports on its own: that report, not the document's
    qs = _quotes("In a statement, the ministry said the ferry would resume sailing.")
    assert [t for _, t, _ in qs] == ["the ferry would resume sailing"]


def test_more_verbs_report_their_object():
    qs = _quotes("The new guidelines list the old name of the strait as an undesirable name.")
    assert [(k, t) for k, t, _ in qs] == [("indirect", "the old name of the strait as an undesirable name")]
    qs = _quotes("Anna Berg demanded the protection of the fishing grounds around Bear Island.")
    assert [t for _, t, _ in qs] == ["the protection of the fishing grounds around Bear Island"]


def test_they_after_a_group_of_named_people_is_the_groups_first():
    # a body named after the group, in passing, is not what "they" stands for
    qs = _quotes("Glaciologist Anna Berg of the Norwegian Polar Institute led the survey. The study's lead authors, Berg "
                 "of NPI and Per Lund of UiT, had expected thinner ice at the Kongsberg Satellite Station. They found the "
                 "ice was thicker than in 2019.")  # fmt: skip
    assert [s for _, t, s in qs if "thicker" in t] == ["Anna Berg"]
    qs = _quotes("Glaciologist Anna Berg of the Norwegian Polar Institute built a model. Berg et al, using the facilities "
                 "at the German Aerospace Center (DLR), studied the ice at Hopen. They found the ice was thicker than in 2019.")  # fmt: skip
    assert [s for _, t, s in qs if "thicker" in t] == ["Anna Berg"]


def test_researchers_speak_for_their_institution_or_their_named_team():
    qs = _quotes("In findings published Wednesday, researchers from the University of Tromsø and Stanford University "
                 "reported that the deaths were caused by coal. The researchers also found that age was a factor.")  # fmt: skip
    assert [s for _, _, s in qs] == ["UiT The Arctic University of Norway"] * 2
    qs = _quotes("The study's lead authors, Anna Berg of NPI and Per Lund of UiT, measured the ice.",
                 "The researchers have speculated the pattern may repeat every decade.")  # fmt: skip
    assert [s for _, _, s in qs] == ["Anna Berg"]


def test_a_hyphenated_subject_the_parser_cut_up_keeps_its_apposition():
    qs = _quotes("Another co-author, sea ice professor Anna Berg, said, “We have seen this before.”")
    assert [s for _, _, s in qs] == ["Anna Berg"]


def test_a_that_clause_hung_on_the_addressee_is_the_report():
    qs = _quotes("A hospital official told Anadolu Agency, a local news outlet, that one of the injured was Anna Berg, a "
                 "teacher from Kirkenes, who was treated at the Kirkenes Hospital.")  # fmt: skip
    assert [(k, s) for k, _, s in qs] == [("indirect", "unnamed officials")]
    assert qs[0][1].startswith("one of the injured was Anna Berg")


def test_a_past_tense_read_as_a_participle_after_said_is_the_report():
    qs = _quotes("The Norwegian Coastal Administration said several tonnes of oil leaked before the tanks were sealed.")
    assert [(k, t) for k, t, _ in qs] == [("indirect", "several tonnes of oil leaked before the tanks were sealed")]


def test_a_subject_cut_at_a_hyphen_after_an_inverted_cue_is_one_mention():
    qs = _quotes("“The fjord froze two weeks early,” said survey co-leader Ingrid Solheim.")
    assert [s for _, _, s in qs] == ["Ingrid Solheim"]


def test_a_fronted_according_to_keeps_the_whole_name_and_an_apposed_name():
    qs = _quotes("According to Finnmark Governor Lars Eide, the road will reopen on Monday.",
                 "According to the harbour's chief engineer, Tove Aas, two berths were damaged.")  # fmt: skip
    assert qs == [("indirect", "the road will reopen on Monday", "Lars Eide"),
                  ("indirect", "two berths were damaged", "Tove Aas")]  # fmt: skip



def test_a_description_then_a_name_after_a_comma_is_the_named_person():
    qs = _quotes("“She mapped half the seabed,” said the Tromsø university's rector, Kari Nygaard Holm.")
    assert [s for _, _, s in qs] == ["Kari Nygaard Holm"]


def test_a_name_that_only_says_whose_or_where_a_role_is_does_not_speak():
    qs = _quotes("“The ice is going,” said Anna Berg.", "The Bergen professor added, “We measured it twice.”")
    assert [s for _, _, s in qs] == ["Anna Berg", "Anna Berg"]


def test_a_body_named_with_where_it_sits_is_the_body_but_an_embassy_keeps_its_city():
    qs = _quotes("The Sami Party in Kautokeino said the licence was unlawful.",
                 "The Russian Embassy in Oslo said the claims were false.")  # fmt: skip
    assert [s for _, _, s in qs] == ["Sami Party", "Russian Embassy in Oslo"]


def test_a_role_with_another_field_is_not_the_last_holder_of_the_role():
    qs = _quotes("Fisheries Minister Ola Dahl said two trawlers sank.",
                 "The health minister said, “The injured are in Tromsø.”")  # fmt: skip
    assert [s for _, _, s in qs] == ["Ola Dahl", "health minister"]


def test_a_team_from_an_institution_is_noted_however_its_sentence_parses():
    qs = _quotes("Last year researchers from the University of Alaska at Fairbanks and the Arctic Institute measured "
                 "the thaw of the permafrost near Utqiagvik.",
                 "“The ground is sinking faster than the models said,” said co-author Lena Moe.",
                 "The researchers found the thaw had doubled since 2010.",
                 "They reported, “Roads built on permafrost will need new foundations.”")  # fmt: skip
    assert [s for _, _, s in qs] == ["Lena Moe", "University of Alaska at Fairbanks", "University of Alaska at Fairbanks"]


def test_media_citizens_and_emergency_services_are_anonymous_voices():
    qs = _quotes("Local media reported that the ferry ran aground near Vardø.",
                 "According to the fire service, the blaze started in the engine room.",
                 "Russian citizens have criticized the delay in the rescue.")  # fmt: skip
    assert [s for _, _, s in qs] == ["unnamed sources", "unnamed officials", "unnamed sources"]


def test_a_document_of_an_acronym_speaks_for_the_body():
    qs = _quotes("The Barents Fisheries Board (BFB) said the ice edge had moved north.",
                 "According to BFB records, the edge moved 40 kilometres in a decade.")  # fmt: skip
    assert [s for _, _, s in qs] == ["Barents Fisheries Board", "Barents Fisheries Board"]


def test_eval_counts_an_outlet_named_by_its_alias_as_the_outlet():
    from polarwatch.evaluate.gold import GoldQuote
    from polarwatch.evaluate.run import _outlet_aliases
    from polarwatch.evaluate.score import PredQuote, same_speaker

    gold = GoldQuote("direct", "The ship sank.", "Agence France-Presse", speaker_type="organization")
    assert same_speaker(gold, PredQuote("The ship sank.", "direct", "AFP", list(_outlet_aliases()["outlet:afp"])))
    assert not same_speaker(gold, PredQuote("The ship sank.", "direct", "Reuters", list(_outlet_aliases()["outlet:reuters"])))


def test_a_name_ner_missed_is_a_person_by_its_given_name_and_its_surname_links_back():
    qs = _quotes("The geologist Lars Lunde said the ice was thin. Later, Lunde argued that the road must close.")
    assert [s for _, _, s in qs] == ["Lars Lunde", "Lars Lunde"]


def test_a_partial_quote_after_referred_to_as_is_the_subjects():
    qs = _quotes("Fisheries Minister Ola Dahl referred to the plan as “a reckless gamble with our coast” in a speech on Monday.")
    assert [(k, t, s) for k, t, s in qs if k == "direct"] == [("direct", "a reckless gamble with our coast", "Ola Dahl")]


def test_a_fragment_inside_a_report_takes_the_reports_speaker_unless_it_has_a_cue_inside_it():
    from polarwatch.nlp.quotes import _fragments_follow_their_report
    from polarwatch.records import Quote

    report = Quote(10, 80, "…", "indirect", "claim", 5, "Eide's", 0, 6, "article:lars-eide", "Lars Eide")
    fragment = Quote(40, 70, "thousands of crossings", "direct", "did", 2, "the paper", 0, 9, None, "the paper")
    quoted = Quote(50, 60, "a disgrace", "direct", "called", 45, "Berg", 41, 45, "article:anna-berg", "Anna Berg")
    _fragments_follow_their_report([report, fragment, quoted])
    assert (fragment.speaker_name, fragment.cue) == ("Lars Eide", "claim")
    assert quoted.speaker_name == "Anna Berg"  # its own cue inside the report: someone the report quotes


def test_a_cue_read_as_a_participle_before_a_colon_has_the_noun_phrase_it_closes_as_subject():
    qs = _quotes('The Sami Parliament met on Tuesday. The summary of the decision read in part: "The licences were '
                 'granted unlawfully. The turbines infringe the herders’ rights."')  # fmt: skip
    assert [(k, s) for k, _, s in qs] == [("direct", "Sami Parliament")]


def test_their_statement_is_the_statement_just_issued_not_the_body_named_since():
    qs = _quotes("The Sami Parliament issued a statement on Monday. It said the matter should be settled by the Storting, "
                 "not by the courts. Their statement also read “the turbines violate the herders’ rights.”")  # fmt: skip
    assert [(k, s) for k, _, s in qs] == [("indirect", "Sami Parliament"), ("direct", "Sami Parliament")]


# --- speaker round 5 (docs/eval.md), one mechanism each (fictional text) ----------------------


def test_the_source_of_according_to_is_whom_a_following_pronoun_means():
    qs = _quotes("Mayor Kari Eriksen opened the session on Monday. According to Ingrid Solberg, the harbour will close in March.",
                 "“We have no choice,” she told reporters.")  # fmt: skip
    assert [(k, s) for k, _, s in qs] == [("indirect", "Ingrid Solberg"), ("direct", "Ingrid Solberg")]


def test_a_government_a_place_names_is_that_government_not_the_country():
    an = analyse(["The government of Greenland said the mining licence would be withdrawn."])
    assert [q.speaker_id for q in an.quotes] == ["gl-government"]
    assert _quotes("The Tromsø government said the ferry would run all winter.")[0][2] == "The Tromsø government"


def test_an_outlets_reporter_speaks_for_the_outlet():
    an = analyse(["An NRK reporter in Kirkenes noted that the border crossing had been closed since Friday."])
    assert [(q.speaker_name, q.speaker_id) for q in an.quotes] == [("NRK", "outlet:nrk")]


def test_relatives_shares_of_people_and_unissued_documents_are_anonymous_voices():
    for text in ("His family said he had been missing since Tuesday.",
                 "More than 60 percent of the fishermen surveyed said the quota was too low.",
                 "According to a leaked memo, the base will get two new radar stations."):  # fmt: skip
        assert [s for _, _, s in _quotes(text)] == ["unnamed sources"], text


def test_common_nouns_for_people_speak_as_anonymous_voices_in_the_plural_or_indefinite():
    qs = _quotes("A passenger said the ferry had turned back twice.", "Two jurors said the deliberations were calm.",
                 "His girlfriend said he had been worried for weeks.", "A hospital spokeswoman said the search would resume.")
    assert [s for _, _, s in qs] == ["unnamed sources", "unnamed sources", "unnamed sources", "unnamed officials"]
    qs = _quotes("Ingrid Dahl, a fisheries inspector, met the crew on Monday.", "The woman said the nets were illegal.")
    assert qs[-1][2] != "unnamed sources"  # "the woman" is someone named before, not a new voice


def test_a_body_named_by_its_country_is_what_a_later_description_means():
    qs = _quotes("The Estonian navy tracked the tanker for two days near the island.",
                 "The navy said the ship had switched off its transponder.")
    assert qs[-1][2] == "Estonian navy"


def test_the_officer_no_one_named_is_an_unnamed_official():
    qs = _quotes("A navy officer described the boarding to reporters.", "The officer said the crew had surrendered without a fight.")
    assert qs[-1][2] == "unnamed officials"
    qs = _quotes("Officer Lena Moss stopped the car on Route 9.", "The officer said the driver had been drinking.")
    assert qs[-1][2] == "Lena Moss"


def test_a_representative_speaks_for_the_body_named_else_as_an_unnamed_official():
    qs = _quotes("A museum representative said the painting would return in May.", "Her rep said she was resting at home.")
    assert [s for _, _, s in qs] == ["unnamed officials", "unnamed officials"]
    qs = _quotes("Representatives from Norway said the talks had stalled.")
    assert qs[0][2] == "Norway"


def test_a_point_of_view_attributes_its_sentence_as_according_to_does():
    an = analyse(["Ola Berg chairs the harbour board.", "In his view, the treaty will not survive the winter."])
    assert [(q.kind, q.text, q.speaker_name, q.cue) for q in an.quotes] == [
        ("indirect", "the treaty will not survive the winter", "Ola Berg", "In")]
    assert _quotes("In my view, the treaty will not survive the winter.") == []  # the article's own view
    assert _quotes("What should be done, from the government's perspective, to save the port?") == []  # a question


def test_an_order_reports_its_infinitive_or_its_subjunctive_clause():
    assert _quotes("Governor Tom Hale ordered the flags be lowered to half staff.") == [
        ("indirect", "the flags be lowered to half staff", "Tom Hale")]
    assert _quotes("The mayor ordered residents to leave the island.") == [("indirect", "residents to leave the island", "The mayor")]
    assert _quotes("The chain ordered bigger packages from its suppliers.") == []  # an order of goods reports nothing


def test_the_last_speaker_keeps_a_pronoun_a_person_known_to_take_it_would_take():
    qs = _quotes("Fire chief John McNutt arrived at the warehouse first.", "Crews fought the blaze for three hours, Owen said.",
                 "“It was a long night,” he said.")
    assert qs[-1][2] == "Owen"  # the last who spoke, though only "John" says "he"
    an = analyse(["Mugabe agreed to a deal in which Tsvangirai became prime minister.", "“Only God will remove me,” he declared."])
    assert an.quotes[-1].speaker_name != "Tsvangirai"  # a relative clause's subject is not the salient one


def test_they_is_the_plural_subject_of_the_last_main_clause_that_can_speak():
    qs = _quotes("The Fisheries Agency approved the new quota on Monday.",
                 "Local fishermen rejected the figures at a meeting in Bodø. They said the cod stocks were far lower.")
    assert qs[-1][2] == "unnamed sources"  # the fishermen, not the agency named before
    qs = _quotes("The Fisheries Agency approved the new quota on Monday.", "The boats returned to port early. They said the ice was too thick.")
    assert qs[-1][2] != "The boats"  # things do not speak


def test_a_body_known_only_by_its_name_that_spoke_is_what_it_means():
    qs = _quotes("A police spokeswoman said the fire had started on the roof.",
                 "A statement from Nordkjøp said the store would be rebuilt.", "“We regret the inconvenience to our customers,” it added.")
    assert qs[-1][2] == "Nordkjøp"


def test_an_unnamed_spokesperson_of_a_body_is_an_unnamed_official():
    qs = _quotes("A hospital spokeswoman said the road would stay closed overnight.")
    assert qs[0][2] == "unnamed officials"  # the Wikinews sets' convention ("a Woolworths spokesperson" in dev)


def test_a_body_described_by_a_common_noun_reaches_the_body_it_belongs_to():
    # a campaign or an administration no one named is the last named person's; a body whose name holds a registry
    # country is noted as that body (the country's short form spelled out), so a later "the embassy" finds it
    qs = _quotes("Voters in Iowa met Jo Jorgensen on Monday. The campaign said the rally drew 400 people.",
                 "Harry Dunn's family wrote to the US Embassy in London on Friday. The embassy said it had no comment.")  # fmt: skip
    assert [s for _, _, s in qs] == ["Jorgensen campaign", "United States Embassy in London"]


def test_of_two_speakers_joined_in_one_mention_the_first_speaks():
    # a pronoun first ("Both he and …"), two bodies each with its own institution word, a surname the parser took
    # into the next name; a leading "Both" is not part of the mention
    qs = _quotes("Chief constable Nick Adderley wrote to the embassy. Both he and commissioner Stephen Mold said the immunity should be waived.",
                 "The American Civil Liberties Union of Montana and Native American Rights Fund said the law was unfair.",
                 "Director of National Intelligence John Ratcliffe spoke on Monday. Ratcliffe and FBI director Christopher Wray said Iran had sent the emails.")  # fmt: skip
    assert [s for _, _, s in qs] == ["Nick Adderley", "American Civil Liberties Union of Montana", "John Ratcliffe"]
    assert [q.speaker_text for q in analyse(["Both Mr. King and Mr. Schultz said the deal was good."]).quotes] == ["Mr. King and Mr. Schultz"]


# --- speaker round 9 (docs/eval.md): a thing inside someone's report does not speak (fictional text) -------------


def test_a_thing_inside_a_report_does_not_speak_the_reporter_does():
    qs = _quotes("Mayor Jon Berg spoke on Monday.", 'Berg claimed the new tunnel shows the council is a "lost cause."')
    assert [(k, s) for k, _, s in qs] == [("indirect", "Jon Berg"), ("direct", "Jon Berg")]
    qs = _quotes("The minister opened the museum in Nuuk on Saturday.",
                 'The minister, opening the museum on Saturday, said it would tell a Greenlandic story, one of "hardship and hope".')  # fmt: skip
    assert [s for k, _, s in qs if k == "direct"] == ["The minister"]  # not "it", read as Greenland


def test_a_person_inside_a_report_keeps_the_words_the_report_quotes():
    qs = _quotes("Senator Maria Lund spoke on Monday.", 'Lund said Defence Minister Kari Dahl told her the plan was "a disaster".')
    assert [s for k, _, s in qs if k == "direct"] == ["Kari Dahl"]
