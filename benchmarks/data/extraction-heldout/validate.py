#!/usr/bin/env python3
"""Sanity-check the held-out extraction set (needs lxml).

For every NAME.html: NAME.gold.json parses and has the expected shape; the page decodes
with its declared charset (and lxml's own byte-level detection agrees); the title and every
gold paragraph occur, in order, in the page's visible text (scripts/styles removed, HTML
entities decoded, whitespace collapsed); the body is 300-900 words.

    python benchmarks/data/extraction-heldout/validate.py
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from lxml import html as LH

HERE = Path(__file__).resolve().parent
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)


def norm(s: str) -> str:
    return " ".join(s.split())


def declared_charset(raw: bytes) -> str:
    m = META_CHARSET.search(raw[:4096])
    return m.group(1).decode("ascii").lower() if m else "utf-8"


def visible_text(doc) -> str:
    for el in doc.xpath("//script|//style|//noscript|//template"):
        el.drop_tree()
    return norm(doc.text_content())


def element_texts(doc) -> set[str]:
    return {norm(el.text_content()) for el in doc.iter() if isinstance(el.tag, str)}


def check(page: Path) -> list[str]:
    errs: list[str] = []
    gold_path = page.with_name(page.name[: -len(".html")] + ".gold.json")
    if not gold_path.exists():
        return [f"missing {gold_path.name}"]
    try:
        gold = json.loads(gold_path.read_text("utf-8"))
    except ValueError as e:
        return [f"gold does not parse: {e}"]
    if set(gold) != {"title", "paragraphs"}:
        errs.append(f"unexpected keys {sorted(gold)}")
    title, paras = gold.get("title"), gold.get("paragraphs")
    if not isinstance(title, str) or not title or not isinstance(paras, list) or not paras:
        return errs + ["title must be a non-empty string and paragraphs a non-empty list"]
    for p in [title, *paras]:
        if not isinstance(p, str) or p != norm(p) or not p:
            errs.append(f"not whitespace-normalised: {p!r:.60}")
        elif re.search(r"&(#\d+|#x[0-9a-f]+|[a-z]+);|<[a-z/]", p, re.I):
            errs.append(f"undecoded entity or tag: {p!r:.60}")
    if len(set(paras)) != len(paras):
        errs.append("duplicate gold paragraphs")

    raw = page.read_bytes()
    charset = declared_charset(raw)
    text = visible_text(LH.document_fromstring(raw.decode(charset)))
    if visible_text(LH.document_fromstring(raw)) != text:
        errs.append(f"lxml byte-level decoding disagrees with declared charset {charset}")
    if title not in text:
        errs.append(f"title not in page: {title!r}")
    pos = 0
    for p in paras:
        i = text.find(p, pos)
        if i < 0:
            errs.append(("out of order: " if p in text else "not in page: ") + repr(p[:70]))
        else:
            pos = i + len(p)
    words = sum(len(p.split()) for p in paras)
    if not 300 <= words <= 900:
        errs.append(f"body has {words} words (want 300-900)")
    return errs


def main() -> int:
    pages = sorted(HERE.glob("*.html"))
    bad = 0
    for page in pages:
        errs = check(page)
        gold = json.loads(page.with_name(page.name[:-5] + ".gold.json").read_text("utf-8")) if not errs else None
        if errs:
            bad += 1
            print(f"FAIL {page.name}")
            for e in errs:
                print(f"     {e}")
        else:
            raw = page.read_bytes()
            doc = LH.document_fromstring(raw.decode(declared_charset(raw)))
            whole = element_texts(doc)
            exact = sum(p in whole for p in gold["paragraphs"])
            words = sum(len(p.split()) for p in gold["paragraphs"])
            print(f"ok   {page.name:45} {declared_charset(raw):13} {len(gold['paragraphs']):3} paras {words:4} words"
                  f"  ({exact} are a whole element's text)")
    orphans = [g.name for g in HERE.glob("*.gold.json") if not g.with_name(g.name[:-10] + ".html").exists()]
    for o in orphans:
        bad += 1
        print(f"FAIL {o}: no matching .html")
    print(f"{len(pages) - bad}/{len(pages)} pages ok")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
