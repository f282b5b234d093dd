"""Cameras and their heads: the validated model every format and the store speak.

Field names are a public contract (GeoJSON properties, CSV columns, JSON keys, API fields).
Legal bounds live on the fields: `retention_days` is 1–30 by construction (CSI L252-5).
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sentinelle.registry.dates import PartialDate
from sentinelle.registry.purposes import Purpose, parse_purposes


class CameraType(StrEnum):
    fixed = "fixed"
    ptz = "ptz"
    dome = "dome"
    multisensor = "multisensor"


class CameraStatus(StrEnum):
    planned = "planned"
    in_service = "in_service"
    out_of_service = "out_of_service"
    removed = "removed"


HEAD_FIELDS = (
    "azimuth_deg",
    "hfov_deg",
    "tilt_deg",
    "range_m",
    "focal_mm",
    "sensor_width_mm",
    "image_width_px",
    "pan_min_deg",
    "pan_max_deg",
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Head(_Model):
    """One optical head (a sensor and its lens) of a camera."""

    azimuth_deg: float | None = Field(
        None, ge=0, le=360, description="True-north bearing of the optical axis, clockwise"
    )
    hfov_deg: float | None = Field(None, gt=0, le=360, description="Horizontal field of view")
    tilt_deg: float | None = Field(None, ge=-90, le=90, description="Tilt below (−) the horizon")
    range_m: float | None = Field(None, gt=0, le=5000, description="Useful range in metres")
    focal_mm: float | None = Field(None, gt=0, le=2000)
    sensor_width_mm: float | None = Field(None, gt=0, le=100)
    image_width_px: int | None = Field(None, gt=0, le=20000)
    pan_min_deg: float | None = Field(None, ge=-360, le=360, description="PTZ pan range start")
    pan_max_deg: float | None = Field(None, ge=-360, le=720, description="PTZ pan range end")

    @field_validator("azimuth_deg")
    @classmethod
    def _wrap_azimuth(cls, v: float | None) -> float | None:
        return None if v is None else (0.0 if v == 360 else v)

    @model_validator(mode="after")
    def _lens(self) -> Head:
        lens = (self.focal_mm, self.sensor_width_mm, self.image_width_px)
        if any(v is not None for v in lens) and self.hfov_deg is None:
            if self.focal_mm is not None and self.sensor_width_mm is not None:
                # Horizontal FOV from the lens: 2·atan(sensor / (2·focal)).
                hfov = math.degrees(2 * math.atan(self.sensor_width_mm / (2 * self.focal_mm)))
                object.__setattr__(self, "hfov_deg", round(hfov, 3))
        return self

    @property
    def has_lens(self) -> bool:
        return None not in (self.focal_mm, self.sensor_width_mm, self.image_width_px)

    @property
    def is_empty(self) -> bool:
        return all(getattr(self, f) is None for f in HEAD_FIELDS)


def redact_url(url: str | None) -> str | None:
    """The URL with any user/password replaced by ``***`` (what may leave the server)."""
    if not url:
        return url
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"***@{host}"))


def is_redacted(url: str | None) -> bool:
    return bool(url) and "***@" in urlsplit(url).netloc


class Camera(_Model):
    """A camera of the network, with one or more heads."""

    id: str = Field(min_length=1, max_length=64)
    name: str | None = Field(None, max_length=300)
    lon: float = Field(ge=-180, le=180, description="WGS84 longitude")
    lat: float = Field(ge=-90, le=90, description="WGS84 latitude")
    height_m: float | None = Field(None, ge=0, le=300, description="Mounting height above ground")
    type: CameraType | None = None
    status: CameraStatus = CameraStatus.in_service
    mount: str | None = Field(None, max_length=40, description="OSM camera:mount (pole, wall…)")
    installed: PartialDate | None = None
    installed_raw: str | None = Field(None, max_length=200)
    removed_on: PartialDate | None = None
    removed_raw: str | None = Field(None, max_length=200)
    purposes: list[Purpose] = Field(default_factory=list, description="Codes of CSI L251-2")
    retention_days: int | None = Field(
        None, ge=1, le=30, description="Retention in days; at most one month (CSI L252-5)"
    )
    authorisation: str | None = Field(None, max_length=100, description="Prefectoral reference")
    stream_main: str | None = None
    stream_sub: str | None = None
    assumed: bool = Field(False, description="Position or model assumed, not surveyed")
    heads: list[Head] = Field(default_factory=list)

    @field_validator("id", mode="before")
    @classmethod
    def _id_text(cls, v: Any) -> Any:
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return str(v).strip() if v is not None else v

    @field_validator("purposes", mode="before")
    @classmethod
    def _purposes(cls, v: Any) -> Any:
        return parse_purposes(v)

    @field_validator("installed", "removed_on", mode="before")
    @classmethod
    def _partial_date(cls, v: Any) -> Any:
        if v is None or isinstance(v, PartialDate):
            return v
        if isinstance(v, dict):
            return PartialDate(**v)
        from sentinelle.registry.dates import parse_partial_date

        parsed = parse_partial_date(v)
        if parsed is None:
            msg = f"'{v}' is not a date (YYYY, YYYY-MM, YYYY-MM-DD, dd/mm/yyyy)"
            raise ValueError(msg)
        return parsed

    @model_validator(mode="after")
    def _heads(self) -> Camera:
        heads = [h for h in self.heads if not h.is_empty]
        if heads != self.heads:
            object.__setattr__(self, "heads", heads)
        if self.type is CameraType.ptz:
            for i, h in enumerate(self.heads):
                if (h.pan_min_deg is None) != (h.pan_max_deg is None):
                    msg = f"heads[{i}]: a PTZ head needs both pan_min_deg and pan_max_deg"
                    raise ValueError(msg)
        return self

    # -- derived ------------------------------------------------------------------------

    @property
    def flags(self) -> list[str]:
        """What is unknown about this camera (imported, but to be completed)."""
        out: list[str] = []
        if not self.heads:
            out.append("no_heads")
        elif any(h.azimuth_deg is None for h in self.heads) and self.type not in (
            CameraType.dome,
        ):
            out.append("no_azimuth")
        if self.installed is None and self.status is not CameraStatus.planned:
            out.append("no_installation_date")
        if not self.purposes:
            out.append("no_purpose")
        if self.assumed:
            out.append("assumed")
        return out

    @property
    def geometry_known(self) -> bool:
        """True when every head has what a field of view needs (azimuth or 360°, FOV)."""
        if not self.heads:
            return False
        for h in self.heads:
            full_circle = (h.hfov_deg or 0) >= 360 or (
                h.pan_min_deg is not None and h.pan_max_deg is not None
            )
            if h.hfov_deg is None or (h.azimuth_deg is None and not full_circle):
                return False
        return True

    def public(self) -> Camera:
        """A copy safe to show outside the server: stream credentials redacted."""
        return self.model_copy(
            update={
                "stream_main": redact_url(self.stream_main),
                "stream_sub": redact_url(self.stream_sub),
            }
        )

    def to_record(self, *, secrets: bool = False) -> dict[str, Any]:
        """A flat JSON-able dict with the contract's field names (dates by precision)."""
        cam = self if secrets else self.public()
        d = cam.model_dump(mode="json", exclude={"installed", "removed_on", "heads"})
        d["installed"] = cam.installed.isoformat() if cam.installed else None
        d["removed_on"] = cam.removed_on.isoformat() if cam.removed_on else None
        d["heads"] = [h.model_dump(mode="json", exclude_none=True) for h in cam.heads]
        return d

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Camera:
        """Build from a flat record: top-level head fields make a single head."""
        data = dict(record)
        top = {f: data.pop(f) for f in HEAD_FIELDS if f in data}
        heads = data.get("heads")
        if not heads:
            top = {k: v for k, v in top.items() if v is not None}
            data["heads"] = [top] if top else []
        elif any(v is not None for v in top.values()):
            msg = "give head fields either at top level (one head) or in `heads`, not both"
            raise ValueError(msg)
        return cls.model_validate(data)
