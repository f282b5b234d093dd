"""An HTML document in French, ready for print: the base template every report fills.

The template (``templates/page.html``, style ``templates/page.css`` inlined) gives an A4 page,
a banner repeated at the top of every printed page (for example "données synthétiques"), a
running footer with the document's title and the page number, a cover block and numbered
sections with a table of contents. Text is hyphenated in French (``lang="fr"``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from sentinelle.reports.typography import fr_date, fr_spaces


@dataclass(frozen=True)
class Section:
    """One numbered section: a title and its body (trusted HTML, built by our code)."""

    title: str
    body_html: str
    anchor: str | None = None

    @property
    def id(self) -> str:
        if self.anchor:
            return self.anchor
        text = unicodedata.normalize("NFKD", self.title).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def _env() -> Environment:
    return Environment(
        loader=PackageLoader("sentinelle.reports", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def stylesheet() -> str:
    """The base CSS (A4, French typography, tables, figures, banner)."""
    return (resources.files("sentinelle.reports") / "templates" / "page.css").read_text(
        encoding="utf-8"
    )


def render_page(
    title: str,
    sections: Sequence[Section],
    *,
    subtitle: str | None = None,
    author: str | None = None,
    banner: str | None = None,
    summary_html: str | None = None,
    issued: date | None = None,
    lang: str = "fr",
    extra_css: str = "",
    toc: bool = True,
) -> str:
    """Fill the base template and return the whole HTML document.

    Parameters
    ----------
    title
        The document's title (cover and running footer).
    sections
        Numbered sections, in order.
    subtitle
        Under the title.
    author
        The issuing body (e.g. "Ville de Rennes — direction de la tranquillité publique").
    banner
        A warning repeated at the top of every printed page and shown above the cover on
        screen (e.g. synthetic data); none when None.
    summary_html
        A boxed summary under the cover (trusted HTML).
    issued
        The date printed on the cover (default: today).
    lang
        Language of the document (hyphenation, quotes); in French, the spaces before
        ``: ; ! ? »`` in bodies and summary become narrow no-break spaces (`fr_spaces`).
    extra_css
        CSS appended to the base stylesheet.
    toc
        Whether to print a table of contents.
    """
    issued = issued or date.today()
    space = fr_spaces if lang == "fr" else (lambda text: text)
    template = _env().get_template("page.html")
    return template.render(
        title=title,
        subtitle=subtitle,
        author=author,
        banner=banner,
        summary_html=Markup(space(summary_html)) if summary_html else None,
        issued=fr_date(issued) if lang == "fr" else issued.isoformat(),
        lang=lang,
        css=Markup(stylesheet() + "\n" + extra_css),
        sections=[
            {"title": s.title, "id": s.id, "body": Markup(space(s.body_html))} for s in sections
        ],
        toc=toc,
    )
