"""Shared report machinery: HTML → PDF (WeasyPrint) and figures embedded as data URIs.

Minimal version created for the Schéma Directeur (issue 6); to be reconciled with the report
base of the evaluation branch. Nothing is fetched from the network: figures are embedded,
fonts come from the system (fontconfig).
"""

from sentinelle.reports.figures import figure_data_uri
from sentinelle.reports.pdf import render_pdf

__all__ = ["figure_data_uri", "render_pdf"]
