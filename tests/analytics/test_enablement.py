"""The analytics switch (both backends): off by default, statistics mode only, a DPIA and a
purpose, an end date after which nothing runs; audited; R30 accepts the CNIL statistics basis,
R36 reports it; zones import all or nothing; counts summed per interval."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from sentinelle.access.audit import Actor, AuditLog
from sentinelle.analytics.basis import STATS_BASIS, Enablements
from sentinelle.analytics.shapes import ShapeStore, parse_shapes
from sentinelle.analytics.stats import CountStore, parse_interval
from sentinelle.compliance.rules import run_rules
from sentinelle.compliance.snapshot import Snapshot, load_snapshot
from sentinelle.compliance.store import CameraConfig
from sentinelle.errors import ImportRejected, InputError, NotFoundError
from sentinelle.vision.counting import Count

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
CLI = Actor("cli:test", "cli")


def enable(db, keys, camera, until=date(2026, 12, 31), **kw):
    args = {"mode": "stats", "purpose": "fréquentation de la place", "dpia": "AIPD-2026-07"}
    args.update(kw)
    return Enablements(db, keys).enable(camera, until=until, actor=CLI, now=NOW, **args)


def test_off_by_default_then_enabled_until_the_end_of_its_day(db, keys, camera):
    store = Enablements(db, keys)
    assert store.all() == [] and store.active(NOW) == []
    e = enable(db, keys, camera)
    assert e.legal_basis == STATS_BASIS == "CNIL 2022 — statistiques anonymes"
    assert e.mode == "stats" and e.enabled
    # The basis ends at midnight Europe/Paris after `until` (23:00 UTC in winter).
    assert e.ends_at == datetime(2026, 12, 31, 23, 0, tzinfo=UTC)
    assert e.active(datetime(2026, 12, 31, 22, 59, tzinfo=UTC))
    assert not e.active(datetime(2026, 12, 31, 23, 0, tzinfo=UTC))
    assert [x.camera_id for x in store.active(NOW)] == [camera]
    entries = [x for x in AuditLog(db, keys).entries() if x.action == "analytics_change"]
    assert len(entries) == 1 and entries[0].actor == "cli:test"
    assert entries[0].object_id == camera and entries[0].details["dpia"] == "AIPD-2026-07"
    assert entries[0].details["legal_basis"] == STATS_BASIS
    store.disable(camera, actor=CLI, now=NOW)
    assert store.active(NOW) == [] and not store.get(camera).enabled
    assert len([x for x in AuditLog(db, keys).entries()
                if x.action == "analytics_change"]) == 2
    with pytest.raises(NotFoundError, match="not enabled"):
        store.disable(camera, actor=CLI, now=NOW)


@pytest.mark.parametrize(("kw", "message"), [
    ({"mode": "events"}, "only `stats`"),
    ({"purpose": "  "}, "--purpose"),
    ({"dpia": ""}, "--dpia"),
    ({"until": date(2026, 11, 25)}, "already past"),
    ({"until": date(2030, 1, 1)}, "more than"),
])
def test_enable_refuses_bad_input_and_stores_nothing(db, keys, camera, kw, message):
    with pytest.raises(InputError, match=message):
        enable(db, keys, camera, **kw)
    assert Enablements(db, keys).all() == []
    assert not [x for x in AuditLog(db, keys).entries() if x.action == "analytics_change"]


def test_enable_an_unknown_camera_is_refused(db, keys, camera):
    with pytest.raises(NotFoundError, match="NOPE"):
        enable(db, keys, "NOPE")


def test_r30_accepts_the_statistics_basis_and_r36_reports_it(db, keys, camera):
    enable(db, keys, camera)
    snap = load_snapshot(db, keys, today=NOW.date(), dwellings=False)
    assert [f for f in run_rules(snap, rules=["R30"]) if f.subject_id == camera] == []
    r36 = run_rules(snap, rules=["R36"])
    assert [(f.severity.value, f.subject_id) for f in r36] == [("info", camera)]
    assert r36[0].evidence["frames_kept_s"] == 0
    # Once the date is past, R30 warns that the switch is still up (nothing runs).
    late = replace(snap, today=date(2027, 1, 2))
    assert [f.severity.value for f in run_rules(late, rules=["R30"])] == ["warning"]
    assert run_rules(late, rules=["R36"]) == []


def test_r30_fires_on_another_mode_and_r36_on_analytics_outside_sentinelle(db, keys, camera):
    e = enable(db, keys, camera)
    snap = Snapshot(today=NOW.date(), analytics=[replace(e, mode="events")])
    assert [f.severity.value for f in run_rules(snap, rules=["R30"])] == ["violation"]
    cfg = CameraConfig("CAM-9", 15, False, True, STATS_BASIS, date(2027, 1, 1), NOW.date(),
                       "vms")
    snap = Snapshot(today=NOW.date(), configs={"CAM-9": cfg})
    assert run_rules(snap, rules=["R30"]) == []  # a basis with an end date: accepted
    assert [(f.severity.value, f.subject_id) for f in run_rules(snap, rules=["R36"])] == [
        ("warning", "CAM-9")]


ZONES = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"camera": "CAM-1", "name": "entrée"},
     "geometry": {"type": "Polygon",
                  "coordinates": [[[0.1, 0.1], [0.4, 0.1], [0.4, 0.5], [0.1, 0.1]]]}},
    {"type": "Feature", "properties": {"camera": "CAM-1", "head": 0, "name": "passage"},
     "geometry": {"type": "LineString", "coordinates": [[0.3, 0.2], [0.3, 0.8]]}},
]}


def test_zones_import_replaces_all_or_nothing(db, keys, camera):
    store = ShapeStore(db, keys)
    store.replace(parse_shapes(ZONES), actor=CLI, now=NOW)
    assert [(s.kind, s.name) for s in store.shapes(camera)] == [("zone", "entrée"),
                                                                ("line", "passage")]
    bad = {"type": "FeatureCollection", "features": [
        ZONES["features"][1],
        {"type": "Feature", "properties": {"camera": "CAM-1", "name": "x"},
         "geometry": {"type": "LineString", "coordinates": [[0.3, 0.2], [1.3, 0.8]]}},
        {"type": "Feature", "properties": {"name": "y"},
         "geometry": {"type": "LineString", "coordinates": [[0.3, 0.2], [0.3, 0.8]]}},
    ]}
    with pytest.raises(ImportRejected) as err:
        parse_shapes(bad, "z.geojson")
    msgs = [str(e) for e in err.value.errors]
    assert msgs[0].startswith("z.geojson, feature 2, field `geometry.coordinates`")
    assert "between 0 and 1" in msgs[0]
    assert msgs[1].startswith("z.geojson, feature 3, field `properties.camera`")
    other = parse_shapes({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"camera": "GHOST", "name": "g"},
         "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}},
        ZONES["features"][1]]})
    with pytest.raises(NotFoundError, match="GHOST"):
        store.replace(other, actor=CLI, now=NOW)
    assert len(store.shapes(camera)) == 2  # unchanged


def test_counts_are_summed_per_interval(db):
    t = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    store = CountStore(db)
    store.add("CAM-1", [
        Count(t, None, "passage", "a_to_b", "person", 2),
        Count(t + timedelta(seconds=10), None, "passage", "a_to_b", "person", 1),
        Count(t + timedelta(minutes=16), None, "passage", "b_to_a", "person", 4),
        Count(t, "entrée", None, None, "bicycle", 1),
    ], bucket_s=10)
    store.add("CAM-2", [Count(t, None, "passage", "a_to_b", "person", 9)], bucket_s=10)
    series = store.series("CAM-1", t, t + timedelta(hours=1), parse_interval("15min"))
    assert series == [
        {"start": "2026-11-26T08:00:00Z", "zone": None, "line": "passage",
         "direction": "a_to_b", "class": "person", "count": 3},
        {"start": "2026-11-26T08:00:00Z", "zone": "entrée", "line": None, "direction": None,
         "class": "bicycle", "count": 1},
        {"start": "2026-11-26T08:15:00Z", "zone": None, "line": "passage",
         "direction": "b_to_a", "class": "person", "count": 4},
    ]
    with pytest.raises(InputError, match="not a multiple"):
        store.series("CAM-1", t, t + timedelta(hours=1), 15)
    with pytest.raises(InputError, match="--interval"):
        parse_interval("15 minutes")
