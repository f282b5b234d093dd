import math

import pytest
from pydantic import ValidationError

from sentinelle.registry.camera import Camera, redact_url

BASE = {"id": "C1", "lon": -1.68, "lat": 48.11}


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"retention_days": 45}, "retention_days"),
        ({"retention_days": 0}, "retention_days"),
        ({"azimuth_deg": 400}, "heads"),
        ({"type": "bullet"}, "type"),
        ({"status": "broken"}, "status"),
        ({"purposes": "SURVEILLANCE_GENERALE"}, "purposes"),
        ({"lat": 123}, "lat"),
    ],
)
def test_invalid_fields_are_refused(extra, field):
    with pytest.raises(ValidationError) as info:
        Camera.from_record({**BASE, **extra})
    assert info.value.errors()[0]["loc"][0] == field


def test_camera_without_azimuth_is_accepted_and_flagged():
    cam = Camera.from_record({**BASE, "hfov_deg": 60})
    assert "no_azimuth" in cam.flags
    assert not cam.geometry_known
    bare = Camera.from_record(BASE)
    assert bare.heads == [] and "no_heads" in bare.flags


def test_hfov_is_derived_from_the_lens():
    cam = Camera.from_record({**BASE, "azimuth_deg": 10, "focal_mm": 4.0,
                              "sensor_width_mm": 6.0, "image_width_px": 1920})
    expected = math.degrees(2 * math.atan(6.0 / 8.0))  # 73.74°
    assert cam.heads[0].hfov_deg == pytest.approx(expected, abs=1e-3)
    assert cam.geometry_known


def test_azimuth_360_is_north():
    assert Camera.from_record({**BASE, "azimuth_deg": 360}).heads[0].azimuth_deg == 0


def test_ptz_needs_both_pan_limits():
    with pytest.raises(ValidationError, match="pan_min_deg and pan_max_deg"):
        Camera.from_record({**BASE, "type": "ptz", "hfov_deg": 60, "pan_min_deg": 0})


def test_credentials_never_leave_through_public_records():
    cam = Camera.from_record({**BASE, "stream_main": "rtsp://user:pw@10.0.0.1:554/s1"})
    assert cam.to_record()["stream_main"] == "rtsp://***@10.0.0.1:554/s1"
    assert "pw" not in str(cam.public())
    assert cam.to_record(secrets=True)["stream_main"] == "rtsp://user:pw@10.0.0.1:554/s1"
    assert redact_url("rtsp://10.0.0.1/s1") == "rtsp://10.0.0.1/s1"
