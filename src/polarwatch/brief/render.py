"""A brief as HTML (a Jinja2 template, autoescaped) and as PDF (WeasyPrint, offline).

The default template ships in the package (``polarwatch/brief/templates/brief.html``). A user template
gets the same variables (docs/briefs.md) and may extend the default one, as ``polarwatch/brief.html``,
overriding only the blocks it wants to change.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from .model import Brief, BriefError

DEFAULT_TEMPLATE = "polarwatch/brief.html"


def environment(template_dir: Path | None = None) -> jinja2.Environment:
    """Templates from *template_dir* (a user's) first, then the package's under the ``polarwatch/`` prefix.
    Autoescape is on for every template, whatever its file name."""
    loaders: list[jinja2.BaseLoader] = []
    if template_dir is not None:
        loaders.append(jinja2.FileSystemLoader(str(template_dir)))
    loaders.append(jinja2.PrefixLoader({"polarwatch": jinja2.PackageLoader("polarwatch.brief", "templates")}))
    env = jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)  # fmt: skip
    env.filters["signed"] = lambda v: "" if v is None else f"{v:+.2f}"
    return env


def render_html(brief: Brief, template: str | Path | None = None) -> str:
    """The brief as one self-contained HTML page (inline SVG figures and CSS, no script, nothing fetched).
    *template* is the path of a user Jinja2 template; by default the package's. A template that cannot be
    read or rendered raises :class:`BriefError` naming it."""
    if template is None:
        env, name = environment(), DEFAULT_TEMPLATE
    else:
        path = Path(template)
        if not path.is_file():
            raise BriefError(f"--template: no template file {str(path)!r}")
        env, name = environment(path.resolve().parent), path.name
    try:
        return env.get_template(name).render(brief=brief, period=brief.period, scope=brief.scope)
    except jinja2.TemplateSyntaxError as exc:
        raise BriefError(f"--template: {exc.filename or name}: line {exc.lineno}: {exc.message}") from exc
    except jinja2.TemplateError as exc:
        raise BriefError(f"--template: {name}: {exc.message or exc}") from exc


def render_pdf(html: str) -> bytes:
    """The HTML of a brief as PDF bytes, by WeasyPrint. Only ``data:`` URLs are fetched: a template that
    points at a remote stylesheet or image is rendered without it, never with a network request."""
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except ImportError as exc:  # pragma: no cover - weasyprint is a main dependency
        raise BriefError(f"PDF output needs WeasyPrint (pip install weasyprint): {exc}") from exc
    except OSError as exc:  # pragma: no cover - Pango missing
        raise BriefError(f"PDF output needs Pango (apt install libpango-1.0-0 libpangoft2-1.0-0): {exc}") from exc
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=("data",))).write_pdf()  # type: ignore[no-any-return]
