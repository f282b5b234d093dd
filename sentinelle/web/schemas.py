"""API schemas. `…Public` models are the privacy boundary: no stream URL, no credential."""

from __future__ import annotations

from pydantic import BaseModel, Field


class HeadPublic(BaseModel):
    azimuth_deg: float | None = None
    hfov_deg: float | None = None
    tilt_deg: float | None = None
    range_m: float | None = None
    pan_min_deg: float | None = None
    pan_max_deg: float | None = None


class CameraPublic(BaseModel):
    """What anyone may know of a camera (public register, CSI L251-2 transparency)."""

    id: str
    name: str | None = None
    type: str | None = None
    status: str
    height_m: float | None = None
    installed: str | None = Field(None, description="YYYY-MM-DD, YYYY-MM or YYYY by precision")
    installed_raw: str | None = None
    purposes: list[str] = Field(default_factory=list)
    assumed: bool = False
    heads: list[HeadPublic] = Field(default_factory=list)
    visible_area_m2: float | None = None


class CameraInternal(CameraPublic):
    """Full registry detail for habilitated staff; stream URLs always redacted."""

    lon: float
    lat: float
    mount: str | None = None
    removed_on: str | None = None
    retention_days: int | None = None
    authorisation: str | None = None
    stream_main: str | None = Field(None, description="Credentials redacted")
    stream_sub: str | None = Field(None, description="Credentials redacted")
    flags: list[str] = Field(default_factory=list)


class ZoneCoverage(BaseModel):
    kind: str
    name: str
    code: str | None = None
    street_m: float | None = None
    covered_m: float | None = None
    covered_pct: float | None = None
    cameras: int | None = None


class PreviewHead(BaseModel):
    azimuth_deg: float | None = Field(None, ge=0, le=360)
    hfov_deg: float | None = Field(None, gt=0, le=360)
    range_m: float | None = Field(None, gt=0, le=5000)


class PreviewRequest(BaseModel):
    """A camera moved or turned on the planner's map."""

    camera_id: str = Field(min_length=1)
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    rotate_deg: float = Field(0, ge=-360, le=360, description="Added to every head's azimuth")
    heads: list[PreviewHead] | None = Field(None, description="Replace the heads (optional)")
