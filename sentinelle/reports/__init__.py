"""Documents: HTML pages in French typography, rendered to PDF, with figures and static maps.

Shared by the evaluation report, the master plan (Schéma Directeur) and the inspection pack.
Generic on purpose: nothing here knows about crime, plans or compliance.

- `page`: `render_page` fills the base HTML template (A4, French typography, a banner repeated
  on every printed page, a running footer with page numbers);
- `pdf`: `render_pdf` turns that HTML into a PDF with WeasyPrint (offline: no remote fetch);
- `figures`: `figure_to_data_uri` / `figure_img` embed a matplotlib figure in the page;
- `maps`: `static_map` draws polygons, lines and points in a metric frame (map for print);
- `typography`: French number, percent, euro and date formatting, and non-breaking spaces.

Typical use::

    from sentinelle.reports import Section, figure_img, render_page, render_pdf

    html = render_page(
        "Évaluation de la vidéoprotection",
        [Section("Méthode", "<p>…</p>"), Section("Résultats", figure_img(fig, alt="…"))],
        banner="DONNÉES SYNTHÉTIQUES",
    )
    render_pdf(html, "rapport.pdf")
"""

from sentinelle.reports.figures import figure_img, figure_to_data_uri
from sentinelle.reports.maps import MapLayer, static_map
from sentinelle.reports.page import Section, render_page
from sentinelle.reports.pdf import render_pdf
from sentinelle.reports.typography import (
    fr_date,
    fr_eur,
    fr_number,
    fr_percent,
    fr_spaces,
    fr_text,
)

__all__ = [
    "MapLayer",
    "Section",
    "figure_img",
    "figure_to_data_uri",
    "fr_date",
    "fr_eur",
    "fr_number",
    "fr_percent",
    "fr_spaces",
    "fr_text",
    "render_page",
    "render_pdf",
    "static_map",
]
