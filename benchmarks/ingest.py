#!/usr/bin/env python3
"""Ingest and search benchmarks for polarwatch.

    .venv/bin/python benchmarks/ingest.py [--quick] [--out benchmarks/out]

Generates every corpus itself, deterministically (fixed seed), with no network:
article text is recombined from the real Wikinews CSVs in
``../shared/corpus/wikinews/data`` when present (paragraphs of different
articles shuffled together so every article is unique, ~600 words each), or
from generated sentences otherwise.

Each measurement runs in a fresh subprocess pinned to one core, so its peak
RSS (``ru_maxrss``) belongs to that mode alone:

1. text ingest      10,000 plain-text dump files      -> articles/s, peak RSS
2. HTML ingest      10,000 pages of ~45 KB             -> articles/s; trafilatura
                    alone over the same files          -> pages/s; time ratio
3. WARC ingest      10,000 HTML responses, one WARC.gz -> articles/s, peak RSS
4. memory flatness  peak RSS at 2,000 vs 10,000 text articles
5. search latency   200 queries over 100,000 stored articles -> p50/p95/max ms

Prints a table and writes JSON to ``--out`` (a ``.json`` path, or a folder
that gets ``ingest.json``). ``--quick`` shrinks every count for development;
the figures in docs/benchmarks.md come from a full run (about 13 minutes with
``--nlp off``).

Ingest is measured with the package's default and, when ``lib.ingest`` has an
``nlp`` switch, also with extraction off (``--nlp off``: only that). The
package is copied at start and every worker imports the copy, so one run
measures one version of the source even while others edit it
(``--no-snapshot`` measures the live tree). trafilatura and polarwatch HTML
runs alternate ``--repeat`` times (default 2) and the best of each is
compared. ``--work DIR`` keeps corpora and the search store for reuse;
``--only`` runs a subset; ``--profile`` writes a cProfile summary per mode.
Each result records load average, steal time and involuntary context
switches: thousands of the latter mean the core was shared, so rerun it.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import platform
import random
import re
import resource
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WIKINEWS = REPO.parent / "shared" / "corpus" / "wikinews" / "data"
SEED = 20250611
CORPUS_VERSION = 3  # bump when the generators change, so a reused --work folder is rebuilt

FULL = {"text": 10_000, "html": 10_000, "warc": 10_000, "flat_small": 2_000, "search": 100_000, "queries": 200}
QUICK = {"text": 1_000, "html": 300, "warc": 300, "flat_small": 200, "search": 5_000, "queries": 200}

TARGETS = {
    "text_articles_per_s": 300.0,
    "html_ratio": 1.3,
    "search_p95_ms": 50.0,
}

# ---------------------------------------------------------------------------
# Text source: paragraphs to recombine
# ---------------------------------------------------------------------------

PLACES = [
    "Tromsø", "Murmansk", "Nuuk", "Kirkenes", "Longyearbyen", "Iqaluit", "Anchorage", "Arkhangelsk", "Reykjavik",
    "Rovaniemi", "Norilsk", "Nome", "Utqiagvik", "Yellowknife", "Hammerfest", "Bodø", "Luleå", "Kiruna", "Dudinka",
    "Salekhard", "Vardø", "Ilulissat", "Whitehorse", "Inuvik", "Sabetta", "Pevek", "Akureyri", "Oulu",
]  # fmt: skip
FIRST = [
    "Anna", "Ivan", "Kari", "Erik", "Olga", "Lars", "Maria", "Sergei", "Ingrid", "John", "Aputsiaq", "Li", "Wei",
    "Sarah", "Mikhail", "Helga", "Thomas", "Elena", "Nils", "Jennifer", "Pavel", "Siri", "David", "Natalia",
]  # fmt: skip
LAST = [
    "Hansen", "Petrov", "Johansen", "Smirnova", "Olsen", "Nilsen", "Kuznetsov", "Larsen", "Berg", "Lindqvist",
    "Kleist", "Zhang", "Wang", "Miller", "Ivanova", "Andersen", "Sokolov", "Virtanen", "Korhonen", "Brown",
]  # fmt: skip
WIRES = ["Reuters", "AFP", "AP Photo", "Getty Images", "TASS", "NTB Scanpix", "Xinhua", "EPA"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

# Fallback vocabulary, used only when the Wikinews CSVs are absent.
_SUBJ = [
    "The government", "The ministry", "Officials", "The coast guard", "Local residents", "The company", "Researchers",
    "The fisheries commission", "Environmental groups", "The navy", "The regional governor", "Shipping firms",
    "The Arctic Council", "Scientists", "Indigenous leaders", "The parliament", "Border guards", "Analysts",
]  # fmt: skip
_VERB = [
    "announced", "rejected", "approved", "criticised", "postponed", "welcomed", "investigated", "proposed",
    "confirmed", "questioned", "expanded", "suspended", "financed", "monitored", "defended", "reviewed",
]  # fmt: skip
_OBJ = [
    "the new icebreaker programme", "a quota for Northeast Arctic cod", "plans for a deep-water port",
    "the pipeline project", "military exercises near the border", "the research station", "a ban on heavy fuel oil",
    "the shipping route", "funding for the airport", "the mining licence", "the search and rescue agreement",
    "new rules for cruise ships", "the satellite ground station", "a study of thawing permafrost",
]  # fmt: skip
_TAIL = [
    "on {day}", "after weeks of talks", "in {place}", "despite strong objections", "earlier this year",
    "according to a statement", "for the second time", "amid rising tension", "ahead of the summer season",
]  # fmt: skip
_SYL = ["ka", "ro", "mi", "sen", "vik", "tor", "lu", "na", "ark", "eva", "dal", "sk", "ov", "in", "ter", "quo", "bra"]


def _fallback_pool(seed: int) -> tuple[list[tuple[str, int, int]], list[str], list[str]]:
    """Generated articles: (paragraph, words, article index), titles, dates."""
    rng = random.Random(seed)
    # A Zipf-ish set of invented proper nouns so that rare words exist.
    names = ["".join(rng.choice(_SYL) for _ in range(rng.randint(2, 4))).capitalize() for _ in range(3000)]
    weights = [1 / (i + 1) for i in range(len(names))]
    paras, titles, dates = [], [], []
    for a in range(320):
        topic = rng.choice(_OBJ)
        titles.append(f"{rng.choice(_SUBJ)} {rng.choice(_VERB)} {topic}".replace("The ", "", 1).capitalize())
        dates.append(f"{rng.choice((2019, 2020))}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
        for _ in range(rng.randint(10, 16)):
            sents = []
            for _ in range(rng.randint(2, 5)):
                tail = rng.choice(_TAIL).format(day=rng.choice(DAYS), place=rng.choice(PLACES))
                who = rng.choices(names, weights)[0]
                s = f"{rng.choice(_SUBJ)} {rng.choice(_VERB)} {rng.choice(_OBJ)} {tail}"
                if rng.random() < 0.5:
                    s += f", said {rng.choice(FIRST)} {who} of {rng.choice(names)}"
                sents.append(s + ".")
            p = " ".join(sents)
            paras.append((p, len(p.split()), a))
    return paras, titles, dates


def _wikinews_pool() -> tuple[list[tuple[str, int, int]], list[str], list[str]] | None:
    files = sorted(WIKINEWS.glob("*.csv")) if WIKINEWS.is_dir() else []
    if not files:
        return None
    paras, titles, dates = [], [], []
    for f in files:
        with open(f, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                a = len(titles)
                titles.append(" ".join((row.get("title") or "").split()))
                dates.append((row.get("date") or "2020-01-01")[:10])
                for p in (row.get("text") or "").split("\n"):
                    p = " ".join(p.split())
                    words = len(p.split())
                    # Body prose only: no datelines, interview Q&A markers, image credits
                    # or non-Latin-script paragraphs.
                    if (
                        words >= 12
                        and p[-1] in '.?!"”'
                        and not p.startswith("((")
                        and "Image:" not in p
                        and sum(ord(c) > 0x24F for c in p) < 3
                    ):
                        paras.append((p, words, a))
    return (paras, titles, dates) if len(paras) > 500 else None


class TextSource:
    """Deterministic unique articles of ~600 words made of recombined paragraphs."""

    def __init__(self, seed: int) -> None:
        pool = _wikinews_pool()
        self.origin = "wikinews" if pool else "generated"
        self.paras, self.titles, self.dates = pool or _fallback_pool(seed)
        self.headlines = [t for t in self.titles if t and not re.search(r"[.!?]$", t)]
        self.sentences = [s for p, _, _ in self.paras for s in re.split(r"(?<=[.!?])\s+", p) if 5 <= len(s.split()) <= 30]

    def article(self, rng: random.Random, seen: set[tuple[int, ...]]) -> dict[str, Any]:
        while True:
            target = rng.randint(560, 640)
            idx: list[int] = []
            words = 0
            while words < target:
                i = rng.randrange(len(self.paras))
                if i not in idx:
                    idx.append(i)
                    words += self.paras[i][1]
            key = tuple(idx)
            if key not in seen:
                seen.add(key)
                break
        src = self.paras[idx[0]][2]
        return {
            "title": self.titles[src] or "Untitled",
            "date": self.dates[src],
            "paragraphs": [self.paras[i][0] for i in idx],
            "words": words,
        }

    def person(self, rng: random.Random) -> str:
        return f"{rng.choice(FIRST)} {rng.choice(LAST)}"

    def caption(self, rng: random.Random) -> str:
        place, who, day = rng.choice(PLACES), self.person(rng), rng.choice(DAYS)
        return rng.choice([
            f"{who} speaks to reporters in {place} on {day}. (Photo: {rng.choice(WIRES)}/{self.person(rng)})",
            f"File photo: the harbour in {place} in winter",
            f"In this photo taken on {day}, workers clear snow from the runway in {place}.",
            f"The town of {place} seen from the air. Photo: {self.person(rng)}/{rng.choice(WIRES)}",
            f"An icebreaker near {place} ({rng.choice(WIRES)})",
        ])  # fmt: skip

    def related(self, rng: random.Random, k: int) -> list[str]:
        return rng.sample(self.headlines, k)


# ---------------------------------------------------------------------------
# Corpus writers
# ---------------------------------------------------------------------------


def dump_text(n: int, art: dict[str, Any], rng: random.Random, src: TextSource) -> str:
    """One plain-text dump: header, title, one paragraph per line, some page furniture."""
    lines = list(art["paragraphs"])
    if rng.random() < 0.4:
        lines.insert(rng.randint(1, 2), src.caption(rng))
    if rng.random() < 0.3:
        block = [rng.choice(["Related stories", "Read more", "Related", "More on this story", "You may also like"])]
        block += src.related(rng, rng.randint(3, 5))
        at = len(lines) if rng.random() < 0.6 else rng.randint(len(lines) // 2, len(lines))
        lines[at:at] = block
    if rng.random() < 0.2:
        lines.append(f"© {art['date'][:4]} Bench Example News. All rights reserved.")
    if rng.random() < 0.1:
        lines.append("Share this article")
    return f" date {art['date']} https://bench.example/{n}\n{art['title']}\n" + "\n".join(lines) + "\n"


SITES = [
    {"host": "www.northbench.example", "name": "The North Bench", "article": "story", "body": "story-body"},
    {"host": "news.arcticbench.example", "name": "Arctic Bench News", "article": "post", "body": "entry-content"},
    {"host": "bench-observer.example", "name": "Bench Observer", "article": "article", "body": "article__body"},
]
SECTIONS = [
    "World", "Arctic", "Politics", "Business", "Energy", "Climate", "Science", "Security", "Shipping", "Fisheries",
    "Culture", "Opinion", "Sport", "Travel", "Society", "Technology",
]  # fmt: skip
_CSS_PROPS = ["margin", "padding", "color", "font-size", "line-height", "display", "border", "background", "width", "max-width"]


def _slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")[:70] or "story"


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _site_css(site: dict[str, str], rng: random.Random) -> str:
    rules = []
    for i in range(110):
        sel = f".{site['body'] if i % 7 == 0 else rng.choice(['nav', 'hdr', 'ftr', 'card', 'btn', 'grid', 'cmt'])}-{i}"
        props = "; ".join(f"{p}: {rng.randint(0, 40)}px" for p in rng.sample(_CSS_PROPS, 4))
        rules.append(f"{sel} {{ {props} }}")
    return "\n".join(rules)


def _links(host: str, items: list[str], cls: str) -> str:
    return "".join(f'<li class="{cls}"><a href="https://{host}/{_slug(t)}/">{_esc(t)}</a></li>' for t in items)


def html_page(n: int, art: dict[str, Any], rng: random.Random, src: TextSource, css: list[str]) -> tuple[str, str]:
    """A realistic ~45 KB news page (head, nav, article, figures, aside, comments, footer); returns (url, html)."""
    s = n % len(SITES)
    site = SITES[s]
    host, title, date = site["host"], art["title"], art["date"]
    url = f"https://{host}/{rng.choice(SECTIONS).lower()}/{date[:4]}/{date[5:7]}/{_slug(title)}-{n}"
    author = src.person(rng)
    paras = art["paragraphs"]
    desc = paras[0][:155]
    section = rng.choice(SECTIONS)
    t = f"{date}T{rng.randint(5, 22):02d}:{rng.randint(0, 59):02d}:00+00:00"
    related = src.related(rng, 14)
    head = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_esc(title)} | {site['name']}</title>
<meta name="description" content="{_esc(desc)}">
<meta name="keywords" content="{', '.join(rng.sample(SECTIONS, 4))}, Arctic, news">
<meta name="author" content="{author}">
<meta name="robots" content="index, follow, max-image-preview:large">
<meta property="og:type" content="article">
<meta property="og:site_name" content="{site['name']}">
<meta property="og:title" content="{_esc(title)}">
<meta property="og:description" content="{_esc(desc)}">
<meta property="og:url" content="{url}">
<meta property="og:image" content="https://{host}/images/{date[:4]}/{n}-1200x630.jpg">
<meta property="article:published_time" content="{t}">
<meta property="article:modified_time" content="{t}">
<meta property="article:section" content="{section}">
<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:site" content="@{_slug(site['name']).replace('-', '')}">
<meta name="twitter:title" content="{_esc(title)}">
<link rel="canonical" href="{url}">
<link rel="icon" href="https://{host}/favicon.ico">
<link rel="preconnect" href="https://cdn.{host}">
<link rel="stylesheet" href="https://cdn.{host}/css/main.{n % 97:04x}.css">
<link rel="alternate" type="application/rss+xml" title="{site['name']}" href="https://{host}/feed/">
<style>
{css[s]}
</style>
<script type="application/ld+json">{json.dumps({
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": title, "datePublished": t,
        "dateModified": t, "author": [{"@type": "Person", "name": author}],
        "publisher": {"@type": "Organization", "name": site["name"], "logo": {"@type": "ImageObject", "url": f"https://{host}/logo.png"}},
        "image": [f"https://{host}/images/{date[:4]}/{n}-1200x630.jpg"], "mainEntityOfPage": url, "articleSection": section,
    }, ensure_ascii=False)}</script>
<script>window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments);}}gtag('js',new Date());gtag('config','G-BENCH{s}',{{'page_path':'/{n}'}});</script>
</head>
"""
    nav_items = []
    for sec in SECTIONS:
        subs = [f"{sec} {w}" for w in rng.sample(["news", "analysis", "video", "features", "explainers", "archive", "podcasts", "live"], 4)]
        nav_items.append(f'<li class="menu-item has-sub"><a href="https://{host}/{_slug(sec)}/">{sec}</a><ul class="sub-menu">{_links(host, subs, "sub-item")}</ul></li>')
    top = f"""<body class="single single-post site-{s}">
<div id="cookie-banner" class="cookie-notice" role="dialog"><p>We use cookies to improve your experience on our site. By continuing you accept our cookie policy.</p><button class="btn btn-accept">Accept all cookies</button><button class="btn">Settings</button></div>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header"><div class="hdr-inner"><a class="logo" href="https://{host}/"><img src="https://{host}/logo.svg" alt="{site['name']}"></a>
<form class="search-form" action="https://{host}/search"><input type="search" name="q" placeholder="Search"><button>Search</button></form>
<ul class="account"><li><a href="https://{host}/login">Log in</a></li><li><a href="https://{host}/subscribe">Subscribe</a></li></ul></div>
<nav class="main-nav" aria-label="Main"><ul class="menu">{''.join(nav_items)}</ul></nav>
<div class="ticker"><span>Latest:</span><ul>{_links(host, related[10:14], "ticker-item")}</ul></div>
</header>
<main id="main" class="site-main">
<nav class="breadcrumb"><a href="https://{host}/">Home</a> › <a href="https://{host}/{_slug(section)}/">{section}</a></nav>
"""
    # The article itself.
    fig_at = rng.randint(3, max(3, len(paras) - 2))
    body = []
    for i, p in enumerate(paras):
        if i == fig_at:
            body.append(f'<figure class="inline-image"><img src="https://cdn.{host}/img/{n}-2.jpg" alt="" loading="lazy"><figcaption>{_esc(src.caption(rng))}</figcaption></figure>')
        if i == len(paras) // 2 and rng.random() < 0.5:
            r = src.related(rng, 1)[0]
            body.append(f'<p class="inline-related"><strong>Read more:</strong> <a href="https://{host}/{_slug(r)}/">{_esc(r)}</a></p>')
        if rng.random() < 0.2:
            words = p.split(" ")
            k = rng.randrange(max(1, len(words) - 3))
            words[k] = f'<a href="https://{host}/tag/{_slug(words[k])}/">{words[k]}</a>'
            p = " ".join(words)
            body.append(f"<p>{p}</p>")
        else:
            body.append(f"<p>{_esc(p)}</p>")
    article_cls, body_cls = site["article"], site["body"]
    article = f"""<article class="{article_cls}" itemscope itemtype="https://schema.org/NewsArticle">
<header class="{article_cls}-header"><span class="kicker"><a href="https://{host}/{_slug(section)}/">{section}</a></span>
<h1 class="{article_cls}-title" itemprop="headline">{_esc(title)}</h1>
<div class="byline">By <a rel="author" href="https://{host}/author/{_slug(author)}/">{author}</a> · <time datetime="{t}" itemprop="datePublished">{date}</time></div>
<ul class="share-top"><li><a href="https://www.facebook.com/sharer.php?u={url}">Facebook</a></li><li><a href="https://twitter.com/intent/tweet?url={url}">Twitter</a></li><li><a href="mailto:?subject={_esc(title)}">Email</a></li></ul>
</header>
<figure class="lead-image"><img src="https://cdn.{host}/img/{n}-1.jpg" alt="{_esc(title)}" width="1200" height="675"><figcaption>{_esc(src.caption(rng))}</figcaption></figure>
<div class="{body_cls}" itemprop="articleBody">
{chr(10).join(body)}
</div>
<footer class="{article_cls}-footer"><ul class="tags">{_links(host, rng.sample(SECTIONS, 3), "tag")}</ul>
<p class="correction">Did you spot an error in this article? Report it to our editors.</p></footer>
</article>
"""
    aside = f"""<aside class="sidebar"><section class="related"><h2>Related stories</h2><ul>{_links(host, related[:7], "related-item")}</ul></section>
<section class="most-read"><h2>Most read</h2><ol>{_links(host, related[7:12], "popular-item")}</ol></section>
<section class="newsletter"><h3>Get our Arctic briefing</h3><p>The week's news from the High North, delivered to your inbox every Friday.</p><form><input type="email" placeholder="Your e-mail"><button>Sign up</button></form></section></aside>
"""
    comments = []
    for c in range(rng.randint(6, 14)):
        text = " ".join(rng.sample(src.sentences, rng.randint(1, 3)))
        comments.append(
            f'<li class="comment" id="comment-{n}-{c}"><article class="comment-body"><footer class="comment-meta"><span class="comment-author">{src.person(rng)}</span> '
            f'<time datetime="{date}T{rng.randint(0, 23):02d}:00">{date}</time></footer><div class="comment-content"><p>{_esc(text)}</p></div>'
            f'<div class="reply"><a class="comment-reply-link" href="#respond">Reply</a></div></article></li>'
        )
    comments_html = f"""<section id="comments" class="comments-area"><h2 class="comments-title">{len(comments)} comments</h2>
<ol class="comment-list">{''.join(comments)}</ol>
<div id="respond" class="comment-respond"><h3>Leave a Reply</h3><p>Your email address will not be published. Required fields are marked *</p>
<form class="comment-form"><textarea name="comment"></textarea><input name="author" placeholder="Name *"><input name="email" placeholder="Email *"><button>Post Comment</button></form></div></section>
</main>
"""
    cols = []
    for sec in rng.sample(SECTIONS, 6):
        cols.append(f'<div class="ftr-col"><h4>{sec}</h4><ul>{_links(host, [f"{sec} {w}" for w in ("news", "analysis", "archive", "newsletters", "contact")], "ftr-item")}</ul></div>')
    footer = f"""<footer class="site-footer">{''.join(cols)}
<ul class="ftr-legal"><li><a href="https://{host}/about/">About us</a></li><li><a href="https://{host}/privacy/">Privacy policy</a></li><li><a href="https://{host}/cookies/">Cookie settings</a></li><li><a href="https://{host}/contact/">Contact</a></li></ul>
<p class="copyright">© {date[:4]} {site['name']}. All rights reserved. Reproduction without written permission is prohibited.</p></footer>
"""
    page = head + top + article + aside + comments_html + footer
    # Pages carry a bundle of client-side state; its size brings each page to ~45 KB.
    want = rng.randint(42_000, 48_000)
    teasers = []
    size = len(page.encode("utf-8")) + 120
    k = 0
    while size < want:
        h = rng.choice(src.headlines)
        item = {"id": n * 1000 + k, "title": h, "url": f"https://{host}/{_slug(h)}/", "img": f"https://cdn.{host}/t/{k}.jpg", "section": rng.choice(SECTIONS)}
        size += len(json.dumps(item, ensure_ascii=False).encode("utf-8")) + 1
        teasers.append(item)
        k += 1
    state = json.dumps({"page": {"id": n, "type": "article"}, "teasers": teasers}, ensure_ascii=False)
    page += f"<script>window.__STATE__ = {state};</script>\n<script src=\"https://cdn.{host}/js/app.{n % 89:04x}.js\" defer></script>\n</body>\n</html>\n"
    return url, page


def build_corpora(work: Path, sizes: dict[str, int], seed: int) -> dict[str, Any]:
    """Write the text, HTML and WARC corpora under *work* (reused when already there)."""
    manifest = work / "manifest.json"
    key = {"version": CORPUS_VERSION, "seed": seed, "text": sizes["text"], "html": sizes["html"], "warc": sizes["warc"]}
    if manifest.exists():
        m = json.loads(manifest.read_text())
        if m.get("key") == key:
            print(f"corpora: reusing {work}", file=sys.stderr)
            return m["stats"]
    for d in ("text", "text-small", "html", "warc"):
        shutil.rmtree(work / d, ignore_errors=True)
    src = TextSource(seed)
    stats: dict[str, Any] = {"origin": src.origin, "pool_paragraphs": len(src.paras)}
    t0 = time.perf_counter()

    # 1. plain-text dumps; the small set for the memory test is the first files of the big one.
    rng, seen = random.Random(f"{seed}-text"), set()
    tdir, sdir = work / "text", work / "text-small"
    tdir.mkdir(parents=True)
    sdir.mkdir()
    words = size = 0
    for n in range(1, sizes["text"] + 1):
        art = src.article(rng, seen)
        data = dump_text(n, art, rng, src).encode("utf-8")
        p = tdir / f"article-{n:06d}.txt"
        p.write_bytes(data)
        if n <= sizes["flat_small"]:
            os.link(p, sdir / p.name)
        words += art["words"]
        size += len(data)
    stats["text"] = {"files": sizes["text"], "avg_words": round(words / sizes["text"]), "avg_bytes": round(size / sizes["text"])}
    print(f"corpora: {sizes['text']} text dumps ({time.perf_counter() - t0:.0f}s)", file=sys.stderr)

    # 2. HTML pages; 3. the same kind of pages as HTTP responses in one WARC.gz.
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    css_rng = random.Random(f"{seed}-css")
    css = [_site_css(site, css_rng) for site in SITES]
    hdir, wdir = work / "html", work / "warc"
    hdir.mkdir()
    wdir.mkdir()
    rng, seen = random.Random(f"{seed}-html"), set()
    size = 0
    for n in range(1, sizes["html"] + 1):
        _, page = html_page(n, src.article(rng, seen), rng, src, css)
        data = page.encode("utf-8")
        (hdir / f"page-{n:06d}.html").write_bytes(data)
        size += len(data)
    stats["html"] = {"files": sizes["html"], "avg_bytes": round(size / sizes["html"])}
    print(f"corpora: {sizes['html']} HTML pages ({time.perf_counter() - t0:.0f}s)", file=sys.stderr)

    rng, seen = random.Random(f"{seed}-warc"), set()
    id_rng = random.Random(f"{seed}-warc-ids")
    warc = wdir / "crawl.warc.gz"
    size = 0
    with open(warc, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        info = writer.create_warcinfo_record("crawl.warc.gz", {"software": "polarwatch benchmarks", "format": "WARC File Format 1.0"})
        writer.write_record(info)
        for n in range(1, sizes["warc"] + 1):
            art = src.article(rng, seen)
            url, page = html_page(n, art, rng, src, css)
            data = page.encode("utf-8")
            size += len(data)
            http = StatusAndHeaders(
                "200 OK",
                [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(data))), ("Server", "nginx")],
                protocol="HTTP/1.1",
            )
            rec = writer.create_warc_record(
                url, "response", payload=io.BytesIO(data), http_headers=http,
                warc_headers_dict={"WARC-Date": f"{art['date']}T12:00:00Z", "WARC-Record-ID": f"<urn:uuid:{uuid.UUID(int=id_rng.getrandbits(128), version=4)}>"},
            )  # fmt: skip
            writer.write_record(rec)
    stats["warc"] = {"records": sizes["warc"], "avg_page_bytes": round(size / sizes["warc"]), "file_bytes": warc.stat().st_size}
    print(f"corpora: WARC with {sizes['warc']} responses ({time.perf_counter() - t0:.0f}s)", file=sys.stderr)
    manifest.write_text(json.dumps({"key": key, "stats": stats}, indent=1))
    return stats


# ---------------------------------------------------------------------------
# Workers: each runs in its own process, pinned to core 0
# ---------------------------------------------------------------------------


def _pin() -> list[int] | None:
    try:
        os.sched_setaffinity(0, {0})
        return sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return None


def _cpu_times() -> list[int] | None:
    """The aggregate CPU line of /proc/stat (user nice system idle iowait irq softirq steal ...)."""
    try:
        with open("/proc/stat") as fh:
            return [int(v) for v in fh.readline().split()[1:]]
    except (OSError, ValueError):
        return None


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def _rss_mb() -> float | None:
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def worker_ingest(args: dict[str, Any]) -> dict[str, Any]:
    from polarwatch import lib
    from polarwatch.config import load_settings

    settings = load_settings(db=args["db"])
    base = _rss_mb()
    marks: list[float] = []  # seconds at every 1,000th item read: does throughput hold as the store grows?

    def on_item(report) -> None:  # noqa: ANN001
        if report.read and report.read % 1000 == 0 and len(marks) < report.read // 1000:
            marks.append(round(time.perf_counter() - t0, 2))

    kw = {} if args.get("nlp") is None else {"nlp": args["nlp"]}  # None: the package's default
    t0 = time.perf_counter()
    rep = lib.ingest(args["paths"], settings=settings, on_item=on_item, **kw)
    dt = time.perf_counter() - t0
    return {
        "seconds_at_each_1000": marks,
        "seconds": round(dt, 2), "read": rep.read, "new": rep.new, "duplicate": rep.duplicate, "updated": rep.updated,
        "failed": len(rep.failed), "skipped": len(rep.skipped), "failures": [str(r) for r in rep.failed[:5]],
        "articles_per_s": round(rep.new / dt, 1), "rss_after_import_mb": base, "peak_rss_mb": _peak_mb(),
        "db_mb": round(os.path.getsize(args["db"]) / 2**20, 1),
    }  # fmt: skip


def worker_trafilatura(args: dict[str, Any]) -> dict[str, Any]:
    import trafilatura

    files = sorted(Path(args["folder"]).glob("*.html"))
    base = _rss_mb()
    ok = 0
    t0 = time.perf_counter()
    for f in files:
        html = f.read_bytes().decode("utf-8")
        doc = trafilatura.bare_extraction(html, with_metadata=True)
        if doc is not None and getattr(doc, "text", None):
            ok += 1
    dt = time.perf_counter() - t0
    return {
        "seconds": round(dt, 2), "pages": len(files), "with_text": ok, "pages_per_s": round(len(files) / dt, 1),
        "rss_after_import_mb": base, "peak_rss_mb": _peak_mb(),
    }  # fmt: skip


def _search_doc(i: int, src: TextSource, rng: random.Random, seen: set, domains: list[str]):  # noqa: ANN202
    from polarwatch.records import RawDoc, Source

    art = src.article(rng, seen)
    url = f"https://{domains[i % len(domains)]}/bench/{art['date'][:4]}/{i}"
    text = dump_text(i, art, rng, src)
    lines = text.split("\n")
    return RawDoc(
        source=Source(f"bench://search/{i:06d}"), format="text", raw=text, title=lines[1],
        paragraphs=[ln for ln in lines[2:] if ln], url=url, published=art["date"],
    )  # fmt: skip


def worker_search_build(args: dict[str, Any]) -> dict[str, Any]:
    from polarwatch import outlets
    from polarwatch.pipeline import to_article
    from polarwatch.records import Rejected
    from polarwatch.store import SQLiteStore

    n, db = args["n"], args["db"]
    src = TextSource(args["seed"])
    # Outlets with a country, round-robin, so a country filter has work to do.
    domains = [e.domains[0] for e in outlets.registry() if e.country]
    rng, seen = random.Random(f"{args['seed']}-search"), set()
    store = SQLiteStore(db)
    t_clean = t_store = 0.0
    stored = 0
    batch = []
    t0 = time.perf_counter()
    for i in range(1, n + 1):
        doc = _search_doc(i, src, rng, seen, domains)
        a = time.perf_counter()
        art = to_article(doc)
        t_clean += time.perf_counter() - a
        if isinstance(art, Rejected):
            continue
        batch.append(art)
        if len(batch) >= 1000 or i == n:
            a = time.perf_counter()
            stored += sum(s == "new" for s in store.put_articles(batch))
            t_store += time.perf_counter() - a
            batch.clear()
            if i % 10_000 == 0:
                print(f"search store: {i:,}/{n:,}", file=sys.stderr)
    a = time.perf_counter()
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    t_store += time.perf_counter() - a
    dt = time.perf_counter() - t0
    return {
        "articles": stored, "seconds": round(dt, 1), "to_article_s": round(t_clean, 1), "put_articles_s": round(t_store, 1),
        "to_article_per_s": round(n / t_clean, 1), "put_articles_per_s": round(stored / t_store, 1),
        "db_mb": round(os.path.getsize(db) / 2**20, 1), "peak_rss_mb": _peak_mb(),
    }  # fmt: skip


_STOP = set(
    "the a an and or but of to in on at by for with from as is are was were be been being it its this that these those "
    "he she they we you i his her their our your who whom which what when where why how not no yes than then there here "
    "also said says would could should will can may might has have had do does did about after before over under into "
    "more most other some such only just very all any each both one two three first last new year years people time "
    # Frequent but not something anyone searches news for on its own.
    "like during following according however while since because many much well still including made make told being "
    "held added later several another around against between through without within among whether where those".split()
)


def make_queries(store_db: sqlite3.Connection, n_articles: int, total: int, seed: int) -> list[dict[str, Any]]:
    """~total queries in 4 kinds x (no filter, country filter), words chosen by their real document frequency."""
    rng = random.Random(f"{seed}-queries")
    store_db.execute("CREATE VIRTUAL TABLE temp.bench_vocab USING fts5vocab(main, 'articles_fts', 'row')")
    vocab = [(t, d) for t, d in store_db.execute("SELECT term, doc FROM temp.bench_vocab") if t.isalpha() and t not in _STOP]
    df = dict(vocab)
    common = sorted((v for v in vocab if len(v[0]) >= 4), key=lambda v: -v[1])[:80]
    rare_cut = max(2, n_articles // 200)  # in at most 0.5% of articles
    rare = [v for v in vocab if len(v[0]) >= 5 and v[1] <= rare_cut]
    countries = [r[0] for r in store_db.execute(
        "SELECT outlet_country FROM articles WHERE outlet_country IS NOT NULL GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 8"
    )]  # fmt: skip
    # Sample bodies to draw two-word queries and phrases from (every k-th article: deterministic).
    bodies = [r[0] for r in store_db.execute("SELECT body FROM articles WHERE rowid % ? = 0 LIMIT 400", (max(1, n_articles // 400),))]
    per = max(1, total // 8)
    out: list[dict[str, Any]] = []

    def two_words() -> str:
        while True:
            ws = [w for w in re.findall(r"[A-Za-z]+", rng.choice(bodies)) if len(w) >= 5 and w.lower() not in _STOP and w.lower() in df]
            ws = list(dict.fromkeys(w.lower() for w in ws))
            if len(ws) >= 2:
                a, b = rng.sample(ws, 2)
                return f"{a} {b}"

    def phrase() -> str:
        while True:
            sent = rng.choice(re.split(r"(?<=[.!?])\s+", rng.choice(bodies)))
            ws = re.findall(r"\w+", sent)  # the tokens FTS5 sees, so the phrase is adjacent there too
            k = rng.choice((2, 3))
            if len(ws) <= k:
                continue
            i = rng.randrange(len(ws) - k)
            seq = ws[i : i + k]
            if not all(w.isalpha() and len(w) > 1 for w in seq) or seq[0].lower() in _STOP or seq[-1].lower() in _STOP:
                continue
            return '"' + " ".join(seq) + '"'

    kinds = {
        "common word": lambda: rng.choice(common)[0],
        "rare word": lambda: rng.choice(rare)[0],
        "two words": two_words,
        "phrase": phrase,
    }
    for kind, gen in kinds.items():
        for filtered in (False, True):
            for _ in range(per):
                out.append({"kind": kind, "query": gen(), "country": rng.choice(countries) if filtered else None})
    rng.shuffle(out)
    info = {
        "common_df_range": [min(d for _, d in common), max(d for _, d in common)],
        "rare_df_max": rare_cut, "rare_candidates": len(rare), "countries": countries,
    }  # fmt: skip
    return [{"_info": info}, *out]


def worker_search(args: dict[str, Any]) -> dict[str, Any]:
    from polarwatch.store import ArticleFilter, SQLiteStore

    store = SQLiteStore(args["db"])
    n = store.count()
    qs = make_queries(store.db, n, args["queries"], args["seed"])
    info, qs = qs[0]["_info"], qs[1:]
    # First query on a freshly opened store, then a short warm-up that is not counted.
    a = time.perf_counter()
    store.search("ice", limit=20)
    first_ms = (time.perf_counter() - a) * 1000
    for w in ("government", "minister", "shipping", "climate", "police"):
        store.search(w, limit=20)
    rows = []
    for q in qs:
        flt = ArticleFilter(country=q["country"])
        a = time.perf_counter()
        hits = store.search(q["query"], flt, limit=20)
        ms = (time.perf_counter() - a) * 1000
        rows.append({**q, "ms": round(ms, 2), "hits": len(hits)})
    store.close()

    def summary(ms: list[float]) -> dict[str, float]:
        ms = sorted(ms)
        return {
            "n": len(ms), "p50_ms": round(statistics.median(ms), 2),
            "p95_ms": round(ms[min(len(ms) - 1, max(0, round(0.95 * len(ms)) - 1))], 2), "max_ms": round(ms[-1], 2),
        }  # fmt: skip

    by_kind = {}
    for kind in dict.fromkeys(r["kind"] for r in rows):
        for filtered in (False, True):
            sel = [r["ms"] for r in rows if r["kind"] == kind and bool(r["country"]) == filtered]
            by_kind[f"{kind}{' + country' if filtered else ''}"] = summary(sel)
    slowest = sorted(rows, key=lambda r: -r["ms"])[:10]
    return {
        "articles": n, "queries": len(rows), **summary([r["ms"] for r in rows]), "first_query_ms": round(first_ms, 2),
        "by_kind": by_kind, "zero_hit_queries": sum(r["hits"] == 0 for r in rows), "slowest": slowest,
        "query_set": info, "peak_rss_mb": _peak_mb(), "all": rows,
    }  # fmt: skip


def worker_probe(args: dict[str, Any]) -> dict[str, Any]:
    """What the measured package offers: can extraction (the NLP stage) be switched off?"""
    import inspect

    from polarwatch import lib

    return {"ingest_has_nlp_switch": "nlp" in inspect.signature(lib.ingest).parameters}


WORKERS = {
    "probe": worker_probe,
    "ingest": worker_ingest,
    "trafilatura": worker_trafilatura,
    "search_build": worker_search_build,
    "search": worker_search,
}
_MARK = "@@bench-result@@ "
# Result-key suffix and table label of each ingest variant.
VARIANT_KEYS = [("", ""), ("_no_nlp", " (extraction off)")]
# Set by main(): a copy of the package taken at the start, which every worker imports,
# and where to keep the results so far.
_SNAPSHOT: Path | None = None
_PARTIAL: tuple[Path, dict[str, Any]] | None = None


def run_worker(name: str, args: dict[str, Any], profile_to: Path | None = None) -> dict[str, Any]:
    """Run one worker in a fresh interpreter and return its result."""
    if _PARTIAL is not None:  # what is done so far survives an interrupted run
        _PARTIAL[0].write_text(json.dumps(_PARTIAL[1], indent=1, ensure_ascii=False) + "\n")
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", name, "--worker-args", json.dumps(args)]
    if profile_to:
        cmd += ["--profile-to", str(profile_to)]
    env = dict(os.environ)
    if _SNAPSHOT is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_SNAPSHOT), env.get("PYTHONPATH")]))
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark worker {name} failed (exit {proc.returncode})")
    line = next(ln for ln in reversed(proc.stdout.splitlines()) if ln.startswith(_MARK))
    res = json.loads(line[len(_MARK) :])
    res["wall_s"] = round(time.perf_counter() - t0, 1)
    return res


def worker_main(name: str, args_json: str, profile_to: str | None) -> None:
    cores = _pin()
    src = src_fingerprint()  # before the worker imports the package's modules
    args = json.loads(args_json)
    if profile_to:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        res = prof.runcall(WORKERS[name], args)
        with open(profile_to, "w") as fh:
            st = pstats.Stats(prof, stream=fh).strip_dirs()
            st.sort_stats("cumulative").print_stats(45)
            st.sort_stats("tottime").print_stats(30)
    else:
        load0, cpu0 = os.getloadavg()[0], _cpu_times()
        res = WORKERS[name](args)
        res["loadavg_1min_before_after"] = [round(load0, 2), round(os.getloadavg()[0], 2)]
        # Signs of a busy machine: CPU time the hypervisor took (steal), and how often
        # this process was pushed off its core.
        cpu1 = _cpu_times()
        if cpu0 and cpu1:
            total = sum(cpu1) - sum(cpu0)
            res["steal_pct"] = round(100 * (cpu1[7] - cpu0[7]) / total, 2) if total and len(cpu1) > 7 else None
        res["involuntary_context_switches"] = resource.getrusage(resource.RUSAGE_SELF).ru_nivcsw
    res["cores"] = cores
    res["src_sha256"] = src
    print(_MARK + json.dumps(res), flush=True)


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


def src_fingerprint() -> str:
    """A hash of the package source, so a result names the code it measured."""
    from importlib.util import find_spec

    spec = find_spec("polarwatch")  # locates the package without importing it
    if spec is None or not spec.origin:
        return "unknown"
    return _fingerprint_dir(Path(spec.origin).resolve().parent)


def _fingerprint_dir(root: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(root.rglob("*")):
        if f.is_file() and f.suffix in (".py", ".sql", ".csv", ".toml"):
            h.update(str(f.relative_to(root)).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = None
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal:"):
                mem = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    os_name = platform.platform()
    try:
        for line in open("/etc/os-release"):
            if line.startswith("PRETTY_NAME="):
                os_name = f"{line.split('=', 1)[1].strip().strip(chr(34))} ({platform.system()} {platform.release()})"
    except OSError:
        pass
    vers = {}
    for mod in ("polarwatch", "trafilatura", "lxml", "warcio"):
        try:
            from importlib.metadata import version

            vers[mod] = version(mod)
        except Exception:  # noqa: BLE001
            vers[mod] = None
    return {
        "cpu": cpu, "cores": os.cpu_count(), "ram_gib": mem, "os": os_name, "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version, "packages": vers,
    }  # fmt: skip


def table(res: dict[str, Any]) -> str:
    r = res["results"]
    rows: list[tuple[str, str, str, str]] = []

    def ok(good: bool | None) -> str:
        return "-" if good is None else ("yes" if good else "NO")

    # With both variants measured, say which one is the package's default.
    VARIANT_KEYS = [(k, " (default)" if not k and res.get("ingest_has_nlp_switch") else v) for k, v in globals()["VARIANT_KEYS"]]

    for key, label in VARIANT_KEYS:
        if f"text{key}" in r:
            t = r[f"text{key}"]
            rows.append((f"text ingest{label}, {t['new']:,} articles", f"{t['articles_per_s']:.1f} articles/s", "≥ 300/s", ok(t["articles_per_s"] >= TARGETS["text_articles_per_s"])))
            rows.append((f"text ingest{label}, peak RSS", f"{t['peak_rss_mb']:.0f} MB", "", "-"))
    if "html" in r:
        h = r["html"]
        rows.append(("trafilatura alone, same pages", f"{h['trafilatura']['pages_per_s']:.1f} pages/s", "", "-"))
        for key, label in VARIANT_KEYS:
            if f"polarwatch{key}" not in h:
                continue
            pw = h[f"polarwatch{key}"]
            n = h.get(f"runs{key}", 1)
            best = f", best of {n}" if n > 1 else ""
            rows.append((f"HTML ingest{label}, {pw['new']:,} pages", f"{pw['articles_per_s']:.1f} articles/s", "", "-"))
            rows.append((f"HTML time ratio{label} polarwatch / trafilatura{best}", f"{h[f'ratio{key}']:.2f}", "≤ 1.3", ok(h[f"ratio{key}"] <= TARGETS["html_ratio"])))
            rows.append((f"HTML ingest{label}, peak RSS", f"{pw['peak_rss_mb']:.0f} MB", "", "-"))
    for key, label in VARIANT_KEYS:
        if f"warc{key}" in r:
            w = r[f"warc{key}"]
            rows.append((f"WARC ingest{label}, {w['new']:,} records", f"{w['articles_per_s']:.1f} articles/s", "", "-"))
            rows.append((f"WARC ingest{label}, peak RSS", f"{w['peak_rss_mb']:.0f} MB", "", "-"))
    if "memory" in r:
        m = r["memory"]
        label = dict(VARIANT_KEYS).get("" if m.get("variant", "default") == "default" else m["variant"], "")
        rows.append((f"peak RSS{label} {m['small_n']:,} / {m['large_n']:,} text articles", f"{m['small_peak_mb']:.0f} / {m['large_peak_mb']:.0f} MB", "about equal", ok(m["flat"])))
    if "search" in r:
        s = r["search"]
        rows.append((f"search, {s['queries']} queries over {s['articles']:,} articles", f"p50 {s['p50_ms']:.1f} / p95 {s['p95_ms']:.1f} / max {s['max_ms']:.1f} ms", "p95 < 50 ms", ok(s["p95_ms"] < TARGETS["search_p95_ms"])))
    w0 = max(len(x[0]) for x in rows)
    w1 = max(len(x[1]) for x in rows)
    w2 = max(len(x[2]) for x in rows)
    lines = [f"{'measure':<{w0}}  {'result':<{w1}}  {'target':<{w2}}  met"]
    lines.append("-" * len(lines[0]))
    lines += [f"{a:<{w0}}  {b:<{w1}}  {c:<{w2}}  {d}" for a, b, c, d in rows]
    if "search" in r:
        lines.append("")
        lines.append("search latency by query kind (ms):")
        for kind, v in r["search"]["by_kind"].items():
            lines.append(f"  {kind:<24} n={v['n']:<3} p50 {v['p50_ms']:>7.2f}  p95 {v['p95_ms']:>7.2f}  max {v['max_ms']:>7.2f}")
    return "\n".join(lines)


def _short(path: str) -> str:
    """A path relative to the working folder when it is inside it (.venv/bin/python)."""
    rel = os.path.relpath(os.path.abspath(path))
    return path if rel.startswith("..") else rel


def _collect_src(obj: Any, seen: set[str]) -> None:
    if isinstance(obj, dict):
        if isinstance(obj.get("src_sha256"), str):
            seen.add(obj["src_sha256"])
        for v in obj.values():
            _collect_src(v, seen)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small counts, for development (not for the documented figures)")
    ap.add_argument("--out", default=str(HERE / "out"), help="JSON file, or folder for ingest.json (default benchmarks/out)")
    ap.add_argument("--work", help="folder for corpora and databases, kept and reused (default: a temp folder, removed)")
    ap.add_argument("--only", help="comma-separated subset of: text,html,warc,memory,search")
    ap.add_argument("--profile", action="store_true", help="also write a cProfile summary per mode next to the JSON")
    ap.add_argument("--no-snapshot", action="store_true", help="measure the live src/ tree instead of a copy taken at start")
    ap.add_argument("--repeat", type=int, help="HTML vs trafilatura runs, alternated; best of each is compared (default 2, 1 with --quick)")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--nlp", choices=("both", "off"), default="both",
                    help="measure ingest with the package default (extraction on) and without it, or only without")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--worker-args", help=argparse.SUPPRESS)
    ap.add_argument("--profile-to", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        worker_main(a.worker, a.worker_args, a.profile_to)
        return
    # A terminated run stops its worker and removes its temp folder, like Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    out = Path(a.out)
    if out.suffix != ".json":
        out = out / ("ingest-quick.json" if a.quick else "ingest.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    sizes = QUICK if a.quick else FULL
    a.repeat = a.repeat or (1 if a.quick else 2)
    modes = a.only.split(",") if a.only else ["text", "html", "warc", "memory", "search"]
    work = Path(a.work) if a.work else Path(tempfile.mkdtemp(prefix="polarwatch-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    live_src = src_fingerprint()
    if not a.no_snapshot:
        # Others edit src/ while this runs: measure one consistent copy of the package.
        global _SNAPSHOT
        from importlib.util import find_spec

        pkg = Path(find_spec("polarwatch").origin).resolve().parent  # type: ignore[union-attr,arg-type]
        _SNAPSHOT = work / "snapshot"
        shutil.rmtree(_SNAPSHOT, ignore_errors=True)
        shutil.copytree(pkg, _SNAPSHOT / "polarwatch", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    prof = (lambda m: out.parent / f"profile-{m}.txt") if a.profile else (lambda m: None)
    started = datetime.now(timezone.utc)
    res: dict[str, Any] = {
        "date": started.isoformat(timespec="seconds"),
        "command": " ".join([_short(sys.executable), *sys.argv]),
        "quick": a.quick, "seed": a.seed, "sizes": sizes, "machine": machine(), "pinned_to_core": 0,
        "measured_src_sha256": live_src if a.no_snapshot else _fingerprint_dir(_SNAPSHOT / "polarwatch"),  # type: ignore[operator]
        "snapshot": not a.no_snapshot, "live_src_sha256_at_start": live_src, "results": {},
    }  # fmt: skip
    r = res["results"]
    global _PARTIAL
    _PARTIAL = (out.with_suffix(".partial.json"), res)
    try:
        if set(modes) & {"text", "html", "warc", "memory"}:
            res["corpora"] = build_corpora(work, sizes, a.seed)

        def fresh_db(name: str) -> str:
            for ext in ("", "-wal", "-shm"):
                Path(f"{work / name}{ext}").unlink(missing_ok=True)
            return str(work / name)

        # The package's default ingest is always measured. When it can switch extraction (the
        # NLP stage) off, ingest without it is measured too, so the two costs can be told apart.
        probe = run_worker("probe", {})
        res["ingest_has_nlp_switch"] = probe["ingest_has_nlp_switch"]
        variants = [("", None)] + ([("_no_nlp", False)] if probe["ingest_has_nlp_switch"] else [])
        if a.nlp == "off" and probe["ingest_has_nlp_switch"]:
            variants = [("_no_nlp", False)]  # the ingest stages alone (issue 2's figures); NLP has its own benchmark

        def ingest_run(kind: str, key: str, nlp: bool | None, profile: bool = True) -> dict[str, Any]:
            print(f"running: {kind} ingest{dict(VARIANT_KEYS)[key]}", file=sys.stderr)
            folder = work / ("text" if kind == "text" else kind)
            args = {"paths": [str(folder)], "db": fresh_db(f"{kind}{key}.db"), "nlp": nlp}
            return run_worker("ingest", args, prof(f"{kind}{key}") if profile else None)

        if "text" in modes or "memory" in modes:
            for key, nlp in variants:
                r[f"text{key}"] = ingest_run("text", key, nlp)
        if "html" in modes:
            # trafilatura and polarwatch alternate; with a.repeat > 1 the best run of each is
            # compared, since on a shared machine one pair moves with whatever else runs. An
            # ingest variant that is many times slower than trafilatura runs once.
            h: dict[str, Any] = {}
            trs: list[dict[str, Any]] = []
            pws: dict[str, list[dict[str, Any]]] = {key: [] for key, _ in variants}
            for i in range(a.repeat):
                print(f"running: trafilatura alone ({i + 1}/{a.repeat})", file=sys.stderr)
                trs.append(run_worker("trafilatura", {"folder": str(work / "html")}, prof("trafilatura") if i == 0 else None))
                for key, nlp in variants:
                    if i > 0 and pws[key][0]["seconds"] > 3 * trs[0]["seconds"]:
                        continue
                    pws[key].append(ingest_run("html", key, nlp, profile=i == 0))
            tr = min(trs, key=lambda x: x["seconds"])
            h["trafilatura"] = tr
            h["trafilatura_seconds_all"] = [x["seconds"] for x in trs]
            for key, _ in variants:
                pw = min(pws[key], key=lambda x: x["seconds"])
                h[f"polarwatch{key}"] = pw
                h[f"ratio{key}"] = round(pw["seconds"] / tr["seconds"], 3)
                h[f"runs{key}"] = len(pws[key])
                h[f"polarwatch{key}_seconds_all"] = [x["seconds"] for x in pws[key]]
                h[f"ratio{key}_per_pair"] = [round(p["seconds"] / t["seconds"], 3) for p, t in zip(pws[key], trs)]
            r["html"] = h
        if "warc" in modes:
            for key, nlp in variants:
                r[f"warc{key}"] = ingest_run("warc", key, nlp)
        if "memory" in modes:
            # Against the first text variant measured (the package default, or extraction off with --nlp off).
            key, nlp = variants[0]
            print(f"running: text ingest{dict(VARIANT_KEYS)[key]}, small set", file=sys.stderr)
            small = run_worker("ingest", {"paths": [str(work / "text-small")], "db": fresh_db("text-small.db"), "nlp": nlp})
            big = r[f"text{key}"]
            growth = big["peak_rss_mb"] - small["peak_rss_mb"]
            r["memory"] = {
                "variant": key or "default",
                "small_n": small["new"], "small_peak_mb": small["peak_rss_mb"], "large_n": big["new"],
                "large_peak_mb": big["peak_rss_mb"], "growth_mb": round(growth, 1),
                "growth_pct": round(100 * growth / small["peak_rss_mb"], 1),
                # "About the same": within 10% (or 10 MB) of the small run's peak.
                "flat": growth <= max(10.0, 0.10 * small["peak_rss_mb"]), "small_run": small,
            }  # fmt: skip
        if "search" in modes:
            n = sizes["search"]
            db = work / f"search-{n}.db"
            stamp = work / f"search-{n}.json"
            build = json.loads(stamp.read_text()) if stamp.exists() and db.exists() else None
            fresh = {"seed": a.seed, "version": CORPUS_VERSION, "src": res["measured_src_sha256"]}
            if not build or any(build.get(k) != v for k, v in fresh.items()):
                print(f"building: search store of {n:,} articles", file=sys.stderr)
                build = run_worker("search_build", {"n": n, "db": fresh_db(db.name), "seed": a.seed})
                build.update(fresh)
                stamp.write_text(json.dumps(build))
            print("running: search latency", file=sys.stderr)
            s = run_worker("search", {"db": str(db), "queries": sizes["queries"], "seed": a.seed}, prof("search"))
            s["build"] = build
            r["search"] = s
    finally:
        if not a.work:
            shutil.rmtree(work, ignore_errors=True)
    res["duration_s"] = round((datetime.now(timezone.utc) - started).total_seconds())
    seen = {res["measured_src_sha256"]}
    _collect_src(res["results"], seen)
    res["mixed_src"] = len(seen) > 1
    res["live_src_sha256_at_end"] = src_fingerprint()
    print()
    print(table(res))
    print(f"\npolarwatch source measured: {res['measured_src_sha256']}" + (" (snapshot taken at start)" if res["snapshot"] else ""))
    if res["live_src_sha256_at_end"] != live_src:
        print("note: src/polarwatch changed while the benchmark ran" + ("; the snapshot was measured" if res["snapshot"] else ""))
    if res["mixed_src"]:
        print("WARNING: modes measured different versions of the package (run without --no-snapshot).")
    out.write_text(json.dumps(res, indent=1, ensure_ascii=False) + "\n")
    _PARTIAL[0].unlink(missing_ok=True)
    print(f"\nresults: {out}")


if __name__ == "__main__":
    main()
