"""The reports base: French typography, page template, figures, static maps, PDF rendering."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date

import numpy as np
import pytest
import shapely
from matplotlib.figure import Figure

from sentinelle.reports import (
    MapLayer,
    Section,
    figure_img,
    fr_date,
    fr_eur,
    fr_number,
    fr_percent,
    fr_spaces,
    fr_text,
    render_page,
    render_pdf,
    static_map,
)


def test_french_typography():
    assert fr_number(12345.678, 2) == "12\u202f345,68"
    assert fr_number(-3.5, 1) == "\u22123,5"
    assert fr_percent(-12.34) == "\u221212\u00a0%"
    assert fr_percent(0.0113, 2, share=True) == "1,13\u00a0%"
    assert fr_percent(5, signed=True) == "+5\u00a0%"
    assert fr_eur(1234567) == "1\u202f234\u202f567\u00a0€"
    assert fr_date(date(2013, 12, 1)) == "1er décembre 2013"
    assert fr_date("2010-03") == "mars 2010"
    assert fr_text("Attention : « données » ; voir https://x.fr") == (
        "Attention\u202f: «\u202fdonnées\u202f»\u202f; voir https://x.fr"
    )
    assert fr_number(None) == "–"
    assert fr_spaces('<p>Note : voir <img src="data:image/png;base64,AA"> ; fin ?</p>') == (
        '<p>Note\u202f: voir <img src="data:image/png;base64,AA">\u202f; fin\u202f?</p>'
    )


def test_page_escapes_and_repeats_the_banner():
    html = render_page(
        "Rapport <test>",
        [Section("Méthode", "<p>corps</p>"), Section("Résultats", "<p>ok</p>")],
        banner="DONNÉES SYNTHÉTIQUES",
        issued=date(2026, 1, 5),
    )
    assert "<title>Rapport &lt;test&gt;</title>" in html
    assert 'lang="fr"' in html and "5 janvier 2026" in html
    assert 'class="banner"' in html and "position: running(banner)" in html
    assert 'href="#methode"' in html and 'id="resultats"' in html
    assert "<p>corps</p>" in html  # section bodies are trusted HTML


def _figure() -> Figure:
    fig = Figure(figsize=(4, 3))
    ax = fig.add_subplot()
    ax.plot([0, 1, 2], [1, 3, 2])
    return fig


def test_pdf_renders_with_banner_on_every_page(tmp_path):
    body = "".join(f"<p>Paragraphe {i} : du texte pour remplir la page.</p>" for i in range(150))
    html = render_page(
        "Essai",
        [Section("Texte", body), Section("Figure", figure_img(_figure(), alt="une courbe",
                                                              caption="Légende"))],
        banner="DONNÉES SYNTHÉTIQUES",
    )
    pdf = render_pdf(html, tmp_path / "essai.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 5_000
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        pages = text.split("\f")[:-1]
        assert len(pages) >= 3
        assert all("DONNÉES SYNTHÉTIQUES" in p for p in pages)
        assert "page 1 / " in pages[0]


def test_pdf_refuses_remote_resources(tmp_path):
    html = render_page("Essai", [Section("A", '<img src="https://example.org/x.png" alt="x">')])
    pdf = render_pdf(html, tmp_path / "x.pdf")  # the image is skipped, nothing is fetched
    assert pdf.stat().st_size > 1000


def test_static_map(tmp_path):
    streets = shapely.linestrings([[(0, 0), (1000, 0)], [(500, -300), (500, 700)]])
    areas = shapely.buffer(shapely.points([(200, 0), (700, 300)]), 80)
    fig = static_map(
        [MapLayer(streets, edgecolor="#999999"),
         MapLayer(areas, label="zones équipées", facecolor="#1f4e79", alpha=0.5,
                  labels=["A", "B"])],
        title="Carte", attribution="© OpenStreetMap contributors",
    )
    path = tmp_path / "map.png"
    fig.savefig(path)
    assert path.stat().st_size > 5000
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "A" in texts and any(t.endswith(" m") for t in texts)  # labels and scale bar


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pdftoppm_sees_a_page(tmp_path):
    html = render_page("Essai", [Section("A", "<p>Bonjour</p>")], banner="BANNIÈRE")
    pdf = render_pdf(html, tmp_path / "a.pdf")
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "p")], check=True)
    pngs = list(tmp_path.glob("p*.png"))
    assert len(pngs) == 1 and pngs[0].stat().st_size > 1000
    assert np.ptp(np.frombuffer(pngs[0].read_bytes(), dtype=np.uint8)) > 0
