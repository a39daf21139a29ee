"""Article text cut into pieces at every annotation boundary, for highlighting.

Extraction stores character offsets into ``Article.body``; the page must show
the body with quotes, speakers, mentions and event triggers marked, without
ever treating article text as markup. So the body is cut into plain-text
pieces here, each piece carrying the annotations that cover it, and the
template escapes each piece on its own. Nothing in this module builds HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PARAGRAPH_SEP = "\n\n"


@dataclass(slots=True, frozen=True)
class Mark:
    """One annotation over ``body[start:end]``: its kind (a CSS class) and the id of its detail panel.

    A mark with an empty ``kind`` only adds cut points (a sentence an event or a
    tone figure points at), so that an ``#span-START-END`` anchor can light it exactly.
    """

    start: int
    end: int
    kind: str = ""
    ref: str = ""


@dataclass(slots=True)
class Piece:
    start: int
    end: int
    text: str
    kinds: list[str] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)

    @property
    def css(self) -> str:
        return " ".join(f"k-{k}" for k in sorted(set(self.kinds)))


@dataclass(slots=True)
class Paragraph:
    start: int
    pieces: list[Piece]


def _valid(m: Mark, size: int) -> bool:
    return 0 <= m.start < m.end <= size


def cut(text: str, marks: list[Mark], offset: int = 0) -> list[Piece]:
    """*text* (which starts at body offset *offset*) as consecutive pieces; each piece is covered by
    the same set of marks throughout. Marks outside the text are clipped; empty or inverted ones dropped."""
    end_all = offset + len(text)
    inside = [m for m in marks if m.start < end_all and m.end > offset and m.start < m.end]
    cuts = {offset, end_all}
    for m in inside:
        cuts.add(max(m.start, offset))
        cuts.add(min(m.end, end_all))
    bounds = sorted(cuts)
    pieces: list[Piece] = []
    # A sweep over the sorted marks would be faster; articles carry at most a few hundred marks.
    for a, b in zip(bounds, bounds[1:]):
        cover = [m for m in inside if m.start <= a and m.end >= b]
        pieces.append(Piece(a, b, text[a - offset : b - offset],
                            [m.kind for m in cover if m.kind], [m.ref for m in cover if m.ref]))  # fmt: skip
    return pieces


def paragraphs(body: str, marks: list[Mark]) -> list[Paragraph]:
    """The body's paragraphs (split as ``Article.body`` joins them), each cut by :func:`cut`."""
    marks = [m for m in marks if _valid(m, len(body))]
    out, pos = [], 0
    for para in body.split(PARAGRAPH_SEP):
        out.append(Paragraph(pos, cut(para, marks, pos)))
        pos += len(para) + len(PARAGRAPH_SEP)
    return out
