"""Zones (QPV, quartiers, IRIS, custom areas) and prefectoral authorisations (CSI L252-1)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

import shapely
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from shapely.geometry.base import BaseGeometry

from sentinelle.registry.purposes import Purpose, parse_purposes

MAX_RETENTION_DAYS = 30  # CSI L252-5: "un mois"
AUTHORISATION_YEARS = 5  # CSI L252-4: renewable five-year authorisation


class ZoneKind(StrEnum):
    qpv = "qpv"
    quartier = "quartier"
    iris = "iris"
    custom = "custom"


class Zone(BaseModel):
    """A named polygon in WGS84."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    kind: ZoneKind
    name: str = Field(min_length=1, max_length=300)
    code: str | None = None
    geometry: Any = Field(description="shapely Polygon or MultiPolygon, WGS84")
    properties: dict[str, Any] = Field(default_factory=dict)

    @field_validator("geometry")
    @classmethod
    def _polygon(cls, g: Any) -> BaseGeometry:
        if not isinstance(g, BaseGeometry):
            msg = "geometry must be a shapely geometry"
            raise ValueError(msg)
        if g.geom_type not in ("Polygon", "MultiPolygon"):
            msg = f"a zone is a Polygon or MultiPolygon, got {g.geom_type}"
            raise ValueError(msg)
        if g.is_empty:
            raise ValueError("empty polygon")
        if not g.is_valid:
            g = shapely.make_valid(g)
            if g.geom_type == "GeometryCollection":
                polys = [p for p in g.geoms if p.geom_type in ("Polygon", "MultiPolygon")]
                g = shapely.union_all(polys)
        return g


class AuthorisationType(StrEnum):
    standard = "standard"
    provisional = "provisional"
    event = "event"


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


class Authorisation(BaseModel):
    """A prefectoral authorisation of a video-protection system (CSI L252-1)."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    reference: str = Field(min_length=1, max_length=100)
    type: AuthorisationType = AuthorisationType.standard
    issued: date
    expires: date | None = Field(None, description="Default: issued + 5 years (CSI L252-4)")
    purposes: list[Purpose] = Field(default_factory=list)
    max_retention_days: int = Field(MAX_RETENTION_DAYS, ge=1, le=MAX_RETENTION_DAYS)
    min_retention_days: int | None = Field(None, ge=1, le=MAX_RETENTION_DAYS)
    perimeter: Any | None = Field(None, description="shapely polygon, WGS84")
    cameras: list[str] = Field(default_factory=list)
    authority: str | None = Field(None, description="Issuing authority (préfecture)")

    @field_validator("purposes", mode="before")
    @classmethod
    def _purposes(cls, v: Any) -> Any:
        return parse_purposes(v)

    @field_validator("cameras", mode="before")
    @classmethod
    def _cameras(cls, v: Any) -> Any:
        if isinstance(v, str):
            return [c.strip() for c in v.replace(";", ",").split(",") if c.strip()]
        return v

    @model_validator(mode="after")
    def _dates(self) -> Authorisation:
        if self.expires is None:
            self.expires = _add_years(self.issued, AUTHORISATION_YEARS)
        if self.expires <= self.issued:
            msg = f"expires ({self.expires}) must come after issued ({self.issued})"
            raise ValueError(msg)
        lo, hi = self.min_retention_days, self.max_retention_days
        if lo is not None and lo > hi:
            msg = (
                f"min_retention_days ({self.min_retention_days}) exceeds "
                f"max_retention_days ({self.max_retention_days})"
            )
            raise ValueError(msg)
        return self

    def in_force(self, on: date) -> bool:
        assert self.expires is not None
        return self.issued <= on < self.expires
