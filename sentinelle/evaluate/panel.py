"""The area × month panel of incident counts: the input of the staggered difference-in-differences.

One row per area and month, with the month the area got cameras (empty for a control area that
never got any)::

    area,period,count,treated_from
    Place Sainte-Anne,2009-01,14,2010-03
    Place Sainte-Anne,2009-02,11,2010-03
    Bourg-l'Évêque,2009-01,9,

``treated_from`` may be left out entirely (then no area is treated and nothing can be
estimated, but the file can still be read and described). Within one area ``treated_from``
must be the same on every row. Months missing between the first and the last month of the file
are read as zero incidents (panels built by counting incidents usually leave empty months out),
and `Panel.filled_zeros` says how many there were.

A panel can also be built from geolocated incidents and camera areas (`sentinelle.evaluate.areas`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sentinelle.errors import InputError, RowError
from sentinelle.evaluate._rows import (
    CsvRecords,
    check_columns,
    month_label,
    parse_month,
    raise_rejected,
    read_csv_records,
)
from sentinelle.evaluate.counts import _parse_count

PANEL_REQUIRED: tuple[str, ...] = ("area", "period", "count")
PANEL_OPTIONAL: tuple[str, ...] = ("treated_from",)
NEVER = np.iinfo(np.int64).max  # treated_from of a never-treated area


@dataclass(frozen=True)
class Panel:
    """Validated incident counts per area (rows) and month (columns).

    Attributes
    ----------
    source
        Where the counts came from (a file name, or a description).
    areas
        Area names, in order of first appearance.
    first_month
        Month index (``year * 12 + month - 1``) of the first column.
    counts
        Integer counts, shape (areas, months).
    treated_from
        Per area, the month index of the first month with cameras; `NEVER` for control areas.
    filled_zeros
        How many area-months were absent from the input and read as zero.
    synthetic
        Whether the incidents are synthetic (demo data), to be said in every output.
    """

    source: str
    areas: tuple[str, ...]
    first_month: int
    counts: np.ndarray
    treated_from: np.ndarray
    filled_zeros: int = 0
    synthetic: bool = False

    @property
    def n_areas(self) -> int:
        return len(self.areas)

    @property
    def n_months(self) -> int:
        return int(self.counts.shape[1])

    @property
    def months(self) -> np.ndarray:
        """Month index of every column."""
        return self.first_month + np.arange(self.n_months)

    @property
    def month_labels(self) -> list[str]:
        return [month_label(int(m)) for m in self.months]

    @property
    def treated(self) -> np.ndarray:
        """Boolean (areas, months): the area has cameras in that month."""
        return self.months[None, :] >= self.treated_from[:, None]

    @property
    def is_ever_treated(self) -> np.ndarray:
        return self.treated_from != NEVER

    def cohorts(self) -> dict[str, list[str]]:
        """Areas by the month they got cameras (``YYYY-MM``), and ``"never"`` for controls."""
        out: dict[str, list[str]] = {}
        for area, g in zip(self.areas, self.treated_from, strict=True):
            key = "never" if g == NEVER else month_label(int(g))
            out.setdefault(key, []).append(area)
        return dict(sorted(out.items()))

    def to_records(self) -> list[dict[str, object]]:
        """Rows ``area, period, count, treated_from`` (the CSV layout), zeros included."""
        rows: list[dict[str, object]] = []
        labels = self.month_labels
        for i, area in enumerate(self.areas):
            g = self.treated_from[i]
            treated = "" if g == NEVER else month_label(int(g))
            for j, label in enumerate(labels):
                rows.append(
                    {
                        "area": area,
                        "period": label,
                        "count": int(self.counts[i, j]),
                        "treated_from": treated,
                    }
                )
        return rows

    def write_csv(self, path: str | Path) -> Path:
        """Write the panel as ``area,period,count,treated_from`` CSV."""
        import csv

        path = Path(path)
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=[*PANEL_REQUIRED, *PANEL_OPTIONAL])
            writer.writeheader()
            writer.writerows(self.to_records())
        return path

    @classmethod
    def from_arrays(
        cls,
        counts: np.ndarray,
        *,
        treated_from: Sequence[int | None],
        first_month: int,
        areas: Sequence[str] | None = None,
        source: str = "<arrays>",
        synthetic: bool = False,
    ) -> Panel:
        """A panel from a counts matrix (areas × months) and the treatment month index per area
        (``None`` for never treated); used by simulations and by the incidents aggregator."""
        counts = np.asarray(counts)
        if counts.ndim != 2 or counts.size == 0:
            msg = f"counts must be a non-empty (areas, months) matrix, got shape {counts.shape}"
            raise InputError(msg)
        if np.any(counts < 0) or np.any(counts != np.round(counts)):
            msg = "counts must be non-negative whole numbers"
            raise InputError(msg)
        if len(treated_from) != counts.shape[0]:
            msg = f"{len(treated_from)} treatment months for {counts.shape[0]} areas"
            raise InputError(msg)
        if areas is None:
            areas = [f"area {i + 1}" for i in range(len(counts))]
        names = tuple(areas)
        g = np.array([NEVER if t is None else int(t) for t in treated_from], dtype=np.int64)
        return cls(source, names, int(first_month), counts.astype(np.int64), g, 0, synthetic)

    @classmethod
    def from_records(
        cls,
        records: Iterable[Mapping[str, object]],
        *,
        source: str = "<records>",
        first_line: int = 2,
    ) -> Panel:
        """Validate rows given as mappings (``area, period, count[, treated_from]``)."""
        records = list(records)
        columns: list[str] = []
        for rec in records:
            for key in rec:
                if key not in columns:
                    columns.append(key)
        table = CsvRecords(
            source,
            columns,
            first_line - 1,
            [
                (first_line + i, {k: "" if v is None else str(v) for k, v in rec.items()})
                for i, rec in enumerate(records)
            ],
        )
        return _validate(table)


def read_panel(path: str | Path) -> Panel:
    """Read and validate an ``area,period,count[,treated_from]`` CSV.

    Parameters
    ----------
    path
        The CSV file (layout in the module docstring).

    Returns
    -------
    Panel
        The counts as an areas × months matrix, missing months read as zero.

    Raises
    ------
    InputError
        The file cannot be read, a column is missing or unknown, or rows are invalid
        (`ImportRejected`, listing every rejected row with its line and column: bad month,
        negative or fractional count, the same area and month twice, an area whose
        ``treated_from`` changes from row to row).
    """
    table = read_csv_records(path, expected_header="area,period,count,treated_from")
    return _validate(table)


def _validate(table: CsvRecords) -> Panel:
    check_columns(table, required=PANEL_REQUIRED, optional=PANEL_OPTIONAL)
    source = table.source
    errors: list[RowError] = []
    area_index: dict[str, int] = {}
    treated: dict[str, tuple[int | None, int]] = {}  # area → (month or None, line it came from)
    seen: dict[tuple[str, int], int] = {}
    cells: list[tuple[int, int, int]] = []
    has_treated = "treated_from" in table.columns
    for line, rec in table.records:
        row_errors: list[RowError] = []
        area = rec.get("area", "").strip()
        if not area:
            row_errors.append(RowError(source, line, "area", "the area name is empty"))
        month, reason = parse_month(rec.get("period", ""))
        if reason is not None:
            row_errors.append(RowError(source, line, "period", reason))
        count, reason = _parse_count(rec.get("count"))
        if reason is not None:
            row_errors.append(RowError(source, line, "count", reason))
        g: int | None = None
        if has_treated and rec.get("treated_from", "").strip():
            g, reason = parse_month(rec["treated_from"])
            if reason is not None:
                row_errors.append(RowError(source, line, "treated_from", reason))
        if area and not any(e.field == "treated_from" for e in row_errors):
            if area in treated and treated[area][0] != g:
                before, first = treated[area]
                was = "empty" if before is None else month_label(before)
                now = "empty" if g is None else month_label(g)
                row_errors.append(
                    RowError(
                        source,
                        line,
                        "treated_from",
                        f"area `{area}` has treated_from {now} here but {was} on line {first}; "
                        "an area gets its cameras once (split it into two areas otherwise)",
                    )
                )
            treated.setdefault(area, (g, line))
        if area and month is not None:
            if (area, month) in seen:
                row_errors.append(
                    RowError(
                        source,
                        line,
                        "period",
                        f"area `{area}` and month {month_label(month)} already appear on line "
                        f"{seen[(area, month)]}; give one count per area and month",
                    )
                )
            else:
                seen[(area, month)] = line
        if row_errors:
            errors.extend(row_errors)
            continue
        assert month is not None and count is not None
        idx = area_index.setdefault(area, len(area_index))
        cells.append((idx, month, count))
    raise_rejected(source, errors, "panel")
    months = np.array([c[1] for c in cells])
    first, last = int(months.min()), int(months.max())
    counts = np.zeros((len(area_index), last - first + 1), dtype=np.int64)
    present = np.zeros_like(counts, dtype=bool)
    for i, m, n in cells:
        counts[i, m - first] = n
        present[i, m - first] = True
    areas = tuple(area_index)
    g_arr = np.array(
        [NEVER if treated[a][0] is None else treated[a][0] for a in areas], dtype=np.int64
    )
    return Panel(
        source=source,
        areas=areas,
        first_month=first,
        counts=counts,
        treated_from=g_arr,
        filled_zeros=int((~present).sum()),
    )
