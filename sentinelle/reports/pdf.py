"""HTML to PDF with WeasyPrint, offline.

WeasyPrint needs Pango (Debian: ``libpango-1.0-0``, ``libpangoft2-1.0-0``; `scripts/setup`
installs them). Remote resources are refused: a document must not reach the internet when it
is rendered, so images are embedded (`figures`) and stylesheets inlined (`page`).
"""

from __future__ import annotations

from pathlib import Path

from sentinelle.errors import ConfigError, InputError


def _offline_fetcher() -> object:
    """A fetcher that only reads ``data:`` URIs (WeasyPrint ≥ 66 has `URLFetcher` with
    ``allowed_protocols``; older versions take a plain function)."""
    from weasyprint import urls

    if hasattr(urls, "URLFetcher"):
        return urls.URLFetcher(allowed_protocols={"data"})

    def fetch(url: str, timeout: int = 10, ssl_context: object = None) -> dict:  # pragma: no cover
        if url.startswith("data:"):
            return urls.default_url_fetcher(url)
        msg = f"documents are rendered offline; refusing to fetch {url}"
        raise ValueError(msg)

    return fetch


def render_pdf(html: str, path: str | Path, *, base_url: str | Path | None = None) -> Path:
    """Render an HTML document to a PDF file.

    Parameters
    ----------
    html
        The whole document (e.g. from `render_page`).
    path
        The PDF to write (its folder must exist).
    base_url
        Folder that relative links resolve against (only ``data:`` URIs are fetched anyway).

    Raises
    ------
    ConfigError
        WeasyPrint or Pango is missing.
    InputError
        The file cannot be written.
    """
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: Pango missing
        msg = (
            f"cannot render PDF: WeasyPrint is unusable ({exc}); install the Debian packages "
            "libpango-1.0-0 libpangoft2-1.0-0 (scripts/setup does)"
        )
        raise ConfigError(msg) from None
    path = Path(path)
    doc = weasyprint.HTML(
        string=html,
        base_url=str(base_url) if base_url else None,
        url_fetcher=_offline_fetcher(),
    )
    try:
        doc.write_pdf(path)
    except OSError as exc:
        msg = f"{path}: cannot write the PDF ({exc.strerror or exc})"
        raise InputError(msg) from None
    return path
