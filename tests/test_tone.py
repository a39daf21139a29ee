"""Tone: the news overlay on VADER, article tone, tone toward actors, and the words behind each number."""

from __future__ import annotations

from polarwatch.tone import analyzer, article_tone, sentence_tone, sentences


def test_overlay_neutralises_topic_words_and_adds_news_judgements():
    lex = analyzer().lexicon
    for topic in ("security", "united", "critical", "free", "energy"):
        assert topic not in lex, topic
    assert lex["provocation"] < 0 and lex["sanctions"] < 0 and lex["cooperation"] > 0
    # Topic words alone carry no tone.
    s = sentence_tone("The United States published its Arctic security strategy on critical minerals.")
    assert s.compound == 0.0 and s.words == ()


def test_sentence_spans_are_body_offsets():
    paras = ["First sentence here. Second one follows!", "A new paragraph."]
    body = "\n\n".join(paras)
    spans = sentences(paras)
    assert [body[a:b] for a, b in spans] == ["First sentence here.", "Second one follows!", "A new paragraph."]


def test_article_tone_and_its_words():
    hostile = ["Moscow condemned the provocation and warned of escalation.", "The ministry called the sanctions baseless."]
    friendly = ["Oslo welcomed the agreement and praised the cooperation.", "Both sides said the dialogue was successful."]
    t_bad, t_good = article_tone(hostile), article_tone(friendly)
    assert t_bad.tone < -0.3 and t_bad.negative == 2 and t_bad.positive == 0
    assert t_good.tone > 0.3 and t_good.positive == 2
    words = {w for s in t_bad.sentences for w, _ in s.words}
    assert {"condemned", "provocation", "escalation", "sanctions", "baseless"} <= words


def test_negation_flips_the_judgement():
    assert sentence_tone("The cooperation is aimed at stability.").compound > 0
    assert sentence_tone("The talks were not successful.").compound < 0


def test_tone_toward_each_actor_comes_from_the_sentences_that_mention_it():
    paras = ["Norway praised the agreement with Iceland.", "Russia condemned the provocation by the alliance."]
    body = "\n\n".join(paras)
    mentions = [(body.index("Norway"), body.index("Norway") + 6, "no"), (body.index("Iceland"), body.index("Iceland") + 7, "is"),
                (body.index("Russia"), body.index("Russia") + 6, "ru")]  # fmt: skip
    t = article_tone(paras, mentions)
    assert t.actors["no"].tone > 0 and t.actors["is"].tone > 0 and t.actors["ru"].tone < 0
    assert t.actors["ru"].mentions == 1
    d = t.as_dict(body)
    assert d["actors"]["ru"]["sentences"][0]["text"] == paras[1]
    assert {w["word"] for w in d["actors"]["ru"]["sentences"][0]["words"]} >= {"condemned", "provocation"}


def test_text_without_lexicon_words_is_neutral_and_unscored():
    t = article_tone(["The vessel sailed north on Tuesday."])
    assert t.tone == 0.0 and t.scored == 0
