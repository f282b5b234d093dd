"""A master-plan scenario: what the Schéma Directeur is asked, read from a TOML file.

The file holds the demand criteria and their weights, the candidate sites, the camera models,
the DORI levels required, the siting constraints (K or a budget, per-zone minimums and
maximums, forced or excluded sites), the unit costs, storage, control-room (CSU) staffing and
the years of the programme. Every section has defaults, so an empty file is a valid scenario;
``docs/scenario.md`` documents each key.

Errors name the file, the line (found from the key, best effort) and the key::

    examples/rennes.toml, line 41, field `siting.new_cameras`: Input should be ...

Relative paths in the file are read from the file's folder; ``rennes:NAME`` names a file of
the Rennes data shipped in the package (``rennes:metro_stations`` is
``sentinelle/data/rennes/rennes_metro_stations.geojson``).
"""

from __future__ import annotations

import re
import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sentinelle.errors import InputError
from sentinelle.geo.dori import Level
from sentinelle.registry.zone import MAX_RETENTION_DAYS

__all__ = [
    "CameraModel",
    "CameraKind",
    "Scenario",
    "load_scenario",
    "parse_scenario",
    "resolve_path",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- demand -------------------------------------------------------------------------------


class CriterionWeights(_Strict):
    """Weight of each criterion in a street cell's priority (0 switches a criterion off)."""

    base: float = Field(0.1, ge=0, description="Every street cell")
    incidents: float = Field(3.0, ge=0, description="Incident density (or zone rate)")
    qpv: float = Field(2.0, ge=0, description="Cell inside a QPV")
    intersection: float = Field(1.0, ge=0, description="Intersection near the cell")
    traffic_signals: float = Field(0.5, ge=0, description="Traffic signals near the cell")
    population: float = Field(1.0, ge=0, description="Residents of the 200 m square")


class SensitiveLayer(_Strict):
    """A layer of sensitive sites (metro stations, car parks, schools…): points or polygons."""

    name: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_\-]+$")
    label: str = Field(min_length=1, max_length=80, description="French label for the document")
    file: str = Field(min_length=1, description="GeoJSON file or rennes:NAME")
    radius_m: float = Field(100.0, gt=0, le=2000, description="Influence radius (linear decay)")
    weight: float = Field(1.0, ge=0)
    min_field: str | None = Field(None, description="Keep features whose field is >= min_value")
    min_value: float | None = None


class Demand(_Strict):
    """How street cells are weighted."""

    cell_length_m: float = Field(25.0, gt=0, le=25.0, description="Street cells of at most")
    weights: CriterionWeights = CriterionWeights()
    incidents_file: str | None = Field(None, description="CSV lon,lat[,weight] of incidents")
    incident_bandwidth_m: float = Field(150.0, gt=0, le=5000)
    zone_rates_file: str | None = Field(None, description="CSV kind,name,rate per zone")
    population_file: str | None = Field(
        "rennes:carreaux_200m_population", description="INSEE 200 m grid (GeoJSON, ind_c)"
    )
    population_field: str = "ind_c"
    near_m: float = Field(15.0, gt=0, le=200, description="Intersections/signals within")
    sensitive: list[SensitiveLayer] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> Demand:
        names = [s.name for s in self.sensitive]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            msg = f"sensitive layer names must be unique, repeated: {', '.join(sorted(dup))}"
            raise ValueError(msg)
        reserved = set(CriterionWeights.model_fields)
        clash = reserved & set(names)
        if clash:
            msg = f"sensitive layer name(s) {', '.join(sorted(clash))} clash with a criterion"
            raise ValueError(msg)
        return self


# --- candidates and camera models ---------------------------------------------------------


class CameraKind(StrEnum):
    """The camera models a plan may propose."""

    fixed = "fixed"
    ptz = "ptz"
    multisensor = "multisensor"


class Resolution(_Strict):
    """A resolution option of a camera model, with its stream and its price premium."""

    label: str = Field(min_length=1, max_length=20, description="e.g. '4 MP'")
    width_px: int = Field(gt=0, le=20000)
    bitrate_mbps: float = Field(gt=0, le=100, description="Per head (stream), H.265")
    extra_eur: float = Field(0.0, ge=0, description="Price premium over the model's price")


Place = Literal["intersection", "street", "user"]


class CameraModel(_Strict):
    """A camera model offered to the siting (one column per site, model and orientation)."""

    name: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_\-]+$")
    label: str = Field(min_length=1, max_length=80)
    kind: CameraKind
    heads: int = Field(1, ge=1, le=8, description="Heads of the unit (4 for a multi-sensor)")
    hfov_deg: float = Field(gt=0, le=360, description="Per head (360 for a PTZ: its pan)")
    focal_mm: float = Field(gt=0, le=2000, description="For the DORI distance")
    sensor_width_mm: float = Field(gt=0, le=100)
    range_m: float = Field(gt=0, le=500, description="Design distance the model must watch to")
    height_m: float = Field(6.0, ge=0, le=100)
    orientations: int = Field(1, ge=1, le=12, description="Fixed heads: bearings tried per site")
    price_factor: float = Field(
        1.0, gt=0, le=10, description="Installed cost relative to costs.camera_installed_eur"
    )
    at: list[Place] = Field(default_factory=lambda: ["intersection", "street", "user"])
    resolutions: list[Resolution] = Field(min_length=1)

    @model_validator(mode="after")
    def _shape(self) -> CameraModel:
        if self.kind is CameraKind.multisensor and self.heads < 2:
            raise ValueError("a multi-sensor unit has at least 2 heads")
        if self.kind is not CameraKind.multisensor and self.heads != 1:
            raise ValueError(f"a {self.kind.value} camera has one head")
        if self.kind is not CameraKind.fixed and self.orientations != 1:
            raise ValueError("only fixed cameras take several orientations")
        widths = [r.width_px for r in self.resolutions]
        if widths != sorted(widths) or len(set(widths)) != len(widths):
            raise ValueError("resolutions must be listed by increasing width_px, each once")
        return self


class Candidates(_Strict):
    """Where new cameras may go."""

    intersections: bool = True
    street_spacing_m: float = Field(150.0, ge=0, description="0: no points along streets")
    min_spacing_m: float = Field(30.0, ge=0, description="Drop street points this close")
    user_sites_file: str | None = Field(None, description="GeoJSON points or CSV lon,lat,id")
    arc_step_deg: float = Field(3.0, gt=0, le=10)
    min_fraction: float = Field(0.5, gt=0, le=1, description="Share of a cell seen to cover it")
    exclude_within_m: float = Field(
        15.0, ge=0, description="Drop candidates this close to an existing camera"
    )


# --- DORI, siting -------------------------------------------------------------------------


class DoriRule(_Strict):
    """A required DORI level inside zones of a kind, or near a sensitive layer."""

    level: Level
    zone_kind: str | None = None
    zone: str | None = Field(None, description="One zone's name (with zone_kind)")
    sensitive: str | None = Field(None, description="A demand.sensitive layer name")

    @model_validator(mode="after")
    def _one(self) -> DoriRule:
        if (self.zone_kind is None) == (self.sensitive is None):
            raise ValueError("a DORI rule names either zone_kind or sensitive")
        if self.zone is not None and self.zone_kind is None:
            raise ValueError("zone needs zone_kind")
        return self


class Dori(_Strict):
    """Required observation levels (EN 62676-4); the highest applicable rule wins."""

    default: Level = Level.observe
    rules: list[DoriRule] = Field(default_factory=list)


class ZoneMinimum(_Strict):
    """Minimum share of the demand weight to cover in each zone of a kind (or one zone)."""

    zone_kind: str
    zone: str | None = None
    share: float = Field(ge=0, le=1)


class ZoneMaximum(_Strict):
    """Maximum number of new cameras in each zone of a kind (or one zone)."""

    zone_kind: str
    zone: str | None = None
    max_new: int = Field(ge=0)


class Siting(_Strict):
    """The siting problem: how many cameras, what budget, which constraints."""

    new_cameras: int | None = Field(None, ge=0, description="K: new cameras (a unit counts 1)")
    budget_eur: float | None = Field(None, ge=0, description="Capital budget for new sites")
    time_limit_s: float = Field(60.0, ge=0, le=3600)
    minimums: list[ZoneMinimum] = Field(default_factory=list)
    maximums: list[ZoneMaximum] = Field(default_factory=list)
    forced: list[str] = Field(default_factory=list, description="User site ids to equip")
    excluded: list[str] = Field(default_factory=list, description="User site ids to leave out")
    excluded_zones: list[str] = Field(
        default_factory=list, description="'kind:name' zones where no new camera goes"
    )

    @model_validator(mode="after")
    def _target(self) -> Siting:
        if self.new_cameras is None and self.budget_eur is None:
            raise ValueError("give new_cameras (K) or budget_eur, or both")
        both = set(self.forced) & set(self.excluded)
        if both:
            raise ValueError(f"site(s) both forced and excluded: {', '.join(sorted(both))}")
        for z in self.excluded_zones:
            if ":" not in z:
                raise ValueError(f"excluded zone '{z}' must read 'kind:name'")
        for rules, what in ((self.minimums, "minimums"), (self.maximums, "maximums")):
            kinds = {r.zone_kind for r in rules}
            if len(kinds) > 1:
                msg = f"{what}: all rules must use the same zone_kind, got {sorted(kinds)}"
                raise ValueError(msg)
        return self


# --- costs, network, storage, staffing, phasing ------------------------------------------


class Costs(_Strict):
    """Unit costs (euros). Defaults: public French figures, or assumptions said as such."""

    camera_installed_eur: float = Field(
        13_800.0, ge=0, description="Average camera installed (Ministry of the Interior 2013)"
    )
    maintenance_rate: float = Field(
        0.05, ge=0, le=0.5, description="Per year, share of the investment (public range 2-8 %)"
    )
    replacement_share: float = Field(
        0.6, ge=0, le=2, description="Replacing a camera costs this share of a new one"
    )
    existing_camera_value_eur: float = Field(
        13_800.0, ge=0, description="Investment value of an existing camera (maintenance base)"
    )
    fte_cost_eur: float = Field(45_000.0, ge=0, description="Loaded cost of one CSU operator")
    csu_position_eur: float = Field(15_000.0, ge=0, description="Workstation per live position")
    amortisation_years: int = Field(5, ge=1, le=30)


class Transmission(_Strict):
    """Fibre where the network is near and fibre is cheaper over the amortisation period."""

    fibre_reach_m: float = Field(300.0, ge=0, description="Fibre when this close to the network")
    fibre_per_m_eur: float = Field(90.0, ge=0, description="Trench and fibre per metre")
    radio_link_eur: float = Field(4_000.0, ge=0, description="Radio link (both ends)")
    fibre_opex_eur: float = Field(150.0, ge=0, description="Per site and year")
    radio_opex_eur: float = Field(400.0, ge=0, description="Per site and year")


class Storage(_Strict):
    """Recording: bitrate × retention × streams, with redundancy."""

    retention_days: int = Field(
        30, ge=1, le=MAX_RETENTION_DAYS, description="At most 30 days (CSI L252-5)"
    )
    recording_share: float = Field(1.0, gt=0, le=1, description="Share of time recorded")
    redundancy: float = Field(1.25, ge=1, le=4, description="Raw capacity / useful capacity")
    cost_per_tb_eur: float = Field(250.0, ge=0, description="Installed raw capacity per TB")
    existing_bitrate_mbps: float = Field(4.0, gt=0, le=100, description="Per existing head")


class Csu(_Strict):
    """The control room (centre de supervision urbain)."""

    operators_per_100_24_7: float = Field(
        12.0, ge=0, le=100, description="FTE per 100 cameras watched 24/7 (public benchmark)"
    )
    hours_per_day: float = Field(24.0, gt=0, le=24)
    days_per_week: float = Field(7.0, gt=0, le=7)
    live_share: float = Field(1.0, ge=0, le=1, description="Share of cameras watched live")
    cameras_per_position: int = Field(
        40, ge=1, description="Cameras one live position follows (workstations to buy)"
    )


class Phasing(_Strict):
    """The multi-year programme."""

    start_year: int = Field(2026, ge=2000, le=2100)
    years: int = Field(5, ge=1, le=20)
    yearly_budget_eur: float | None = Field(None, ge=0, description="Capital budget per year")
    replacement_age_years: int = Field(10, ge=1, le=50)


class Existing(_Strict):
    """The cameras already in service (from the registry)."""

    statuses: list[str] = Field(default_factory=lambda: ["in_service"])
    reference_year: int | None = Field(None, description="Age counted at this year (default start)")


class Meta(_Strict):
    """Names that appear in the document."""

    name: str = Field("Schéma directeur de vidéoprotection", min_length=1, max_length=200)
    city: str = Field("Ville", min_length=1, max_length=100)
    author: str = Field("Sentinelle", max_length=200)
    notes: list[str] = Field(default_factory=list)


class Scenario(_Strict):
    """A whole scenario (every section optional except the siting target and models)."""

    scenario: Meta = Meta()
    demand: Demand = Demand()
    candidates: Candidates = Candidates()
    models: list[CameraModel] = Field(min_length=1)
    dori: Dori = Dori()
    siting: Siting
    costs: Costs = Costs()
    transmission: Transmission = Transmission()
    storage: Storage = Storage()
    csu: Csu = Csu()
    phasing: Phasing = Phasing()
    existing: Existing = Existing()
    base_dir: Path | None = Field(None, exclude=True)

    @model_validator(mode="after")
    def _names(self) -> Scenario:
        names = [m.name for m in self.models]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"model names must be unique, repeated: {', '.join(sorted(dup))}")
        layers = {s.name for s in self.demand.sensitive}
        for r in self.dori.rules:
            if r.sensitive is not None and r.sensitive not in layers:
                msg = f"DORI rule names sensitive layer '{r.sensitive}', not in demand.sensitive"
                raise ValueError(msg)
        return self

    def path(self, value: str) -> Path:
        """A file named in the scenario (relative to its folder, or rennes:NAME)."""
        return resolve_path(value, self.base_dir)


def resolve_path(value: str, base_dir: Path | None) -> Path:
    """Resolve ``rennes:NAME`` to the packaged Rennes data, a relative path to `base_dir`."""
    if value.startswith("rennes:"):
        from sentinelle.demo.rennes import data_dir

        name = value.split(":", 1)[1]
        folder = data_dir()
        for candidate in (f"rennes_{name}.geojson", f"rennes_{name}.csv", name):
            if (folder / candidate).exists():
                return folder / candidate
        msg = f"{value}: no such file in the packaged Rennes data ({folder})"
        raise InputError(msg)
    p = Path(value).expanduser()
    return p if p.is_absolute() or base_dir is None else base_dir / p


def _key(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _line_of(text: str, loc: tuple[Any, ...]) -> int | None:
    """Best-effort line of the key at `loc` (its table header, then the key inside it)."""
    lines = text.splitlines()
    start, end = 0, len(lines)
    path: list[str] = []
    i = 0
    parts = list(loc)
    found: int | None = None
    while i < len(parts):
        part = parts[i]
        if isinstance(part, int):
            i += 1
            continue
        path.append(str(part))
        nth = parts[i + 1] if i + 1 < len(parts) and isinstance(parts[i + 1], int) else None
        dotted = ".".join(path)
        header = re.compile(r"^\s*\[\[?\s*" + re.escape(dotted) + r"\s*\]\]?\s*(#.*)?$")
        hits = [k for k in range(start, end) if header.match(lines[k])]
        if hits:
            k = hits[nth] if nth is not None and nth < len(hits) else hits[0]
            found = k + 1
            start = k + 1
            nxt = [j for j in range(start, len(lines)) if re.match(r"^\s*\[", lines[j])]
            end = nxt[0] if nxt else len(lines)
        else:
            keyre = re.compile(r"^\s*" + re.escape(str(part)) + r"\s*=")
            hit = next((k for k in range(start, end) if keyre.match(lines[k])), None)
            if hit is not None:
                found = hit + 1
            break
        i += 1
    return found


def parse_scenario(
    text: str, *, source: str = "<scenario>", base_dir: Path | None = None
) -> Scenario:
    """A validated scenario from TOML text.

    Parameters
    ----------
    text
        The TOML document.
    source
        Name used in error messages (the file name).
    base_dir
        Folder that relative paths in the scenario are read from.

    Raises
    ------
    InputError
        On TOML syntax errors (with the line) and invalid or unknown keys (with the key).
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise InputError.at(source, int(m.group(1)) if m else None, None,
                            f"not valid TOML: {exc}") from None
    try:
        return Scenario.model_validate({**data, "base_dir": base_dir})
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key (see docs/scenario.md)"
        elif err["type"] == "missing":
            msg = "required key is missing"
        more = len(exc.errors()) - 1
        if more:
            msg += f" (and {more} more problem{'s' if more > 1 else ''})"
        raise InputError.at(source, _line_of(text, loc), _key(loc) or None, msg) from None


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file (see `parse_scenario`)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError.at(str(p), None, None, "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError.at(str(p), None, None, f"cannot read: {exc}") from None
    return parse_scenario(text, source=str(p), base_dir=p.resolve().parent)
