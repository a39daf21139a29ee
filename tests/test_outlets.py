"""The outlet registry data file and outlet resolution."""

from __future__ import annotations

import re

from polarwatch import outlets
from polarwatch.records import Removal


def test_registry_is_large_valid_and_unambiguous():
    reg = outlets.registry()
    assert len(reg) >= 40
    domains = [d for e in reg for d in e.domains]
    assert len(domains) == len(set(domains))
    for e in reg:
        assert e.kind in outlets.KINDS
        assert re.fullmatch(r"[A-Z]{2}", e.country), e
        assert re.fullmatch(r"[a-z]{2}", e.language), e
        assert e.domains and all(not d.startswith("www.") for d in e.domains)
    countries = {e.country for e in reg}
    assert {"RU", "CN", "NO", "SE", "FI", "DK", "IS", "CA", "US", "GB"} <= countries
    kinds = {e.kind for e in reg}
    assert {"state-controlled", "public-broadcaster", "private", "wire", "think-tank", "arctic-specialist"} <= kinds


def test_by_url_matches_subdomains_and_unknown_domains():
    o = outlets.by_url("https://www.sputnikglobe.com/2025/x.html")
    assert (o.name, o.country, o.kind) == ("Sputnik", "RU", "state-controlled")
    o = outlets.by_url("https://news.cgtn.com/news/x")
    assert o.country == "CN"
    o = outlets.by_url("https://unknown-paper.example/a")
    assert o.domain == "unknown-paper.example" and o.country is None
    assert outlets.by_url(None) is None


def test_inference_from_publisher_furniture_only():
    removed = [
        Removal("Norway: a headline, The Independent Barents Observer", "related"),
        Removal("By submitting your comments, you acknowledge that Radio Canada International may reproduce them.", "comment_notice"),
    ]
    o = outlets.infer(["Body text."], removed)
    assert o.name == "Radio Canada International" and o.inferred and o.confidence < 1
    # An outlet named only in a related list or in the body is a cited source, not the publisher.
    assert outlets.infer(["Bloomberg reported the plan on Monday."], removed[:1]) is None


def test_inference_from_wire_dateline():
    o = outlets.infer(["MOSCOW, March 3. /TASS/. The icebreaker left port."], [])
    assert o is not None and o.name == "TASS" and o.inferred


def test_explicit_outlet_name_resolves_through_aliases():
    o = outlets.resolve(None, "Radio Sweden", [], [])
    assert o.country == "SE"
    o = outlets.resolve(None, "Some Local Paper", [], [])
    assert o.name == "Some Local Paper" and o.country is None
