"""Bad input: a clear error naming file, line and field; nothing already stored changes."""

import json

import pytest

from sentinelle.errors import InputError
from sentinelle.registry.importer import export_cameras, import_cameras
from sentinelle.registry.store import Registry
from tests.registry.factories import full_cameras


@pytest.fixture
def reg(db) -> Registry:
    r = Registry(db)
    r.save_cameras(full_cameras())
    return r


def _snapshot(reg: Registry, tmp_path) -> str:
    out = tmp_path / "snapshot.geojson"
    export_cameras(reg, out, secrets=True)
    return out.read_text() + json.dumps([reg.camera_history(c.id) for c in full_cameras()])


GOOD = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-1.68, 48.11]},
        "properties": {"id": "NEW-1", "azimuth_deg": 10, "hfov_deg": 60}}


def _collection(*features, **extra) -> str:
    return json.dumps({"type": "FeatureCollection", **extra, "features": list(features)},
                      indent=1)


def test_broken_geojson(reg, tmp_path):
    before = _snapshot(reg, tmp_path)
    f = tmp_path / "broken.geojson"
    f.write_text('{"type": "FeatureCollection",\n "features": [\n  {"type": "Feature",,}\n]}\n')
    with pytest.raises(InputError) as info:
        import_cameras(reg, f)
    (err,) = info.value.errors
    assert err.file == str(f) and err.line == 3
    assert "not valid JSON" in str(info.value) and "line 3" in str(info.value)
    assert _snapshot(reg, tmp_path) == before


def test_crs_other_than_wgs84(reg, tmp_path):
    before = _snapshot(reg, tmp_path)
    f = tmp_path / "l93.geojson"
    f.write_text(_collection(GOOD, crs={"type": "name",
                                        "properties": {"name": "urn:ogc:def:crs:EPSG::2154"}}))
    with pytest.raises(InputError) as info:
        import_cameras(reg, f)
    (err,) = info.value.errors
    assert err.field == "crs" and err.line == 3 and "EPSG::2154" in err.reason
    assert "RFC 7946" in err.reason
    assert _snapshot(reg, tmp_path) == before


def test_crs84_member_is_accepted(reg, tmp_path):
    f = tmp_path / "crs84.geojson"
    f.write_text(_collection(GOOD, crs={"type": "name", "properties": {
        "name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}))
    assert import_cameras(reg, f).created == 1


@pytest.mark.parametrize(
    "props, field, words",
    [
        ({"azimuth_deg": 400, "hfov_deg": 60}, "azimuth_deg", "less than or equal to 360"),
        ({"retention_days": 45}, "retention_days", "less than or equal to 30"),
    ],
)
def test_bad_row_names_file_line_field_and_keeps_the_rest(reg, tmp_path, props, field, words):
    before = _snapshot(reg, tmp_path)
    bad = {**GOOD, "properties": {"id": "REN-001", **props}}  # would overwrite REN-001
    f = tmp_path / "cams.geojson"
    f.write_text(_collection(GOOD, bad))
    # All or nothing: nothing written at all.
    report = import_cameras(reg, f, all_or_nothing=True)
    assert not report.written and report.created == 0
    assert _snapshot(reg, tmp_path) == before
    # Default: the valid row is imported, the bad one reported, REN-001 untouched.
    report = import_cameras(reg, f)
    (err,) = report.rejected
    assert (err.file, err.field) == (str(f), field)
    # The second feature starts on this line of the indented file:
    assert err.line == f.read_text().splitlines().index("  {", 10) + 1
    assert words in err.reason
    assert report.created == 1
    assert reg.camera("REN-001") == full_cameras()[0]


def test_missing_coordinate_column(reg, tmp_path):
    before = _snapshot(reg, tmp_path)
    f = tmp_path / "cams.csv"
    f.write_text("id,name,longitude_x\nA,Test,-1.6\n")
    with pytest.raises(InputError) as info:
        import_cameras(reg, f)
    (err,) = info.value.errors
    assert err.line == 1 and err.field == "lon"
    assert "missing coordinate columns" in err.reason and "longitude_x" in err.reason
    assert _snapshot(reg, tmp_path) == before


def test_csv_rows_report_their_own_line(reg, tmp_path):
    f = tmp_path / "cams.csv"
    f.write_text(
        "id,lon,lat,azimuth_deg,retention_days,installed\n"
        "A,-1.6,48.1,10,15,2019-04\n"
        'B,-1.6,48.1,400,15,"multi\nline"\n'
        "C,-1.6,,10,45,2019\n"
        "A,-1.6,48.1,10,15,2019\n"
    )
    report = import_cameras(reg, f)
    got = sorted((e.line, e.field) for e in report.rejected)
    assert got == [(3, "azimuth_deg"), (5, "lat"), (5, "retention_days"), (6, "id")]
    assert "duplicate id `A` (first at line 2)" in str(report.rejected[-1])
    assert report.created == 1


def test_unreadable_file(reg, tmp_path):
    with pytest.raises(InputError, match="no such file"):
        import_cameras(reg, tmp_path / "nope.geojson")
    with pytest.raises(InputError, match="cannot tell the format"):
        (tmp_path / "x.shp").write_text("")
        import_cameras(reg, tmp_path / "x.shp")
