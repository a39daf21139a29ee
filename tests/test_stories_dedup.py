"""Near-duplicates: MinHash LSH proposes, exact shingle Jaccard verifies, links persist across processes."""

from __future__ import annotations

from pathlib import Path

from polarwatch import lib
from polarwatch.store import open_store
from polarwatch.stories.dedup import NearDuplicates, jaccard, shingles, signature, signature_bytes, signature_from_bytes

WIRE = [
    "Russia's state nuclear company said on Tuesday that its newest icebreaker had completed sea trials in the Gulf of Finland.",
    "The vessel, built at the Baltic Shipyard in St Petersburg, is due to join the fleet that escorts tankers along the Northern Sea Route.",
    "Officials said the ship would be based in Murmansk and would start work before the end of the navigation season.",
    "The company expects cargo on the route to grow again next year, led by liquefied natural gas from the Yamal peninsula.",
    "Analysts in Oslo said the fleet was still too small to keep the eastern part of the route open in winter.",
]
OTHER = [
    "Canada announced a new patrol schedule for its Arctic waters on Monday, with two offshore patrol ships sailing from Halifax.",
    "The ships will visit Inuit communities in Nunavut and take part in a search-and-rescue exercise near Resolute Bay.",
    "Defence officials said the schedule reflected more foreign research vessels in the Northwest Passage last summer.",
]


def test_a_lightly_edited_repost_is_linked_and_an_unrelated_text_is_not():
    idx = NearDuplicates()
    assert idx.add("wire", "\n\n".join(WIRE))[1] == []
    repost = WIRE[:4] + ["Reporting by our correspondent; editing by the night desk."]
    _, links = idx.add("repost", "\n\n".join(repost))
    assert [lk.duplicate_of for lk in links] == ["wire"]
    exact = jaccard(shingles("\n\n".join(WIRE)), shingles("\n\n".join(repost)))
    assert links[0].jaccard == round(exact, 4) and 0.5 <= exact < 1.0
    assert abs(links[0].estimated - exact) < 0.15
    assert idx.add("other", "\n\n".join(OTHER))[1] == []


def test_a_rewritten_story_on_the_same_event_is_not_a_duplicate():
    idx = NearDuplicates()
    idx.add("wire", "\n\n".join(WIRE))
    rewrite = (
        "A new Russian nuclear icebreaker finished its trials near St Petersburg this week, Rosatom announced. "
        "It will sail to Murmansk and help ships through the Northern Sea Route, where the company hopes for more LNG traffic."
    )
    assert idx.add("rewrite", rewrite)[1] == []


def test_signatures_round_trip_through_bytes():
    sig = signature(shingles(" ".join(WIRE)))
    back = signature_from_bytes(signature_bytes(sig))
    assert back.jaccard(sig) == 1.0


def _write(path: Path, title: str, paras: list[str]) -> None:
    path.write_text(title + "\n\n" + "\n\n".join(paras), "utf-8")


def test_a_duplicate_of_an_already_stored_article_is_found_by_a_later_ingest(tmp_path, db):
    _write(tmp_path / "a.txt", "New icebreaker completes trials", WIRE)
    _write(tmp_path / "c.txt", "Canada sets Arctic patrols", OTHER)
    first = lib.ingest([tmp_path / "a.txt", tmp_path / "c.txt"], db)
    assert first.new == 2
    # A later run, a new process's store: the index is rebuilt from the stored signatures.
    _write(tmp_path / "b.txt", "Icebreaker finishes sea trials", WIRE[:4] + ["This story was syndicated from a wire service."])
    second = lib.ingest([tmp_path / "b.txt"], db)
    assert second.new == 1
    s = open_store(db)
    try:
        dups = s.get_near_duplicates(second.new_ids[0])  # type: ignore[attr-defined]
        assert [d["id"] for d in dups] == [first.new_ids[0]]
        assert dups[0]["earlier"] and 0.5 <= dups[0]["jaccard"] < 1.0
        back = s.get_near_duplicates(first.new_ids[0])  # type: ignore[attr-defined]
        assert [d["id"] for d in back] == [second.new_ids[0]] and not back[0]["earlier"]
        assert s.get_near_duplicates(first.new_ids[1]) == []  # type: ignore[attr-defined]
    finally:
        s.close()


def test_duplicates_within_one_batch_and_signatures_from_before_band_keys(tmp_path, db):
    """(Near-duplicates are linked by the analysis stages, so these ingests run with extraction.) A repost in
    the same ingest batch as its source is linked; a store whose signatures predate the
    on-disk band index (migration 007 only) gets its band keys on the next ingest and still links."""
    _write(tmp_path / "a.txt", "New icebreaker completes trials", WIRE)
    _write(tmp_path / "b.txt", "Icebreaker finishes sea trials", WIRE[:4] + ["This story was syndicated from a wire service."])
    rep = lib.ingest([tmp_path / "a.txt", tmp_path / "b.txt"], db)
    s = open_store(db)
    try:
        assert [d["id"] for d in s.get_near_duplicates(rep.new_ids[1])] == [rep.new_ids[0]]  # type: ignore[attr-defined]
        s.db.execute("DELETE FROM minhash_bands")  # type: ignore[attr-defined]
        s.db.commit()  # type: ignore[attr-defined]
    finally:
        s.close()
    _write(tmp_path / "c.txt", "Icebreaker trials done", ["Breaking:"] + WIRE[1:])
    third = lib.ingest([tmp_path / "c.txt"], db)
    s = open_store(db)
    try:
        assert {d["id"] for d in s.get_near_duplicates(third.new_ids[0])} == set(rep.new_ids)  # type: ignore[attr-defined]
        assert s.db.execute("SELECT COUNT(DISTINCT article_rowid) FROM minhash_bands").fetchone()[0] == 3  # type: ignore[attr-defined]
    finally:
        s.close()
