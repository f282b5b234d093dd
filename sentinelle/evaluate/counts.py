"""Before/after crime counts per area: the input of effect, displacement and power estimates.

One row per area (or per area and crime type), with the counts of the treated area and of its
control area in the period before and the period after the cameras were installed::

    area,treated_before,treated_after,control_before,control_after
    Sainte-Anne,48,35,310,298

Optional columns:

- ``buffer_before,buffer_after,buffer_control_before,buffer_control_after``: the buffer ring
  around the treated area and the buffer's own control area (displacement; all four or none);
- ``harm_weight``: a positive weight that multiplies the row in the displacement difference
  (for example a crime-harm index when rows are crime types).

The file is UTF-8 (a byte-order mark is accepted), comma-separated, or semicolon-separated as
spreadsheets set to French write it. Every rejected row is reported with its line number, the
column and the reason; the reader reports all of them at once.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from sentinelle.errors import ImportRejected, InputError, RowError
from sentinelle.evaluate._rows import read_csv_records

EFFECT_COLUMNS: tuple[str, ...] = (
    "treated_before",
    "treated_after",
    "control_before",
    "control_after",
)
BUFFER_COLUMNS: tuple[str, ...] = (
    "buffer_before",
    "buffer_after",
    "buffer_control_before",
    "buffer_control_after",
)
HARM_WEIGHT = "harm_weight"
REQUIRED_COLUMNS: tuple[str, ...] = ("area", *EFFECT_COLUMNS)
KNOWN_COLUMNS: tuple[str, ...] = (*REQUIRED_COLUMNS, *BUFFER_COLUMNS, HARM_WEIGHT)


@dataclass(frozen=True)
class AreaCounts:
    """The counts of one row: a treated area, its control and, optionally, a buffer.

    ``line`` is the row's line in the source file (the header is line 1), kept so that later
    checks can still name the row.
    """

    area: str
    treated_before: int
    treated_after: int
    control_before: int
    control_after: int
    buffer_before: int | None = None
    buffer_after: int | None = None
    buffer_control_before: int | None = None
    buffer_control_after: int | None = None
    harm_weight: float = 1.0
    line: int | None = None

    @property
    def has_buffer(self) -> bool:
        return self.buffer_before is not None


@dataclass(frozen=True)
class CountsTable:
    """Validated before/after counts, one `AreaCounts` per row, in file order."""

    source: str
    rows: tuple[AreaCounts, ...]
    has_buffer: bool
    has_harm_weight: bool

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def areas(self) -> list[str]:
        return [r.area for r in self.rows]

    def column(self, name: str) -> np.ndarray:
        """The values of one count column (or ``harm_weight``) as a float array.

        Parameters
        ----------
        name
            A column name, for example ``"treated_before"``.
        """
        valid = {f.name for f in fields(AreaCounts)} - {"area", "line"}
        if name not in valid:
            msg = f"unknown column `{name}`; valid columns: {', '.join(sorted(valid))}"
            raise InputError(msg)
        if name in BUFFER_COLUMNS and not self.has_buffer:
            msg = f"{self.source} has no buffer columns, so no `{name}`"
            raise InputError(msg)
        return np.array([float(getattr(r, name)) for r in self.rows], dtype=float)

    @classmethod
    def from_records(
        cls,
        records: Iterable[Mapping[str, object]],
        *,
        source: str = "<records>",
        first_line: int = 2,
    ) -> CountsTable:
        """Validate rows given as mappings (column name to value, as text or numbers).

        The same checks as `read_counts` apply; ``first_line`` is the line number given to the
        first record in error messages.

        Raises
        ------
        InputError
            When the columns are wrong or when one or more rows are invalid (`ImportRejected`,
            with every rejected row in ``errors``).
        """
        records = list(records)
        columns: list[str] = []
        for rec in records:
            for key in rec:
                if key not in columns:
                    columns.append(key)
        return _validate(columns, [(first_line + i, rec) for i, rec in enumerate(records)], source)


def read_counts(path: str | Path) -> CountsTable:
    """Read and validate a counts CSV.

    Parameters
    ----------
    path
        The CSV file: columns ``area,treated_before,treated_after,control_before,control_after``,
        optionally the four buffer columns and ``harm_weight`` (see the module docstring).

    Returns
    -------
    CountsTable
        The validated rows.

    Raises
    ------
    InputError
        The file cannot be read, a required column is missing, an unknown column is present, or
        rows are invalid (`ImportRejected`, listing every rejected row: negative, non-numeric or
        fractional counts, all-zero rows, empty or repeated area names, missing buffer values,
        non-positive harm weights).
    """
    table = read_csv_records(path, expected_header=",".join(REQUIRED_COLUMNS))
    return _validate(table.columns, table.records, table.source, header_line=table.header_line)


def _validate(
    columns: list[str],
    records: list[tuple[int, Mapping[str, object]]],
    source: str,
    *,
    header_line: int = 1,
) -> CountsTable:
    cols = set(columns)
    missing = [c for c in REQUIRED_COLUMNS if c not in cols]
    if missing:
        msg = (
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; "
            f"the header must hold {','.join(REQUIRED_COLUMNS)}"
        )
        raise InputError.at(source, header_line, missing[0], msg)
    unknown = [c for c in columns if c not in KNOWN_COLUMNS]
    if unknown:
        msg = f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; " + (
            f"valid columns: {', '.join(KNOWN_COLUMNS)}"
        )
        raise InputError.at(source, header_line, unknown[0], msg)
    buffer_present = [c for c in BUFFER_COLUMNS if c in cols]
    if buffer_present and len(buffer_present) < len(BUFFER_COLUMNS):
        absent = [c for c in BUFFER_COLUMNS if c not in cols]
        msg = f"buffer columns come as a set of four; missing {', '.join(absent)}"
        raise InputError.at(source, header_line, absent[0], msg)
    has_buffer = bool(buffer_present)
    has_harm = HARM_WEIGHT in cols
    if not records:
        msg = f"{source}: no data rows after the header"
        raise InputError(msg)

    count_columns = EFFECT_COLUMNS + (BUFFER_COLUMNS if has_buffer else ())
    errors: list[RowError] = []
    rows: list[AreaCounts] = []
    seen: dict[str, int] = {}
    for line, rec in records:
        row_errors: list[RowError] = []
        area = str(rec.get("area", "") or "").strip()
        if not area:
            row_errors.append(RowError(source, line, "area", "the area name is empty"))
        elif area in seen:
            row_errors.append(
                RowError(
                    source,
                    line,
                    "area",
                    f"area `{area}` already appears on line {seen[area]}; each row needs a "
                    "distinct name (e.g. area and crime type)",
                )
            )
        else:
            seen[area] = line
        values: dict[str, int] = {}
        for col in count_columns:
            value, reason = _parse_count(rec.get(col))
            if reason is not None:
                row_errors.append(RowError(source, line, col, reason))
            else:
                assert value is not None
                values[col] = value
        harm = 1.0
        if has_harm:
            harm_value, reason = _parse_weight(rec.get(HARM_WEIGHT))
            if reason is not None:
                row_errors.append(RowError(source, line, HARM_WEIGHT, reason))
            else:
                assert harm_value is not None
                harm = harm_value
        if not row_errors and all(v == 0 for v in values.values()):
            row_errors.append(
                RowError(
                    source,
                    line,
                    None,
                    f"all counts are zero for area `{area}`: the row carries no information "
                    "(remove it or check how the counts were extracted)",
                )
            )
        if row_errors:
            errors.extend(row_errors)
            continue
        rows.append(AreaCounts(area=area, harm_weight=harm, line=line, **values))

    if errors:
        if len(errors) == 1:
            raise ImportRejected(str(errors[0]), errors=errors)
        msg = f"{source}: {len(errors)} problems in the counts; first: {errors[0]}"
        raise ImportRejected(msg, errors=errors)
    return CountsTable(
        source=source, rows=tuple(rows), has_buffer=has_buffer, has_harm_weight=has_harm
    )


def _parse_count(raw: object) -> tuple[int | None, str | None]:
    """A non-negative whole number, or the reason it is not one."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, "the count is missing"
    if isinstance(raw, bool):
        return None, f"expected a count, got {raw!r}"
    if isinstance(raw, int):
        value: float = raw
    elif isinstance(raw, float):
        value = raw
    else:
        text = str(raw).strip()
        try:
            value = float(text)
        except ValueError:
            return None, f"expected a whole number of incidents, got {text!r}"
    if not math.isfinite(value):
        return None, f"expected a whole number of incidents, got {raw!r}"
    if value < 0:
        return None, f"a count cannot be negative, got {raw!r}"
    if value != int(value):
        return None, f"a count is a whole number of incidents, got {raw!r}"
    return int(value), None


def _parse_weight(raw: object) -> tuple[float | None, str | None]:
    """A positive finite number, or the reason it is not one."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, "the harm weight is missing (write 1 for an unweighted row)"
    try:
        value = float(str(raw).strip()) if not isinstance(raw, int | float) else float(raw)
    except ValueError:
        return None, f"expected a positive number, got {str(raw).strip()!r}"
    if not math.isfinite(value) or value <= 0:
        return None, f"a harm weight must be a positive number, got {raw!r}"
    return value, None
