"""HTML → PDF with WeasyPrint, offline: only ``data:`` URIs may be fetched."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sentinelle.errors import SentinelleError

__all__ = ["render_pdf"]


def _fetcher() -> Any:
    """A URL fetcher that allows ``data:`` only and fails on anything else."""
    from weasyprint import urls

    if hasattr(urls, "URLFetcher"):  # WeasyPrint >= 66
        return urls.URLFetcher(allowed_protocols=["data"], fail_on_errors=True)

    def fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:  # older WeasyPrint
        if url.startswith("data:"):
            return urls.default_url_fetcher(url, *args, **kwargs)
        msg = f"the report refers to an external resource ({url[:80]}); embed it instead"
        raise SentinelleError(msg)

    return fetch


def render_pdf(html: str, path: str | Path) -> Path:
    """Write `html` as a PDF at `path` (page size and styles come from the HTML's CSS).

    Parameters
    ----------
    html
        A complete HTML document; images as ``data:`` URIs.
    path
        Output file.

    Returns
    -------
    Path
        The PDF written.

    Raises
    ------
    SentinelleError
        When the document refers to an external resource (nothing is fetched).
    """
    from weasyprint import HTML, urls

    fatal = getattr(urls, "FatalURLFetchingError", SentinelleError)
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        HTML(string=html, url_fetcher=_fetcher()).write_pdf(out)
    except fatal as exc:
        msg = f"the report refers to an external resource ({exc}); embed it instead"
        raise SentinelleError(msg) from None
    return out
