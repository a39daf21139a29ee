"""Write a brief to files: the HTML, and the PDF beside it (same name, ``.pdf``), with a summary of both."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from .build import DEFAULT_BASE_URL, build_brief
from .model import BriefError, Period, Scope
from .render import render_html, render_pdf


def pdf_path(out: str | Path) -> Path:
    """Where ``--pdf`` writes: beside the HTML file, its name with ``.pdf`` for the suffix (``brief.html`` ->
    ``brief.pdf``, ``report`` -> ``report.pdf``)."""
    return Path(out).with_suffix(".pdf")


def write_brief(
    store: Any, period: Period, scope: Scope | None = None, *, out: str | Path, pdf: bool = False,
    template: str | Path | None = None, base_url: str = DEFAULT_BASE_URL, today: date | None = None,
) -> dict[str, Any]:
    """Build the brief of *period* and *scope*, write its HTML to *out* (and, with *pdf*, the PDF beside it)
    and return the summary the CLI prints with ``--json``: ``{html, pdf, period, scope, articles, outlets,
    empty, sections, figures}``."""
    out = Path(out)
    if out.suffix.lower() == ".pdf":
        raise BriefError(f"--out: {str(out)!r} is a PDF name; give the HTML file (brief.html): --pdf writes brief.pdf beside it")
    if out.is_dir():
        raise BriefError(f"--out: {str(out)!r} is a folder; give a file name (brief.html)")
    brief = build_brief(store, period, scope=scope, base_url=base_url, today=today)
    html = render_html(brief, template)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    written_pdf = None
    if pdf:
        written_pdf = pdf_path(out)
        written_pdf.write_bytes(render_pdf(html))
    return {
        "html": str(out), "pdf": str(written_pdf) if written_pdf else None, "period": asdict(brief.period),
        "scope": brief.scope.as_dict(), "articles": brief.articles, "outlets": brief.outlets, "empty": brief.empty,
        **brief.counts(),
    }  # fmt: skip
