"""French typography for documents: numbers, percents, euros, dates and non-breaking spaces.

French writes a decimal comma, groups thousands with a narrow no-break space (U+202F), puts a
no-break space before ``%`` and ``€``, and a narrow no-break space before ``; : ! ?`` and inside
guillemets « … » (Lexique des règles typographiques en usage à l'Imprimerie nationale).
"""

from __future__ import annotations

import math
import re
from datetime import date

NNBSP = "\u202f"  # narrow no-break space
NBSP = "\u00a0"  # no-break space
MINUS = "\u2212"
MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
)
_BEFORE_PUNCT = re.compile(r"[ \u00a0]?([;:!?»])")
_AFTER_GUILLEMET = re.compile(r"«[ \u00a0]?")


def fr_number(x: float | None, digits: int = 0, *, signed: bool = False) -> str:
    """``12345.678`` → ``"12 345,68"`` (``digits=2``), with a real minus sign; ``"–"`` for
    None or NaN."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    text = f"{x:{'+' if signed else ''},.{digits}f}"
    return text.replace(",", NNBSP).replace(".", ",").replace("-", MINUS)


def fr_percent(x: float | None, digits: int = 0, *, signed: bool = False, share: bool = False
               ) -> str:
    """``-12.3`` → ``"−12 %"``; with ``share=True`` the input is a share (``0.123`` → 12 %)."""
    if x is None:
        return "–"
    value = x * 100 if share else x
    return f"{fr_number(value, digits, signed=signed)}{NBSP}%"


def fr_eur(x: float | None, digits: int = 0) -> str:
    """``1234567`` → ``"1 234 567 €"``."""
    if x is None:
        return "–"
    return f"{fr_number(x, digits)}{NBSP}€"


def fr_date(d: date | str, *, day: bool = True) -> str:
    """A date (or ``YYYY-MM``) in words: ``"4 décembre 2013"``, ``"décembre 2013"``."""
    if isinstance(d, str):
        year, month = d.split("-")[:2]
        return f"{MONTHS[int(month) - 1]} {year}"
    if not day:
        return f"{MONTHS[d.month - 1]} {d.year}"
    first = "1er" if d.day == 1 else str(d.day)
    return f"{first} {MONTHS[d.month - 1]} {d.year}"


def fr_text(text: str) -> str:
    """Put narrow no-break spaces before ``; : ! ? »`` and after ``«`` (plain text, not HTML
    with attributes or URLs: apply it to the words only)."""
    text = _BEFORE_PUNCT.sub(lambda m: NNBSP + m.group(1), text)
    text = _AFTER_GUILLEMET.sub("«" + NNBSP, text)
    return text.replace(NNBSP + ":" + "//", "://")


_SPACE_BEFORE = re.compile(r" ([:;!?»])")
_SPACE_AFTER = re.compile(r"« ")


def fr_spaces(markup: str) -> str:
    """In HTML built by our code: a plain space before ``: ; ! ? »`` (or after ``«``) becomes a
    narrow no-break space, so that the sign never starts a line. Only spaces are touched, so
    URLs, data URIs and attributes without such spaces stay intact."""
    return _SPACE_AFTER.sub("«" + NNBSP, _SPACE_BEFORE.sub(NNBSP + r"\1", markup))
