"""What a report's lead counts (``stories.counts``), and a story split where its members count one thing two ways."""

from __future__ import annotations

from polarwatch.stories.cluster import COUNT_SPLIT_RATIO, SPLIT_RATIO, DocFreq, Story, splitter
from polarwatch.stories.counts import counted
from polarwatch.stories.features import DATELINE_CHARS, build


def test_a_number_is_read_with_the_thing_it_counts():
    assert counted("A 5.6 magnitude earthquake hit an island off Iran, injuring five people.") == {
        ("magnitude", 5.6), ("hurt", 5.0)}
    assert counted("An earthquake measuring 5 . 6 on the Richter scale jolted Qeshm") == {("magnitude", 5.6)}
    assert counted("A strong 6.1-magnitude quake") == {("magnitude", 6.1)}
    # the nearer side wins, and punctuation ends the look: 10 are dead, not hurt
    assert counted("killing at least 10 people, injuring dozens more") == {("dead", 10.0)}
    assert counted("Ten people are killed and about 50 hurt.") == {("dead", 10.0), ("hurt", 50.0)}
    assert counted("The Angels offered at least $ 160 million to Teixeira") == {("$", 160e6)}
    assert counted("the country's fourth parliamentary election, with 288 candidates") == {
        ("ord:electi", 4.0), ("candid", 288.0)}


def test_years_times_percentages_links_and_background_are_not_counted():
    assert counted("Voting began at 8 : 00 am and closed at 17:06 GMT; 40 percent voted in 2008.") == frozenset()
    assert counted("http : / / www . example . com / 2013 / 09 / 26 / 11765 - vote . html\nNo figure here.") == frozenset()
    assert counted("No figure here. " + "x " * DATELINE_CHARS + "The 2004 quake killed 26,000 people.") == frozenset()


LEAD = "A magnitude {mag} earthquake struck Qeshm island off Iran's southern coast on Sunday, {toll}, officials said."
MORE = {
    "a": "The tremor struck near the town of Dargahan, where walls of old houses fell and shops closed early.",
    "b": "Rescuers dug through the rubble of villages near Tabl, where mud-brick homes collapsed overnight.",
}


def _story(*reports: tuple[str, str, str, str]) -> tuple[Story, DocFreq]:
    """A story of undated reports (id, which quake, magnitude, toll) and the document frequencies over them."""
    df, s = DocFreq(), Story(1)
    for aid, quake, mag, toll in reports:
        f = build(aid, None, LEAD.format(mag=mag, toll=toll) + "\n\n" + MORE[quake]
                  + " Aftershocks shook the island later, and state television said buildings across Qeshm were damaged.")
        df.add(f)
        s.add(f)
    return s, df


def test_a_story_whose_members_count_two_magnitudes_splits_where_text_alone_would_not():
    # two quakes on one island, told in nearly the same words: across the two, reports are alike at 0.55 of
    # how alike each quake's are, above SPLIT_RATIO, so the text alone keeps them together
    assert SPLIT_RATIO < 0.55 < COUNT_SPLIT_RATIO
    two = [("a1", "a", "5.6", "injuring five people"), ("a2", "a", "5.6", "injuring five people"),
           ("b1", "b", "5.9", "killing 10 people"), ("b2", "b", "5.9", "killing 10 people")]
    s, df = _story(*two)
    assert splitter(s, df) == [2, 3]
    # the same texts counting one magnitude and one toll: one event told two ways, no split
    one = [(aid, quake, "5.6", "injuring five people") for aid, quake, _, _ in two]
    s, df = _story(*one)
    assert splitter(s, df) is None
    # a member that states both magnitudes (a first reading revised) joins the two groups: no two ways to count it
    s, df = _story(*two[:2], ("b1", "b", "5.9", "revised from magnitude 5.6"), ("b2", "b", "5.9", "revised from magnitude 5.6"))
    assert {("magnitude", 5.6), ("magnitude", 5.9)} <= s.feats[3].counts  # type: ignore[index]
    assert splitter(s, df) is None
