"""Incidents → evaluation areas → panel: readers, site grouping, buffers, matched controls."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely

from sentinelle.errors import ImportRejected, InputError
from sentinelle.evaluate.areas import (
    BUFFER,
    CONTROL,
    TREATED,
    before_after_counts,
    camera_viewsheds,
    count_in_areas,
    match_controls,
    panel_from_incidents,
    treated_areas,
)
from sentinelle.evaluate.incidents import read_incidents
from sentinelle.evaluate.synthetic import synthetic_cases, synthetic_incidents
from sentinelle.geo.crs import MetricFrame
from sentinelle.registry.camera import Camera

FRAME = MetricFrame.from_crs("EPSG:2154")


def camera(cid: str, name: str, lon: float, lat: float, installed: str | None) -> Camera:
    return Camera.from_record({"id": cid, "name": name, "lon": lon, "lat": lat,
                               "installed": installed, "status": "in_service",
                               "purposes": ["PREVENTION_ATTEINTES_PERSONNES_BIENS"]})


CAMERAS = [
    camera("A-1", "Place A (1/2)", -1.6805, 48.1144, "2010-03"),
    camera("A-2", "Place A (2/2)", -1.6810, 48.1142, "2010-03"),  # ~40 m away: same site
    camera("B-1", "Dalle B", -1.6790, 48.1046, "2012-11"),
    camera("C-1", "Site C", -1.6600, 48.1320, None),  # undated: excluded
]


def test_sites_buffers_and_exclusions():
    vs, how = camera_viewsheds(CAMERAS, FRAME, radius_m=60)
    assert "cercles de 60 m" in how
    aset = treated_areas(CAMERAS, vs, FRAME, how=how, buffer_m=150)
    treated = aset.of_role(TREATED)
    assert [t.name for t in treated] == ["Place A", "Dalle B"]
    assert treated[0].camera_ids == ("A-1", "A-2")
    assert treated[0].treated_from == 2010 * 12 + 2 and treated[1].treated_from == 2012 * 12 + 10
    ring = aset.of_role(BUFFER)[0].geometry
    assert not shapely.intersects(ring, treated[0].geometry.buffer(-1))  # a ring, not a disc
    assert shapely.area(ring) == pytest.approx(shapely.area(treated[0].geometry.buffer(150))
                                               - shapely.area(treated[0].geometry), rel=0.02)
    assert not shapely.is_empty(aset.excluded)
    assert any("C-1" in n for n in aset.notes)


def test_incident_readers_and_bad_rows(tmp_path, write_csv):
    good = write_csv("date,category,lon,lat\n2011-05-02,vol,-1.68,48.11\n03/06/2011,vol,"
                     "-1.69,48.12", "inc.csv")
    inc = read_incidents(good)
    assert len(inc) == 2 and inc.months.tolist() == [2011 * 12 + 4, 2011 * 12 + 5]
    bad = write_csv("date,category,lon,lat\n2011-13-02,vol,-1.68,48.11\n2011-05-02,,"
                    "-1.68,95\n2011-05-02,vol,x,48.1", "bad.csv")
    with pytest.raises(ImportRejected) as info:
        read_incidents(bad)
    where = {(e.line, e.field) for e in info.value.errors}
    assert where == {(2, "date"), (3, "category"), (3, "lat"), (4, "lon")}
    zones = {"IRIS 1": shapely.box(-1.69, 48.10, -1.67, 48.12)}
    by_zone = write_csv("date,category,zone\n2011-05-02,vol,IRIS 1\n2011-05-03,vol,Ailleurs",
                        "z.csv")
    with pytest.raises(ImportRejected, match="line 3, field `zone`: unknown zone"):
        read_incidents(by_zone, zones=zones)
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"date": "2011-05-02", "category": "vol"},
         "geometry": {"type": "Point", "coordinates": [-1.68, 48.11]}},
        {"type": "Feature", "properties": {"date": "2011-05-02", "category": "vol"},
         "geometry": {"type": "Polygon", "coordinates": [[[-1.69, 48.10], [-1.67, 48.10],
                                                          [-1.67, 48.12], [-1.69, 48.10]]]}},
        {"type": "Feature", "properties": {"date": "hier", "category": "vol"},
         "geometry": {"type": "Point", "coordinates": [-1.68, 48.11]}}]}
    path = tmp_path / "inc.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ImportRejected, match="feature 3, field `date`"):
        read_incidents(path)
    doc["features"].pop()
    path.write_text(json.dumps(doc), encoding="utf-8")
    inc = read_incidents(path)
    assert inc.n_zones == 1 and inc.from_zone.tolist() == [False, True]
    with pytest.raises(InputError, match="missing column lat"):
        read_incidents(write_csv("date,category,lon\n2011-01-01,vol,1", "m.csv"))


def test_synthetic_chain_recovers_the_planted_effect():
    vs, how = camera_viewsheds(CAMERAS, FRAME, radius_m=60)
    aset = treated_areas(CAMERAS, vs, FRAME, how=how)
    first, last = 2008 * 12, 2015 * 12 + 11
    inc, truth = synthetic_incidents(aset, first_month=first, last_month=last, seed=7,
                                     margin_m=1200, effect=0.6, site_rate=(15.0, 20.0))
    assert inc.synthetic and truth.effect == 0.6
    again, _ = synthetic_incidents(aset, first_month=first, last_month=last, seed=7,
                                   margin_m=1200, effect=0.6, site_rate=(15.0, 20.0))
    assert len(again) == len(inc)  # seeded
    aset = match_controls(aset, inc, per_area=4)
    controls = aset.of_role(CONTROL)
    assert len(controls) == 8 and {c.site for c in controls} == {"Place A", "Dalle B"}
    occupied = shapely.union_all([a.geometry for a in aset.areas if a.role != CONTROL])
    assert not any(shapely.intersects(c.geometry, occupied) for c in controls)
    panel = panel_from_incidents(inc, aset, first_month=first, last_month=last)
    assert panel.synthetic and panel.n_areas == 2 + 8
    direct = count_in_areas(inc, [aset.of_role(TREATED)[0].geometry], FRAME,
                            first_month=first, last_month=last)
    assert panel.counts[0].tolist() == direct[0].tolist()
    xy = inc.xy(FRAME)
    pts = shapely.points(xy)
    months = inc.months - first
    brute = np.bincount(months[shapely.intersects(pts, aset.of_role(TREATED)[0].geometry)],
                        minlength=panel.n_months)
    assert direct[0].tolist() == brute.tolist()  # vectorised count = brute force
    from sentinelle.evaluate.staggered import estimate_staggered

    res = estimate_staggered(panel, bin_months=3)
    assert res.att.ratio == pytest.approx(0.6, abs=0.12)
    table = before_after_counts(inc, aset)
    assert len(table) == 2 and table.has_buffer


def test_synthetic_cases_nest():
    from datetime import date

    cases = synthetic_cases(["A-1", "B-1"], first_day=date(2014, 1, 1),
                            last_day=date(2014, 12, 31), n=300, seed=3)
    assert len(cases) == 300 and "synthétiques" in cases.source
    for c in cases.cases:
        assert c.footage_requested >= c.footage_available >= c.footage_useful
        assert bool(c.camera_ids) == c.footage_requested
