"""Embedding matplotlib figures in HTML pages (as data URIs: the page stays one file)."""

from __future__ import annotations

import base64
import html
import io

from matplotlib.figure import Figure


def figure_to_data_uri(fig: Figure, *, dpi: int = 150, fmt: str = "png") -> str:
    """The figure as a ``data:`` URI (PNG by default; ``"svg"`` keeps it vector)."""
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi)
    mime = "image/svg+xml" if fmt == "svg" else f"image/{fmt}"
    return f"data:{mime};base64,{base64.b64encode(buf.getvalue()).decode('ascii')}"


def figure_img(
    fig: Figure, *, alt: str, caption: str | None = None, dpi: int = 150, css_class: str = "fig"
) -> str:
    """An HTML ``<figure>`` with the embedded image, its alternative text and a caption.

    Parameters
    ----------
    fig
        The matplotlib figure.
    alt
        What the figure shows, for screen readers (required: documents are public records).
    caption
        A caption under the figure (HTML-escaped).
    dpi
        Resolution of the embedded PNG.
    css_class
        Class of the ``<figure>`` element.
    """
    uri = figure_to_data_uri(fig, dpi=dpi)
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return (
        f'<figure class="{html.escape(css_class)}"><img src="{uri}" alt="{html.escape(alt)}">'
        f"{cap}</figure>"
    )
