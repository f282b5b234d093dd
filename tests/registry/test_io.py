"""Every format both ways: a round trip keeps every field the format carries."""

import json

import pytest

from sentinelle.db.engine import open_database
from sentinelle.registry.camera import Camera
from sentinelle.registry.importer import export_cameras, import_cameras
from sentinelle.registry.store import Registry
from tests.registry.factories import full_cameras


def _fresh(tmp_path, name) -> Registry:
    return Registry(open_database(f"sqlite:///{tmp_path / name}"))


@pytest.mark.parametrize("fmt, suffix", [("geojson", "geojson"), ("csv", "csv"), ("gpkg", "gpkg")])
def test_round_trip_keeps_every_field(tmp_path, fmt, suffix):
    src = _fresh(tmp_path, "a.db")
    src.save_cameras(full_cameras())
    out = tmp_path / f"cams.{suffix}"
    assert export_cameras(src, out, format=fmt, secrets=True) == 3
    dst = _fresh(tmp_path, "b.db")
    report = import_cameras(dst, out, format=fmt)
    assert report.ok and report.created == 3
    assert dst.cameras() == full_cameras()


def test_default_export_redacts_credentials_and_reimport_keeps_stored_ones(tmp_path):
    reg = _fresh(tmp_path, "a.db")
    reg.save_cameras(full_cameras())
    out = tmp_path / "cams.geojson"
    export_cameras(reg, out)
    text = out.read_text()
    assert "s3cret" not in text and "rtsp://***@10.20.0.11:554" in text
    report = import_cameras(reg, out)
    assert report.unchanged == 3
    assert reg.camera("REN-001").stream_main.startswith("rtsp://admin:s3cret@")


def test_geojson_export_is_rfc7946(tmp_path):
    reg = _fresh(tmp_path, "a.db")
    reg.save_cameras(full_cameras())
    out = tmp_path / "cams.geojson"
    export_cameras(reg, out)
    doc = json.loads(out.read_text())
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    f = doc["features"][1]
    assert f["geometry"] == {"type": "Point", "coordinates": [-1.679351, 48.104649]}
    # Dates by precision.
    assert f["properties"]["installed"] == "2012-11"
    assert f["properties"]["removed_on"] == "2024"
    assert len(f["properties"]["heads"]) == 4


def test_osm_round_trip_keeps_the_fields_osm_carries(tmp_path):
    reg = _fresh(tmp_path, "a.db")
    reg.save_cameras(full_cameras())
    out = tmp_path / "cams.osm"
    export_cameras(reg, out, format="osm")
    xml = out.read_text()
    assert "k='man_made' v='surveillance'" in xml or 'k="man_made" v="surveillance"' in xml
    assert "proposed:man_made" in xml and "disused:man_made" in xml
    assert "camera:direction" in xml and "0;90;180;270" in xml
    dst = _fresh(tmp_path, "b.db")
    assert import_cameras(dst, out).created == 3
    for orig, back in zip(full_cameras(), dst.cameras(), strict=True):
        assert (back.id, back.name, back.type, back.status, back.mount, back.height_m) == (
            orig.id, orig.name, orig.type, orig.status, orig.mount, orig.height_m)
        assert (back.lon, back.lat) == (orig.lon, orig.lat)
        assert back.installed == orig.installed
        assert [h.azimuth_deg for h in back.heads] == [h.azimuth_deg for h in orig.heads]
        assert [h.tilt_deg for h in back.heads] == [h.tilt_deg for h in orig.heads]


def test_osm_tags_from_the_wild(tmp_path):
    f = tmp_path / "overpass.osm"
    f.write_text(
        """<?xml version="1.0"?>
<osm version="0.6">
  <node id="2345" lat="48.1144" lon="-1.6805">
    <tag k="man_made" v="surveillance"/>
    <tag k="surveillance:type" v="camera"/>
    <tag k="camera:type" v="panning"/>
    <tag k="camera:direction" v="SE"/>
    <tag k="camera:mount" v="pole"/>
    <tag k="height" v="7 m"/>
  </node>
  <node id="2346" lat="48.11" lon="-1.68">
    <tag k="man_made" v="surveillance"/>
    <tag k="surveillance:type" v="ALPR"/>
  </node>
  <node id="2347" lat="48.11" lon="-1.68"><tag k="highway" v="crossing"/></node>
</osm>
""")
    reg = _fresh(tmp_path, "a.db")
    report = import_cameras(reg, f)
    assert report.created == 1
    cam = reg.camera("osm-2345")
    assert cam.type == "ptz" and cam.heads[0].azimuth_deg == 135 and cam.height_m == 7
    (err,) = report.rejected
    assert err.line == 11 and err.field == "surveillance:type" and "CSI L233-1" in err.reason


def test_csv_in_lambert93_with_heads_json_and_semicolons(tmp_path):
    f = tmp_path / "inventaire.csv"
    # Place de la République, Rennes, in Lambert-93 (EPSG:2154).
    f.write_text(
        "id;name;x;y;type;heads;retention_days\n"
        'M1;République;351916.0;6789178.0;multisensor;"[{""azimuth_deg"": 0, ""hfov_deg"": 90},'
        '{""azimuth_deg"": 180, ""hfov_deg"": 90}]";21\n',
        encoding="utf-8",
    )
    reg = _fresh(tmp_path, "a.db")
    assert import_cameras(reg, f).created == 1
    cam = reg.camera("M1")
    assert cam.lon == pytest.approx(-1.6789, abs=2e-3)
    assert cam.lat == pytest.approx(48.1098, abs=2e-3)
    assert [h.azimuth_deg for h in cam.heads] == [0, 180]
    assert cam.retention_days == 21


def test_single_head_top_level_equals_heads_list():
    a = Camera.from_record({"id": "A", "lon": 0, "lat": 45, "azimuth_deg": 10, "hfov_deg": 50})
    b = Camera.from_record({"id": "A", "lon": 0, "lat": 45,
                            "heads": [{"azimuth_deg": 10, "hfov_deg": 50}]})
    assert a == b
