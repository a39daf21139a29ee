"""Reference annotations for ``polarwatch eval``: two on-disk formats, one typed structure.

* **seeds format** -- a folder of article files (any format the readers accept)
  and a ``gold.json`` naming each file and its quotes and entities
  (``../shared/corpus/seeds``, ``tests/gold/quotes``).
* **PolNeAR format** -- brat standoff: ``text/NAME.txt`` and
  ``attributions/NAME_<annotator>.ann`` (``../shared/corpus/polnear-dev``).
* **offsets format** -- a ``gold.json`` with a ``corpus`` field: the articles are
  rows of CSV files in ``../shared/corpus`` (found by URL, pinned by the sha256 of
  their text) and every quote is character offsets into them, so the folder holds
  no one else's text (``tests/gold/wikinews``).

:func:`load_gold` tells them apart and returns a list of :class:`GoldArticle`.
Everything here is plain data: no NLP, no store. See ``docs/eval.md``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "GoldArticle",
    "GoldEntity",
    "GoldError",
    "GoldQuote",
    "article_text",
    "detect_format",
    "is_direct",
    "load_gold",
    "load_offsets_gold",
    "load_polnear_gold",
    "load_seeds_gold",
    "parse_ann",
    "quoted_segments",
    "shared_corpus_dir",
    "source_head",
    "split_content",
]

GOLD_FILE = "gold.json"
TEXT_SOURCE_READER = "reader"  # read the file with polarwatch's readers (title line, header...)
TEXT_SOURCE_PLAIN = "plain"  # raw text, no dump header; its first line is the headline: see article_text()
TEXT_SOURCE_CSV_ROW = "csv-row"  # the row of the CSV file ``path`` whose url is the article's key

# Marks that open or close a quotation (straight, curly, NYT-style '' doubles, guillemets).
QUOTE_MARKS = "\"'“”‘’„‟«»‹›"


class GoldError(ValueError):
    """A gold folder or file that cannot be read; the message names the file."""


@dataclass(slots=True)
class GoldQuote:
    """One reference quote: its content and the speaker it belongs to."""

    kind: str  # "direct" or "indirect"
    text: str
    speaker: str | None  # canonical speaker (seeds) or the Source span's text (PolNeAR); None: no source
    speaker_mention: str | None = None  # the noun phrase the cue attaches to, as written
    cue: str | None = None
    aliases_of_speaker: list[str] = field(default_factory=list)
    speaker_type: str | None = None  # "person", "country", "organization"... when the gold says so
    speaker_is_span: bool = False  # the speaker is the source mention as written (PolNeAR: no coreference)


@dataclass(slots=True)
class GoldEntity:
    """One reference entity with the other names the article uses for it."""

    name: str
    type: str
    aliases: list[str] = field(default_factory=list)
    code: str | None = None  # ISO code of a country, when given


@dataclass(slots=True)
class GoldArticle:
    """One annotated article.

    ``text_source`` says how to get its text: ``"reader"`` -- read ``path`` with
    :func:`polarwatch.ingest.read_paths` like any input; ``"plain"`` -- the raw
    text of ``path`` is the article, with no dump header, its first line the headline (use :func:`article_text`);
    ``"csv-row"`` -- read the CSV file ``path`` with the readers and take the row whose url is ``key``.
    """

    key: str  # the file name as gold.json names it, or the PolNeAR article name
    path: str
    text_source: str
    quotes: list[GoldQuote] = field(default_factory=list)
    entities: list[GoldEntity] = field(default_factory=list)
    annotator: str | None = None  # PolNeAR: the annotator whose .ann file was used


# --- entry points --------------------------------------------------------------


def detect_format(folder: str | Path) -> str:
    """``"seeds"`` (a gold.json), ``"offsets"`` (a gold.json with a ``corpus`` field),
    ``"polnear"`` (text/ and attributions/), else :class:`GoldError`."""
    d = Path(folder)
    if not d.is_dir():
        raise GoldError(f"{d}: no such gold folder")
    if (d / GOLD_FILE).is_file():
        return "offsets" if "corpus" in _read_gold_json(d / GOLD_FILE) else "seeds"
    if (d / "text").is_dir() and (d / "attributions").is_dir():
        return "polnear"
    raise GoldError(f"{d}: not a gold folder (expected {GOLD_FILE}, or text/ and attributions/ for PolNeAR)")


def load_gold(folder: str | Path) -> list[GoldArticle]:
    """All annotated articles of a gold folder, in either format, sorted by key."""
    fmt = detect_format(folder)
    if fmt == "offsets":
        return load_offsets_gold(folder)
    return load_seeds_gold(folder) if fmt == "seeds" else load_polnear_gold(folder)


def article_text(article: GoldArticle) -> tuple[str, str]:
    """``(text, path)`` of a gold article's file, decoded as UTF-8.

    For PolNeAR (``text_source == "plain"``) this text *is* the article: its
    first line is the headline, which ``evaluate.run._article`` makes the
    Article's title (so headline quotes are read as in ingested news), the
    rest one paragraph per line or blank-line block
    (``polarwatch.ingest.text.split_paragraphs``). Gold offsets are
    offsets into this raw text, not into ``Article.body``; scoring matches on
    text, never on offsets.
    """
    p = Path(article.path)
    try:
        return p.read_text("utf-8"), str(p)
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldError(f"{p}: cannot read article text: {exc}") from exc


# --- seeds format ----------------------------------------------------------------


def _str_list(v: object, where: str) -> list[str]:
    if v is None:
        return []
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise GoldError(f"{where}: expected a list of strings")
    return list(v)


def _opt_str(v: object, where: str) -> str | None:
    if v is None or isinstance(v, str):
        return v
    raise GoldError(f"{where}: expected a string or null")


def _entity(e: object, where: str) -> GoldEntity:
    if not isinstance(e, dict) or not isinstance(e.get("name"), str) or not isinstance(e.get("type"), str):
        raise GoldError(f"{where}: an entity needs a string 'name' and 'type'")
    return GoldEntity(
        name=e["name"],
        type=e["type"],
        aliases=_str_list(e.get("aliases"), f"{where} aliases"),
        code=_opt_str(e.get("code"), f"{where} code"),
    )


def _quote(q: object, where: str, by_name: dict[str, GoldEntity]) -> GoldQuote:
    if not isinstance(q, dict):
        raise GoldError(f"{where}: a quote must be an object")
    kind = q.get("kind")
    if kind not in ("direct", "indirect"):
        raise GoldError(f"{where}: 'kind' must be 'direct' or 'indirect', not {kind!r}")
    text = q.get("text")
    if not isinstance(text, str) or not text.strip():
        raise GoldError(f"{where}: 'text' must be a non-empty string")
    speaker = _opt_str(q.get("speaker"), f"{where} speaker")
    ent = by_name.get(speaker) if speaker is not None else None
    return GoldQuote(
        kind=kind,
        text=text,
        speaker=speaker,
        speaker_mention=_opt_str(q.get("speaker_mention"), f"{where} speaker_mention"),
        cue=_opt_str(q.get("cue"), f"{where} cue"),
        aliases_of_speaker=list(ent.aliases) if ent else [],
        speaker_type=ent.type if ent else None,
    )


def _read_gold_json(gpath: Path) -> dict:
    try:
        data = json.loads(gpath.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise GoldError(f"{gpath}: no such file") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GoldError(f"{gpath}: cannot read: {exc}") from exc
    if not isinstance(data, dict):
        raise GoldError(f"{gpath}: expected an object with an 'articles' object")
    return data


def load_seeds_gold(folder: str | Path) -> list[GoldArticle]:
    """Articles of a seeds-style folder (``gold.json`` beside the article files)."""
    d = Path(folder)
    gpath = d / GOLD_FILE
    data = _read_gold_json(gpath)
    arts = data.get("articles")
    if not isinstance(arts, dict):
        raise GoldError(f"{gpath}: expected an object with an 'articles' object")
    out: list[GoldArticle] = []
    for key in sorted(arts):
        a = arts[key]
        where = f"{gpath} articles[{key!r}]"
        if not isinstance(a, dict):
            raise GoldError(f"{where}: must be an object")
        path = d / key
        if not path.is_file():
            raise GoldError(f"{where}: the article file {path} does not exist")
        ents_raw = a.get("entities") or []
        quotes_raw = a.get("quotes") or []
        if not isinstance(ents_raw, list) or not isinstance(quotes_raw, list):
            raise GoldError(f"{where}: 'quotes' and 'entities' must be lists")
        entities = [_entity(e, f"{where} entities[{i}]") for i, e in enumerate(ents_raw)]
        by_name: dict[str, GoldEntity] = {}
        for e in entities:
            by_name.setdefault(e.name, e)
        quotes = [_quote(q, f"{where} quotes[{i}]", by_name) for i, q in enumerate(quotes_raw)]
        out.append(GoldArticle(key=key, path=str(path), text_source=TEXT_SOURCE_READER, quotes=quotes, entities=entities))
    return out


# --- PolNeAR (brat standoff) -------------------------------------------------------

_ANN_NAME = re.compile(r"^(?P<name>.+)_(?P<annotator>[0-9A-Za-z]+)\.ann$")
_ROLE = re.compile(r"^(Source|Cue|Content)\d*$")


@dataclass(slots=True)
class _Span:
    label: str
    spans: list[tuple[int, int]]
    text: str


_DOUBLE_OPEN = {"“": "”", '"': '"', "„": "”", "«": "»", "``": "''", "''": "''"}
_SINGLE_OPEN = {"‘": "’", "'": "'", "‹": "›"}
# Words a reporter puts between the quoted pieces of one quotation: 'said that “…”', '“…” and “…”'.
_GLUE = frozenset({"that", "and", "but", "or", "then"})


def _mark_at(text: str, i: int, table: dict[str, str]) -> str | None:
    for m in sorted(table, key=len, reverse=True):
        if text.startswith(m, i):
            return m
    return None


def _opens_single(text: str, i: int) -> bool:
    """A single mark that opens a quotation, not an apostrophe ("’90s", "don’t")."""
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return not before.isalnum() and after.isalnum()


def _closes_single(text: str, i: int, close: str) -> bool:
    after = text[i + 1] if i + 1 < len(text) else " "
    return text[i] == close and i > 0 and not text[i - 1].isspace() and not after.isalnum()


def quoted_segments(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each quotation in *text*, marks included, at the outer level only.

    Double marks (curly, straight, NYT ``''`` doubles, guillemets) and, outside
    them, single marks that open before a word and close after one (headline
    style ``It’s ‘in Their Heads.’``; apostrophes are not marks). A quotation
    never crosses a line break (one per paragraph, as the project's own gold
    annotates multi-paragraph quotes), an unclosed one runs to the end of its
    line, and a closing mark with no opener before it closes a quotation that
    began before the annotated span.
    """
    out: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        m = _mark_at(text, i, _DOUBLE_OPEN)
        if m is None and text[i] in "”»":
            m = text[i]
        if m and m in "”»'\"" and not out and text[:i].strip():
            after = text[i + len(m)] if i + len(m) < n else " "
            if not text[i - 1].isspace() and not after.isalnum():
                out.append((0, i + len(m)))  # a closer with no opener: the span began inside a quotation
                i += len(m)
                continue
        single = m is None and text[i] in _SINGLE_OPEN and _opens_single(text, i)
        if m is None and not single:
            i += 1
            continue
        close = (_DOUBLE_OPEN.get(m) or "”") if m else _SINGLE_OPEN[text[i]]  # a stray ” opening a span closes with ”
        start, j, end = i, i + (len(m) if m else 1), None
        while j < n and text[j] != "\n":
            if m and text.startswith(close, j) and (close != '"' or j + 1 >= n or not text[j + 1].isalnum()):
                end = j + len(close)
                break
            if m and close == "”" and text.startswith("“", j):
                break  # a new opening mark: the previous quotation was left open
            if not m and _closes_single(text, j, close):
                end = j + 1
                break
            j += 1
        if end is None:  # unclosed: to the end of the line
            end = j
            while end > start and text[end - 1].isspace():
                end -= 1
        if re.search(r"\w", text[start:end]):
            out.append((start, end))
        i = max(end, i + 1)
    return out


def split_content(content: str) -> list[tuple[str, str]]:
    """A PolNeAR content span as ``(kind, text)`` quotes, in the project's gold conventions.

    PolNeAR has no direct/indirect label, joins the pieces of a split quotation
    into one content span and annotates a reported clause with a quoted fragment
    as one span. Our gold (tests/gold/quotes, README) annotates one direct quote
    per quoted span and paragraph, and a mixed quote twice: the clause as
    indirect and each fragment as direct. So:

    * no quotation in the content: one ``indirect`` quote, the whole content;
    * nothing but quotations (and at most a leading "that" or words joining
      them, "and", "but"): one ``direct`` quote per quotation;
    * a reported clause with quoted fragments: the whole content ``indirect``,
      and each fragment ``direct``.
    """
    segs = quoted_segments(content)
    if not segs:
        return [("indirect", content)] if content.strip() else []
    direct = [("direct", content[a:b]) for a, b in segs if re.search(r"\w", content[a:b])]
    rest, pos = [], 0
    for a, b in segs:
        rest.append(content[pos:a])
        pos = b
    rest.append(content[pos:])
    outside = re.findall(r"\w+", " ".join(rest).casefold())
    if all(w in _GLUE for w in outside) and len(outside) <= 2:
        return direct
    return [("indirect", content), *direct]


def is_direct(content: str) -> bool:
    """Whether a content span is a quotation through and through (see :func:`split_content`)."""
    parts = split_content(content)
    return bool(parts) and all(k == "direct" for k, _ in parts)


def parse_ann(text: str, where: str = "") -> list[dict[str, list[_Span]]]:
    """The attributions of one brat ``.ann`` file, in file order.

    Each attribution is ``{"Source": [...], "Cue": [...], "Content": [...]}``
    (lists of spans; ``Content2`` and the like go into ``Content``). Lines:

    * ``T<n>\\t<Label> <start> <end>[;<start> <end>...]\\t<text>`` -- a span,
      discontinuous pieces separated by ``;``, not always in text order (the text
      joins them with a space; we re-read them from the ``.txt`` in text order);
    * ``E<n>\\t<Trigger>:T<i> <Role>:T<j> ...`` -- one attribution; the trigger is
      ``Attribution`` or ``Attribution-no-source`` (its own ``T`` span repeats the cue);
    * ``R<n>\\t<Role> Arg1:T<i> Arg2:T<j>`` -- a relation; an ``R`` whose arguments
      include a Source, Cue or Content span joins them into an attribution
      keyed by its first argument (PolNeAR-dev has none, other brat exports do);
    * anything else (``#`` notes, ``A`` attributes, ``Discard``/``Discuss`` spans) is ignored.
    """
    spans: dict[str, _Span] = {}
    events: list[list[tuple[str, str]]] = []
    relations: list[list[tuple[str, str]]] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split("\t")
        tag = parts[0]
        if tag.startswith("T"):
            if len(parts) < 2:
                raise GoldError(f"{where} line {n}: malformed span line")
            label, _, offs = parts[1].partition(" ")
            try:
                pieces = [tuple(int(x) for x in p.split()) for p in offs.split(";")]
            except ValueError as exc:
                raise GoldError(f"{where} line {n}: bad offsets {offs!r}") from exc
            if not pieces or any(len(p) != 2 for p in pieces):
                raise GoldError(f"{where} line {n}: bad offsets {offs!r}")
            spans[tag] = _Span(label, [(p[0], p[1]) for p in pieces], parts[2] if len(parts) > 2 else "")
        elif tag.startswith("E") and len(parts) >= 2:
            # the trigger (Attribution:T4) is a span labelled "Attribution": add() ignores it
            args = [a.split(":", 1) for a in parts[1].split()]
            events.append([(a[0], a[1]) for a in args if len(a) == 2])
        elif tag.startswith("R") and len(parts) >= 2:
            args = [a.split(":", 1) for a in parts[1].split()[1:]]
            relations.append([(a[0], a[1]) for a in args if len(a) == 2])
    attributions: list[dict[str, list[_Span]]] = []

    def add(refs: list[str], into: dict[str, list[_Span]]) -> None:
        for ref in refs:
            sp = spans.get(ref)
            if sp is None:
                raise GoldError(f"{where}: attribution refers to unknown span {ref}")
            m = _ROLE.match(sp.label)
            if m and sp not in into[m.group(1)]:
                into[m.group(1)].append(sp)

    for ev in events:
        att: dict[str, list[_Span]] = {"Source": [], "Cue": [], "Content": []}
        add([t for _, t in ev], att)
        attributions.append(att)
    # brat relations: chain them through shared spans into attributions
    groups: list[set[str]] = []
    for rel in relations:
        ids = {t for _, t in rel}
        for g in [g for g in groups if g & ids]:
            ids |= g
            groups.remove(g)
        groups.append(ids)
    for g in groups:
        att = {"Source": [], "Cue": [], "Content": []}
        add(sorted(g, key=lambda t: (len(t), t)), att)
        attributions.append(att)
    return attributions


def _span_text(sp: _Span, doc: str) -> str:
    """The span's text in reading order (brat may list discontinuous pieces out of order)."""
    if not doc:
        return sp.text
    return " ".join(doc[a:b] for a, b in sorted(sp.spans))


_APPOSITION = re.compile(r",|\s(?:--|—|–|―)\s|\s(?:who|which|whose)\s")


def source_head(source: str) -> str:
    """Who a PolNeAR Source span names, without what it adds about them.

    The span keeps appositions, relative clauses and party tags ("Scott Pruitt,
    the Republican attorney general of Oklahoma,", "Harry Reid (D-Nev.)",
    "Joseph, who has four children"); the speaker is the name before them.
    A span with nothing before its first comma is kept whole.
    """
    s = " ".join(source.split())
    s = re.sub(r"\s*\([^)]*\)", "", s).strip(" ,")
    m = _APPOSITION.search(s)
    if m and s[: m.start()].strip():
        s = s[: m.start()].strip(" ,")
    return s or " ".join(source.split())


_IRREGULAR_CUE_FORMS = frozenset({"said", "told", "wrote", "written", "thought", "knew", "known", "found", "read", "spoke", "spoken"})


def _is_cue_form(text: str) -> bool:
    """Whether *text* is one inflected form of a reporting verb of ``data/cues.csv`` ("said", "adds", "asserted")."""
    w = text.strip().lower()
    if not w.isalpha():
        return False
    if w in _IRREGULAR_CUE_FORMS:
        return True
    lemmas = _cue_verbs()
    stems = {w}
    if w.endswith("s"):
        stems |= {w[:-1], w[:-2] if w.endswith("es") else w, w[:-3] + "y" if w.endswith("ies") else w}  # says, stresses, denies
    if w.endswith("ed"):
        stems |= {w[:-1], w[:-2], w[:-3], w[:-3] + "y" if w.endswith("ied") else w}  # noted, asserted, admitted, replied
    if w.endswith("ing"):
        stems |= {w[:-3], w[:-3] + "e", w[:-4]}  # saying, noting, admitting
    return bool(stems & lemmas)


def _cue_verbs() -> frozenset[str]:
    from importlib import resources

    text = resources.files("polarwatch").joinpath("data/cues.csv").read_text("utf-8")
    return frozenset(line.split(",", 1)[0] for line in text.splitlines()[1:] if line)


def _source_and_cue(att: dict[str, list[_Span]], doc: str) -> tuple[str | None, str | None]:
    """The Source and Cue texts of one attribution, with swapped labels put back.

    A handful of PolNeAR-dev attributions carry the reporting verb as Source and the
    speaker as Cue (Source "said", Cue "Megan Hester"): an annotation slip. When the
    Source is a single lower-case inflected reporting verb and no word of the Cue is
    one, the two are swapped.
    """
    src = " ".join(_span_text(s, doc) for s in sorted(att["Source"], key=lambda s: min(s.spans))) or None
    cue = " ".join(_span_text(s, doc) for s in sorted(att["Cue"], key=lambda s: min(s.spans))) or None
    if src and cue and src.strip().islower() and _is_cue_form(src) and not any(_is_cue_form(w) for w in cue.split()):
        src, cue = cue, src
    return src, cue


def _polnear_quotes(atts: list[dict[str, list[_Span]]], doc: str) -> list[GoldQuote]:
    quotes: list[GoldQuote] = []
    for att in atts:
        if not att["Content"]:
            continue  # an attribution with no content (a stray trigger) is not a quote
        src, cue = _source_and_cue(att, doc)
        head = source_head(src) if src else None
        aliases = [src] if src and head != src else []
        for content in att["Content"]:  # Content2...: a second quoted span of the same attribution
            for kind, t in split_content(_span_text(content, doc)):
                quotes.append(GoldQuote(kind=kind, text=t, speaker=head, speaker_mention=src, cue=cue, aliases_of_speaker=aliases,
                                        speaker_is_span=head is not None))
    return quotes


def load_polnear_gold(folder: str | Path) -> list[GoldArticle]:
    """Articles of a PolNeAR compartment (``text/`` and ``attributions/``).

    Only texts with at least one ``.ann`` file are gold. When several
    annotators annotated a text, the first ``NAME_<annotator>.ann`` in sorted
    order is used and the others are ignored.
    """
    d = Path(folder)
    tdir, adir = d / "text", d / "attributions"
    if not tdir.is_dir() or not adir.is_dir():
        raise GoldError(f"{d}: a PolNeAR folder needs text/ and attributions/")
    chosen: dict[str, tuple[str, Path]] = {}
    for ann in sorted(adir.glob("*.ann")):
        m = _ANN_NAME.match(ann.name)
        if not m:
            raise GoldError(f"{ann}: expected a name like NAME_<annotator>.ann")
        chosen.setdefault(m.group("name"), (m.group("annotator"), ann))
    out: list[GoldArticle] = []
    for name in sorted(chosen):
        annotator, ann = chosen[name]
        txt = tdir / f"{name}.txt"
        if not txt.is_file():
            raise GoldError(f"{ann}: no text file {txt}")
        try:
            doc = txt.read_text("utf-8")
            atts = parse_ann(ann.read_text("utf-8"), str(ann))
        except (OSError, UnicodeDecodeError) as exc:
            raise GoldError(f"{ann}: cannot read: {exc}") from exc
        out.append(
            GoldArticle(
                key=name,
                path=str(txt),
                text_source=TEXT_SOURCE_PLAIN,
                quotes=_polnear_quotes(atts, doc),
                entities=[],
                annotator=annotator,
            )
        )
    return out


# --- offsets into a shared corpus (tests/gold/wikinews) ------------------------------

SHARED_CORPUS = Path("shared") / "corpus"
_REPO_ROOT = Path(__file__).resolve().parents[3]  # src/polarwatch/evaluate/gold.py -> the checkout


def shared_corpus_dir() -> Path | None:
    """``../shared/corpus`` beside the repository root, else beside the current directory; None if neither exists."""
    for base in (_REPO_ROOT, Path.cwd().resolve()):
        candidate = base.parent / SHARED_CORPUS
        if candidate.is_dir():
            return candidate
    return None


def _csv_rows(path: Path) -> dict[str, tuple[str, str]]:
    """``{url: (title, text)}`` of a CSV file with url, title and text columns (the first row of a url wins)."""
    import csv

    csv.field_size_limit(1 << 28)
    rows: dict[str, tuple[str, str]] = {}
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                url = (row.get("url") or "").strip()
                if url:
                    rows.setdefault(url, (row.get("title") or "", row.get("text") or ""))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise GoldError(f"{path}: cannot read: {exc}") from exc
    return rows


def _sha256(s: str) -> str:
    import hashlib

    return hashlib.sha256(s.encode("utf-8")).hexdigest()


def _offset_span(v: object, text: str, where: str) -> tuple[int, int]:
    if not (isinstance(v, list) and len(v) == 2 and all(type(x) is int for x in v) and 0 <= v[0] < v[1] <= len(text)):
        raise GoldError(f"{where}: expected [start, end] with 0 <= start < end <= {len(text)}, not {v!r}")
    return v[0], v[1]


def _offsets_quote(q: object, fields: dict[str, str], speakers: dict[str, dict], where: str) -> GoldQuote:
    if not isinstance(q, dict):
        raise GoldError(f"{where}: a quote must be an object")
    kind = q.get("kind")
    if kind not in ("direct", "indirect"):
        raise GoldError(f"{where}: 'kind' must be 'direct' or 'indirect', not {kind!r}")
    name = q.get("field", "text")
    if name not in fields:
        raise GoldError(f"{where}: 'field' must be 'text' or 'title', not {name!r}")
    text = fields[name]
    start, end = _offset_span([q.get("start"), q.get("end")], text, where)
    parts = [_offset_span(p, text, f"{where} parts") for p in q.get("parts") or [[start, end]]]
    if parts[0][0] != start or parts[-1][1] != end or any(a[1] > b[0] for a, b in zip(parts, parts[1:])):
        raise GoldError(f"{where}: 'parts' must be in order, from 'start' to 'end'")
    speaker = _opt_str(q.get("speaker"), f"{where} speaker")
    found: dict[str, str | None] = {}
    for key in ("speaker_mention", "cue"):
        v = q.get(key)
        if v is None:
            found[key] = None
        else:
            s, e = _offset_span(v, text, f"{where} {key}")
            found[key] = text[s:e]
    info = speakers.get(speaker or "") or {}
    return GoldQuote(
        kind=kind,
        text=" ".join(text[s:e] for s, e in parts),
        speaker=speaker,
        speaker_mention=found["speaker_mention"],
        cue=found["cue"],
        aliases_of_speaker=_str_list(info.get("aliases"), f"{where} speaker aliases"),
        speaker_type=_opt_str(info.get("type"), f"{where} speaker type"),
    )


def load_offsets_gold(folder: str | Path, shared: str | Path | None = None) -> list[GoldArticle]:
    """Articles of an offsets-format folder: ``gold.json`` names CSV files of the shared corpus.

    Each article is the CSV row whose ``url`` is its key, in the file its ``file`` names (relative to
    ``shared``, by default :func:`shared_corpus_dir`); the row's ``text`` (and ``title``) must have the
    recorded sha256, and every quote's strings are cut from them by the offsets. Raises
    :class:`GoldError` naming the URL when a text has changed, and when the shared corpus is missing.
    """
    d = Path(folder)
    gpath = d / GOLD_FILE
    data = _read_gold_json(gpath)
    corpus = _str_list(data.get("corpus"), f"{gpath} corpus")
    arts = data.get("articles")
    if not corpus or not isinstance(arts, dict):
        raise GoldError(f"{gpath}: an offsets gold needs a 'corpus' list of CSV files and an 'articles' object")
    root = Path(shared) if shared is not None else shared_corpus_dir()
    if root is None or not root.is_dir():
        raise GoldError(
            f"{gpath}: its articles are rows of {', '.join(corpus)} in ../shared/corpus, which exists neither beside "
            f"the repository ({_REPO_ROOT.parent / SHARED_CORPUS}) nor beside the current directory"
        )
    tables: dict[str, dict[str, tuple[str, str]]] = {}
    for rel in corpus:
        p = root / rel
        if not p.is_file():
            raise GoldError(f"{gpath}: corpus file {p} not found")
        tables[rel] = _csv_rows(p)
    out: list[GoldArticle] = []
    for url in sorted(arts):
        a = arts[url]
        where = f"{gpath} articles[{url!r}]"
        if not isinstance(a, dict) or a.get("file") not in tables:
            raise GoldError(f"{where}: 'file' must name one of the corpus files {corpus}")
        row = tables[a["file"]].get(url)
        if row is None:
            raise GoldError(f"{where}: {root / a['file']} has no row with this url")
        title, text = row
        for field_name, value, key in (("text", text, "sha256"), ("title", title, "title_sha256")):
            want = a.get(key)
            if key == "sha256" and not isinstance(want, str):
                raise GoldError(f"{where}: 'sha256' of the annotated text is required")
            if want is not None and _sha256(value) != want:
                raise GoldError(
                    f"{url}: the {field_name} in {root / a['file']} is not the annotated one "
                    f"(sha256 {_sha256(value)}, gold.json has {want}); its offsets cannot be trusted"
                )
        speakers = a.get("speakers") or {}
        quotes_raw = a.get("quotes") or []
        if not isinstance(speakers, dict) or not isinstance(quotes_raw, list):
            raise GoldError(f"{where}: 'speakers' must be an object and 'quotes' a list")
        fields = {"text": text, "title": title}
        quotes = [_offsets_quote(q, fields, speakers, f"{where} quotes[{i}]") for i, q in enumerate(quotes_raw)]
        out.append(GoldArticle(key=url, path=str(root / a["file"]), text_source=TEXT_SOURCE_CSV_ROW, quotes=quotes))
    return out
