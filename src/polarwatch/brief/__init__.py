"""Briefs: the daily, weekly or monthly Arctic report of a period, as HTML and PDF (docs/briefs.md).

``build_brief(store, since, until, scope)`` reads every section and figure into a :class:`Brief`;
``render_html(brief, template)`` writes it through a Jinja2 template; ``render_pdf(html)`` prints that
HTML to PDF with WeasyPrint.
"""

from __future__ import annotations

from .build import DEFAULT_BASE_URL, build_brief
from .model import ArticleRef, Brief, BriefError, Contrast, EventItem, Figure, Period, QuoteItem, Scope, StoryItem, ThemeChange
from .render import render_html, render_pdf
from .scope import make_period, period_dates
from .write import pdf_path, write_brief

__all__ = [
    "build_brief", "render_html", "render_pdf", "write_brief", "pdf_path", "make_period", "period_dates", "DEFAULT_BASE_URL",
    "Brief", "BriefError", "Scope", "Period", "ArticleRef", "StoryItem", "QuoteItem", "EventItem", "ThemeChange",
    "Contrast", "Figure",
]  # fmt: skip
