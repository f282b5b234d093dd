"""The registry store on SQLite and PostgreSQL."""

from datetime import UTC, date, datetime

import pytest
import shapely

from sentinelle.errors import NotFoundError
from sentinelle.registry.store import Registry
from sentinelle.registry.zone import Authorisation, Zone
from tests.registry.factories import full_cameras

T0 = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
T1 = datetime(2026, 2, 1, 14, 30, tzinfo=UTC)


def test_cameras_round_trip_through_the_database(db):
    reg = Registry(db)
    cams = full_cameras()
    assert reg.save_cameras(cams, now=T0).created == 3
    assert reg.cameras() == cams  # every field, heads in order, dates with precision
    assert reg.camera("REN-001").stream_main.startswith("rtsp://admin:s3cret@")


def test_every_change_keeps_the_previous_version_with_its_time(db):
    reg = Registry(db)
    cam = full_cameras()[0]
    reg.save_cameras([cam], now=T0, source="survey 2026")
    assert reg.save_cameras([cam], now=T1).unchanged == 1  # no change, no new version
    moved = cam.model_copy(update={"lon": cam.lon + 0.0001, "status": "out_of_service"})
    assert reg.save_cameras([moved], now=T1).updated == 1
    hist = reg.camera_history("REN-001")
    assert [h["version"] for h in hist] == [1, 2]
    assert [h["change"] for h in hist] == ["create", "update"]
    assert hist[0]["data"]["status"] == "in_service"
    assert hist[0]["recorded_at"] == T0.isoformat()
    assert hist[1]["data"]["status"] == "out_of_service"
    assert hist[1]["recorded_at"] == T1.isoformat()
    # History never stores credentials.
    assert "s3cret" not in str(hist)
    reg.delete_camera("REN-001", now=T1)
    assert reg.camera_history("REN-001")[-1]["change"] == "delete"
    with pytest.raises(NotFoundError, match="REN-001"):
        reg.camera("REN-001")


def test_redacted_stream_coming_back_keeps_stored_credentials(db):
    reg = Registry(db)
    cam = full_cameras()[0]
    reg.save_cameras([cam], now=T0)
    counts = reg.save_cameras([cam.public()], now=T1)
    assert counts.unchanged == 1
    assert reg.camera("REN-001").stream_main == cam.stream_main


def test_zones_and_authorisations(db):
    reg = Registry(db)
    square = shapely.box(-1.69, 48.10, -1.67, 48.12)
    reg.save_zones([Zone(kind="qpv", name="Test", code="QP0", geometry=square)])
    assert reg.save_zones([Zone(kind="qpv", name="Test", code="QP0", geometry=square)]).unchanged
    (z,) = reg.zones("qpv")
    assert z.geometry.equals_exact(square, 1e-7) and z.code == "QP0"
    a = Authorisation(reference="AP-1", issued=date(2024, 2, 29), purposes="TERRORISME",
                      max_retention_days=15, cameras="C1, C2", perimeter=square)
    reg.save_authorisations([a])
    (back,) = reg.authorisations()
    assert back.expires == date(2029, 2, 28)  # issued + 5 years (CSI L252-4)
    assert back.cameras == ["C1", "C2"] and back.max_retention_days == 15
    assert back.in_force(date(2026, 1, 1)) and not back.in_force(date(2029, 3, 1))
