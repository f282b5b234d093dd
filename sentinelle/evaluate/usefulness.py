r"""Usefulness of the footage to investigations: measured per investigation, not per camera.

Input: one row per investigation (a case), from the police or gendarmerie's records::

    case_id,date,category,solved,footage_requested,footage_available,footage_useful,camera_ids
    2023-0001,2023-01-04,vol avec violence,1,1,1,1,R01-1;R01-2
    2023-0002,2023-01-05,cambriolage,0,0,0,0,

``date`` is ``YYYY-MM-DD`` (or ``DD/MM/YYYY``); the four flags are ``1/0`` (``true/false``,
``oui/non``); ``camera_ids`` (optional) lists the cameras whose footage was requested, separated
by ``;``, ``|`` or spaces. The flags must nest: footage can only be available if it was
requested, and useful if it was available; a row that breaks this is rejected, named by line
and column.

Figures
-------
With :math:`n` cases, :math:`r` with footage requested, :math:`a` available, :math:`u` useful,
:math:`s` solved and :math:`h` solved *and* with useful footage:

- share requested :math:`r/n`, available :math:`a/n`, useful :math:`u/n`, and the funnel
  :math:`a/r` (available when requested) and :math:`u/a` (useful when available);
- share of solved cases the footage helped: :math:`h/s`;
- the same per crime category, and per camera (a case counts once for each camera it names);
- cost per useful case: :math:`C \cdot Y / u` with :math:`C` the annual cost of the network and
  :math:`Y` the years the cases cover (from the first to the last date, or given); likewise per
  solved case helped, :math:`C \cdot Y / h`.

Every share has a 95 % Wilson score interval (Wilson 1927), which behaves well for the small
shares seen here. The reference point: in a gendarmerie study of 1,939 investigations, footage
helped solve 22 (1.13 %) (Gormand 2021, CREOGN).

Assumptions: the cases are all the investigations of the period in the area (not only those
where footage was sought); "useful" and "helped" are the investigators' judgement, recorded at
closure; the annual cost covers the whole network whose footage was requested.

References
----------
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
*Journal of the American Statistical Association* 22, 209–212.
Gormand, G. (2021). *Évaluation de la contribution de la vidéoprotection de voie publique à
l'élucidation des enquêtes judiciaires*. Study for the Centre de recherche de l'École des
officiers de la gendarmerie nationale (CREOGN).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from scipy import stats

from sentinelle.errors import InputError, RowError
from sentinelle.evaluate._rows import (
    CsvRecords,
    check_columns,
    parse_bool,
    parse_date,
    raise_rejected,
    read_csv_records,
)

CASE_REQUIRED: tuple[str, ...] = (
    "case_id",
    "date",
    "category",
    "solved",
    "footage_requested",
    "footage_available",
    "footage_useful",
)
CASE_OPTIONAL: tuple[str, ...] = ("camera_ids",)
FLAGS: tuple[str, ...] = ("solved", "footage_requested", "footage_available", "footage_useful")
REFERENCE_GENDARMERIE = {"cases": 1939, "solved_helped": 22, "share": 22 / 1939}
_SPLIT = re.compile(r"[;|\s]+")


@dataclass(frozen=True)
class Case:
    """One investigation."""

    case_id: str
    date: date
    category: str
    solved: bool
    footage_requested: bool
    footage_available: bool
    footage_useful: bool
    camera_ids: tuple[str, ...] = ()
    line: int | None = None


@dataclass(frozen=True)
class CaseTable:
    """Validated investigations, in file order."""

    source: str
    cases: tuple[Case, ...]
    has_cameras: bool

    def __len__(self) -> int:
        return len(self.cases)

    @classmethod
    def from_records(
        cls, records: Iterable[Mapping[str, object]], *, source: str = "<records>"
    ) -> CaseTable:
        """Validate rows given as mappings (the CSV's columns)."""
        records = list(records)
        columns: list[str] = []
        for rec in records:
            for key in rec:
                if key not in columns:
                    columns.append(key)
        table = CsvRecords(
            source,
            columns,
            1,
            [
                (2 + i, {k: "" if v is None else str(v) for k, v in rec.items()})
                for i, rec in enumerate(records)
            ],
        )
        return _validate(table)


def read_cases(path: str | Path) -> CaseTable:
    """Read and validate an investigations CSV (layout in the module docstring).

    Raises
    ------
    InputError
        The file cannot be read, a column is missing or unknown, or rows are invalid
        (`ImportRejected`, listing each with its line and column: empty or repeated case id,
        bad date, bad flag, flags that do not nest).
    """
    table = read_csv_records(path, expected_header=",".join((*CASE_REQUIRED, *CASE_OPTIONAL)))
    return _validate(table)


def _validate(table: CsvRecords) -> CaseTable:
    check_columns(table, required=CASE_REQUIRED, optional=CASE_OPTIONAL)
    source = table.source
    errors: list[RowError] = []
    cases: list[Case] = []
    seen: dict[str, int] = {}
    for line, rec in table.records:
        row_errors: list[RowError] = []
        case_id = rec.get("case_id", "").strip()
        if not case_id:
            row_errors.append(RowError(source, line, "case_id", "the case id is empty"))
        elif case_id in seen:
            row_errors.append(
                RowError(source, line, "case_id",
                         f"case `{case_id}` already appears on line {seen[case_id]}")
            )
        else:
            seen[case_id] = line
        day, reason = parse_date(rec.get("date", ""))
        if reason:
            row_errors.append(RowError(source, line, "date", reason))
        category = rec.get("category", "").strip()
        if not category:
            row_errors.append(RowError(source, line, "category", "the category is empty"))
        flags: dict[str, bool] = {}
        for col in FLAGS:
            value, reason = parse_bool(rec.get(col, ""))
            if reason:
                row_errors.append(RowError(source, line, col, reason))
            else:
                assert value is not None
                flags[col] = value
        if len(flags) == len(FLAGS):
            if flags["footage_available"] and not flags["footage_requested"]:
                row_errors.append(
                    RowError(source, line, "footage_available",
                             "footage marked available but never requested (footage_requested "
                             "is 0); the flags must nest: requested ≥ available ≥ useful")
                )
            if flags["footage_useful"] and not flags["footage_available"]:
                row_errors.append(
                    RowError(source, line, "footage_useful",
                             "footage marked useful but not available (footage_available is 0);"
                             " the flags must nest: requested ≥ available ≥ useful")
                )
        cameras = tuple(c for c in _SPLIT.split(rec.get("camera_ids", "").strip()) if c)
        if row_errors:
            errors.extend(row_errors)
            continue
        assert day is not None
        cases.append(Case(case_id, day, category, line=line, camera_ids=cameras, **flags))
    raise_rejected(source, errors, "investigations")
    return CaseTable(source, tuple(cases), "camera_ids" in table.columns)


@dataclass(frozen=True)
class Share:
    """``count`` out of ``total``, with a Wilson score interval."""

    count: int
    total: int
    alpha: float = 0.05

    @property
    def share(self) -> float | None:
        return self.count / self.total if self.total else None

    @property
    def interval(self) -> tuple[float, float] | None:
        """Wilson score interval (None when the total is zero)."""
        if not self.total:
            return None
        z = float(stats.norm.ppf(1 - self.alpha / 2))
        n, p = self.total, self.count / self.total
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return max(0.0, centre - half), min(1.0, centre + half)

    def to_json(self) -> dict[str, Any]:
        ci = self.interval
        return {
            "count": self.count,
            "total": self.total,
            "share": self.share,
            "ci_low": None if ci is None else ci[0],
            "ci_high": None if ci is None else ci[1],
        }


@dataclass(frozen=True)
class UsefulnessFigures:
    """The funnel of one group of cases (all, a category or a camera)."""

    label: str
    cases: int
    solved: int
    requested: Share
    available: Share
    useful: Share
    available_when_requested: Share
    useful_when_available: Share
    solved_helped: Share  # solved cases with useful footage, out of solved cases

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "cases": self.cases,
            "solved": self.solved,
            "requested": self.requested.to_json(),
            "available": self.available.to_json(),
            "useful": self.useful.to_json(),
            "available_when_requested": self.available_when_requested.to_json(),
            "useful_when_available": self.useful_when_available.to_json(),
            "solved_helped": self.solved_helped.to_json(),
        }


class SupportsAnnualCost(Protocol):
    """What the master plan's costing must offer for `cost_basis_from_plan`: the network's
    annual cost in euros (investment annualised plus operation) and a label."""

    annual_cost_eur: float
    label: str


@dataclass(frozen=True)
class CostBasis:
    """The annual cost of the network used to price a useful case, and where it comes from."""

    annual_cost_eur: float
    source: str
    years: float | None = None  # None: the span of the cases' dates

    def __post_init__(self) -> None:
        if not (math.isfinite(self.annual_cost_eur) and self.annual_cost_eur > 0):
            msg = f"the annual cost must be a positive number of euros, got {self.annual_cost_eur}"
            raise InputError(msg)
        if self.years is not None and not (math.isfinite(self.years) and self.years > 0):
            msg = f"the number of years must be positive, got {self.years}"
            raise InputError(msg)


def cost_basis_from_plan(costing: SupportsAnnualCost) -> CostBasis:
    """Hook for the master plan's costing (`sentinelle.plan`, not built yet): any object with
    ``annual_cost_eur`` and ``label`` gives the cost basis. Until the plan lands, pass
    ``--annual-cost`` (a `CostBasis` with ``source="given"``)."""
    return CostBasis(float(costing.annual_cost_eur), f"master plan: {costing.label}")


@dataclass(frozen=True)
class CostPerCase:
    annual_cost_eur: float
    years: float
    source: str
    useful_cases: int
    solved_helped: int

    @property
    def total_eur(self) -> float:
        return self.annual_cost_eur * self.years

    @property
    def per_useful_case_eur(self) -> float | None:
        return self.total_eur / self.useful_cases if self.useful_cases else None

    @property
    def per_solved_helped_eur(self) -> float | None:
        return self.total_eur / self.solved_helped if self.solved_helped else None

    def to_json(self) -> dict[str, Any]:
        return {
            "annual_cost_eur": self.annual_cost_eur,
            "years": self.years,
            "total_eur": self.total_eur,
            "per_useful_case_eur": self.per_useful_case_eur,
            "per_solved_helped_eur": self.per_solved_helped_eur,
            "source": self.source,
        }


@dataclass(frozen=True)
class UsefulnessResult:
    """Usefulness overall, per category and per camera, and the cost per useful case."""

    overall: UsefulnessFigures
    by_category: tuple[UsefulnessFigures, ...]
    by_camera: tuple[UsefulnessFigures, ...]
    cost: CostPerCase | None
    first_date: date
    last_date: date
    source: str = ""
    synthetic: bool = False

    def to_json(self) -> dict[str, Any]:
        """The JSON document of ``sentinelle evaluate usefulness --json``."""
        return {
            **{k: v for k, v in self.overall.to_json().items() if k != "label"},
            "first_date": self.first_date.isoformat(),
            "last_date": self.last_date.isoformat(),
            "by_category": [
                {"category": f.label, **{k: v for k, v in f.to_json().items() if k != "label"}}
                for f in self.by_category
            ],
            "by_camera": [
                {"camera_id": f.label, **{k: v for k, v in f.to_json().items() if k != "label"}}
                for f in self.by_camera
            ],
            "cost": None if self.cost is None else self.cost.to_json(),
            "reference": {
                "study": "Gormand 2021 (CREOGN), gendarmerie investigations",
                **REFERENCE_GENDARMERIE,
            },
            "synthetic": self.synthetic,
        }


def _figures(label: str, cases: list[Case], alpha: float) -> UsefulnessFigures:
    n = len(cases)
    r = sum(c.footage_requested for c in cases)
    a = sum(c.footage_available for c in cases)
    u = sum(c.footage_useful for c in cases)
    s = sum(c.solved for c in cases)
    h = sum(c.solved and c.footage_useful for c in cases)
    return UsefulnessFigures(
        label=label,
        cases=n,
        solved=s,
        requested=Share(r, n, alpha),
        available=Share(a, n, alpha),
        useful=Share(u, n, alpha),
        available_when_requested=Share(a, r, alpha),
        useful_when_available=Share(u, a, alpha),
        solved_helped=Share(h, s, alpha),
    )


def span_years(first: date, last: date) -> float:
    """Years covered from the first to the last day inclusive (365.25 days a year)."""
    return ((last - first).days + 1) / 365.25


def estimate_usefulness(
    table: CaseTable,
    *,
    cost: CostBasis | None = None,
    alpha: float = 0.05,
    synthetic: bool = False,
) -> UsefulnessResult:
    """Shares of investigations where footage was requested, available and useful, overall,
    per category and per camera, and the cost per useful case.

    Formulas, assumptions and the reference study are in the module docstring.

    Parameters
    ----------
    table
        Validated investigations (`read_cases`).
    cost
        The network's annual cost (`CostBasis`, e.g. from ``--annual-cost`` or
        `cost_basis_from_plan`); no cost figures without it.
    alpha
        1 − confidence level of the Wilson intervals.
    synthetic
        Whether the cases are synthetic (demo), to be said in every output.

    Examples
    --------
    >>> t = CaseTable.from_records([
    ...     {"case_id": "1", "date": "2023-01-01", "category": "vol", "solved": 1,
    ...      "footage_requested": 1, "footage_available": 1, "footage_useful": 1},
    ...     {"case_id": "2", "date": "2023-12-31", "category": "vol", "solved": 1,
    ...      "footage_requested": 1, "footage_available": 0, "footage_useful": 0}])
    >>> r = estimate_usefulness(t, cost=CostBasis(100_000.0, "given", years=1.0))
    >>> r.overall.solved_helped.share, round(r.cost.per_useful_case_eur)
    (0.5, 100000)
    """
    if not table.cases:
        msg = f"{table.source}: no investigations to count"
        raise InputError(msg)
    cases = list(table.cases)
    first = min(c.date for c in cases)
    last = max(c.date for c in cases)
    overall = _figures("all", cases, alpha)
    categories: dict[str, list[Case]] = {}
    cameras: dict[str, list[Case]] = {}
    for c in cases:
        categories.setdefault(c.category, []).append(c)
        for cam in c.camera_ids:
            cameras.setdefault(cam, []).append(c)
    by_category = tuple(
        sorted((_figures(k, v, alpha) for k, v in categories.items()), key=lambda f: -f.cases)
    )
    by_camera = tuple(
        sorted((_figures(k, v, alpha) for k, v in cameras.items()),
               key=lambda f: (-f.useful.count, -f.cases, f.label))
    )
    cost_out = None
    if cost is not None:
        years = cost.years if cost.years is not None else span_years(first, last)
        cost_out = CostPerCase(
            cost.annual_cost_eur,
            years,
            cost.source,
            overall.useful.count,
            overall.solved_helped.count,
        )
    return UsefulnessResult(overall, by_category, by_camera, cost_out, first, last,
                            table.source, synthetic)
