"""Matplotlib figures as ``data:`` URIs, to embed in an HTML page without any file or URL."""

from __future__ import annotations

import base64
import io

from matplotlib.figure import Figure

__all__ = ["figure_data_uri"]


def figure_data_uri(fig: Figure, *, dpi: int = 200, fmt: str = "png") -> str:
    """The figure encoded as a ``data:image/...;base64,`` URI.

    Parameters
    ----------
    fig
        A matplotlib figure (``matplotlib.figure.Figure``, no pyplot state needed).
    dpi
        Resolution; 200 keeps 8 pt text sharp on paper.
    fmt
        ``png`` or ``svg``.
    """
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi, bbox_inches="tight")
    mime = "image/svg+xml" if fmt == "svg" else f"image/{fmt}"
    return f"data:{mime};base64," + base64.b64encode(buf.getvalue()).decode("ascii")
