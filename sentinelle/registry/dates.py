"""Dates that keep their precision (day, month or year) and the text they came from.

Inventories write commissioning dates in many ways: ISO dates, ``dd/mm/yy``, spreadsheet serial
numbers, "Début 2019", or text that is no date at all ("inconnue", "<=2017"). A `PartialDate`
keeps what is known; text that cannot be read as a date is kept verbatim by the caller
(``installed_raw``) and the date stays unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

SPREADSHEET_EPOCH = date(1899, 12, 30)  # Excel/LibreOffice serial day 0 (1900 leap-year bug)
# Serial days accepted as dates: 1950-01-01 .. 2099-12-31.
_SERIAL_MIN = (date(1950, 1, 1) - SPREADSHEET_EPOCH).days
_SERIAL_MAX = (date(2099, 12, 31) - SPREADSHEET_EPOCH).days


class Precision(StrEnum):
    day = "day"
    month = "month"
    year = "year"


@dataclass(frozen=True, order=True)
class PartialDate:
    """A calendar date known to the day, the month or the year."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.day is not None and self.month is None:
            raise ValueError("a day needs a month")
        # Validates the calendar (raises ValueError on 31/02 and the like).
        date(self.year, self.month or 1, self.day or 1)

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return Precision.day
        if self.month is not None:
            return Precision.month
        return Precision.year

    @property
    def first_day(self) -> date:
        """The earliest day the value may stand for (how it is stored)."""
        return date(self.year, self.month or 1, self.day or 1)

    def isoformat(self) -> str:
        """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` by precision."""
        if self.day is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    __str__ = isoformat

    @classmethod
    def from_stored(cls, value: date | None, precision: str | None) -> PartialDate | None:
        if value is None:
            return None
        p = Precision(precision or "day")
        if p is Precision.year:
            return cls(value.year)
        if p is Precision.month:
            return cls(value.year, value.month)
        return cls(value.year, value.month, value.day)

    @classmethod
    def from_date(cls, value: date) -> PartialDate:
        return cls(value.year, value.month, value.day)


_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$")
_MY = re.compile(r"^(\d{1,2})[/.-](\d{4})$")
_SERIAL = re.compile(r"^(\d{5})(?:\.0+)?$")
_FUZZY_YEAR = re.compile(
    r"^(?:d[ée]but|fin|mi|courant|printemps|[ée]t[ée]|automne|hiver|early|mid|late)[\s-]+(\d{4})$",
    re.IGNORECASE,
)


def _two_digit_year(yy: int, *, pivot: int) -> int:
    return 2000 + yy if yy <= pivot else 1900 + yy


def parse_partial_date(text: str | date | None, *, pivot: int | None = None) -> PartialDate | None:
    """Read a date that keeps its precision, or None when the text is no date.

    Accepted: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` (ISO, datetimes too), ``dd/mm/yyyy``,
    ``dd/mm/yy`` (two-digit years up to `pivot` are 20yy, default: this year), ``mm/yyyy``,
    spreadsheet serial day numbers (origin 1899-12-30, 1950–2099), and a year with a vague
    qualifier ("Début 2019", "fin 2020") which gives a year-precision date.
    A text that looks like a date but is not a valid calendar date raises ValueError.
    """
    if text is None:
        return None
    if isinstance(text, date):
        return PartialDate.from_date(text)
    s = str(text).strip()
    if not s:
        return None
    if "T" in s and _ISO.match(s.split("T", 1)[0]):
        s = s.split("T", 1)[0]
    if pivot is None:
        pivot = date.today().year % 100
    if m := _ISO.match(s):
        y, mo, d = m.groups()
        return PartialDate(int(y), int(mo) if mo else None, int(d) if d else None)
    if m := _DMY.match(s):
        d, mo, y = m.groups()
        year = _two_digit_year(int(y), pivot=pivot) if len(y) == 2 else int(y)
        return PartialDate(year, int(mo), int(d))
    if m := _MY.match(s):
        mo, y = m.groups()
        return PartialDate(int(y), int(mo))
    if m := _SERIAL.match(s):
        n = int(m.group(1))
        if _SERIAL_MIN <= n <= _SERIAL_MAX:
            return PartialDate.from_date(SPREADSHEET_EPOCH + timedelta(days=n))
        return None
    if m := _FUZZY_YEAR.match(s):
        return PartialDate(int(m.group(1)))
    return None


def read_date_field(text: str | date | None) -> tuple[PartialDate | None, str | None]:
    """A date and the raw text to keep: (date, None) when read, (None, text) when not."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None, None
    parsed = parse_partial_date(text)
    if parsed is None:
        return None, str(text).strip()
    raw = str(text).strip()
    # Keep the source text whenever it is not the canonical form (traceability).
    return parsed, (None if raw == parsed.isoformat() else raw)
