"""Reading the evaluation's CSV inputs: text, delimiter, header and rows with their line numbers.

Shared by the panel and the investigations readers. The file is UTF-8 (a byte-order mark is
accepted), comma-separated, or semicolon-separated as spreadsheets set to French write it.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sentinelle.errors import InputError, RowError

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_FR = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


@dataclass(frozen=True)
class CsvRecords:
    """A CSV file split into its header and its non-empty rows (each with its line number)."""

    source: str
    columns: list[str]
    header_line: int
    records: list[tuple[int, dict[str, str]]]


def read_csv_records(path: str | Path, *, expected_header: str) -> CsvRecords:
    """Read a small CSV file; blank lines are skipped, every row keeps its line number.

    Parameters
    ----------
    path
        The file.
    expected_header
        The header line to suggest when the file is empty (for the error message).

    Raises
    ------
    InputError
        The file is missing, unreadable, not UTF-8, empty, or a row has the wrong number of
        values.
    """
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        msg = f"{source}: no such file"
        raise InputError(msg) from None
    except UnicodeDecodeError as exc:
        msg = f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8 CSV"
        raise InputError(msg) from None
    except OSError as exc:
        msg = f"{source}: cannot be read ({exc.strerror})"
        raise InputError(msg) from None
    lines = text.splitlines()
    header = next((ln for ln in lines if ln.strip()), None)
    if header is None:
        msg = f"{source}: the file is empty; expected a header line {expected_header}"
        raise InputError(msg)
    delimiter = ";" if header.count(";") > header.count(",") else ","
    columns: list[str] | None = None
    header_line = 1
    records: list[tuple[int, dict[str, str]]] = []
    for line_no, values in enumerate(csv.reader(lines, delimiter=delimiter), start=1):
        if not any(v.strip() for v in values):
            continue
        if columns is None:
            columns = [v.strip() for v in values]
            header_line = line_no
            continue
        if len(values) != len(columns):
            raise InputError.at(
                source,
                line_no,
                None,
                f"{len(values)} values for {len(columns)} columns (header on line {header_line})",
            )
        records.append((line_no, dict(zip(columns, values, strict=True))))
    assert columns is not None
    return CsvRecords(source, columns, header_line, records)


def check_columns(
    table: CsvRecords, *, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> None:
    """Raise `InputError` naming the header line when a required column is missing or one is
    unknown."""
    cols = set(table.columns)
    missing = [c for c in required if c not in cols]
    if missing:
        msg = (
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; "
            f"the header must hold {','.join(required)}"
        )
        raise InputError.at(table.source, table.header_line, missing[0], msg)
    known = (*required, *optional)
    unknown = [c for c in table.columns if c not in known]
    if unknown:
        msg = f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; " + (
            f"valid columns: {', '.join(known)}"
        )
        raise InputError.at(table.source, table.header_line, unknown[0], msg)
    if not table.records:
        msg = f"{table.source}: no data rows after the header"
        raise InputError(msg)


def parse_month(raw: str) -> tuple[int | None, str | None]:
    """``"2013-11"`` → a month index ``year * 12 + month - 1``, or the reason it is not one."""
    text = raw.strip()
    m = _MONTH.match(text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None, f"expected a month written YYYY-MM (e.g. 2013-11), got {text!r}"
    return int(m.group(1)) * 12 + int(m.group(2)) - 1, None


def parse_date(raw: str) -> tuple[date | None, str | None]:
    """``YYYY-MM-DD`` or ``DD/MM/YYYY`` → a date, or the reason it is not one."""
    text = raw.strip()
    m = _ISO.match(text)
    parts = (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None
    if parts is None and (m := _FR.match(text)):
        parts = (int(m.group(3)), int(m.group(2)), int(m.group(1)))
    if parts is None:
        return None, f"expected a date YYYY-MM-DD or DD/MM/YYYY, got {text!r}"
    try:
        return date(*parts), None
    except ValueError as exc:
        return None, f"not a calendar date: {text!r} ({exc})"


def month_label(index: int) -> str:
    """A month index back to ``YYYY-MM``."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def parse_bool(raw: str) -> tuple[bool | None, str | None]:
    """``1/0``, ``true/false``, ``yes/no``, ``oui/non`` (any case), or the reason it is not one."""
    text = raw.strip().lower()
    if text in {"1", "true", "yes", "oui", "y", "o", "vrai"}:
        return True, None
    if text in {"0", "false", "no", "non", "n", "faux"}:
        return False, None
    return None, f"expected 1/0, true/false, yes/no or oui/non, got {raw.strip()!r}"


def raise_rejected(source: str, errors: list[RowError], what: str) -> None:
    """Raise `ImportRejected` with every error (no-op when there are none)."""
    from sentinelle.errors import ImportRejected

    if not errors:
        return
    if len(errors) == 1:
        raise ImportRejected(str(errors[0]), errors=errors)
    msg = f"{source}: {len(errors)} problems in the {what}; first: {errors[0]}"
    raise ImportRejected(msg, errors=errors)
