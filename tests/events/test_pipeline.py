"""The event pipeline behind its legal basis: no start without one, stop at its end (fixed
clock), alerts with a blurred thumbnail, human decisions audited, retention, performance."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import func, select

from sentinelle.access.audit import Actor, AuditLog
from sentinelle.access.habilitations import Habilitations
from sentinelle.access.users import Users
from sentinelle.db.events_tables import EventAlertRow, EventSessionRow
from sentinelle.errors import AccessDenied, InputError, NotFoundError
from sentinelle.events.alerts import Alerts
from sentinelle.events.basis import EventBases, NoBasisInForce
from sentinelle.events.performance import performance
from sentinelle.events.runner import EventPipeline, load_layout, zone_area_m2
from sentinelle.events.synthetic import LAYOUT, T0, dense_group, wrong_way, zone_entry
from tests.events.conftest import END, START


def _frame() -> np.ndarray:
    """A textured 640×480 BGR frame (sharp detail everywhere, so blurring shows)."""
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (480, 640, 3), dtype=np.uint8)


class Clock:
    def __init__(self, t: datetime) -> None:
        self.t = t

    def __call__(self) -> datetime:
        return self.t


def _sessions(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(EventSessionRow))


def test_no_start_without_a_basis_in_force(db, keys, cameras, basis):
    # another camera than the basis names
    with pytest.raises(NoBasisInForce, match="camera `SYN-2`: no event-detection legal basis"):
        EventPipeline(db, keys, "SYN-2", layout=LAYOUT, clock=Clock(T0)).start()
    # the right camera, before and after the period
    for t in (START - timedelta(seconds=1), END, END + timedelta(days=3)):
        with pytest.raises(NoBasisInForce):
            EventPipeline(db, keys, "SYN-1", layout=LAYOUT, clock=Clock(t)).start()
    assert _sessions(db) == 0
    # inside it: starts, with the unavailable type listed, never run
    pipe = EventPipeline(db, keys, "SYN-1", layout=LAYOUT, clock=Clock(T0))
    assert pipe.start().id == basis.id
    assert "arme" in pipe.skipped and "arme" not in pipe.engine.types
    assert set(pipe.engine.types) == set(basis.events) - {"arme"}
    assert _sessions(db) == 1


def test_nothing_runs_without_any_basis(db, keys, cameras):
    with pytest.raises(NoBasisInForce):
        EventPipeline(db, keys, "SYN-1", layout=LAYOUT, clock=Clock(T0)).start()


def test_kill_switch_stops_at_the_basis_end_by_frame_time(db, keys, cameras):
    # the intrusion of zone_entry is seen at 2.8 s; the basis ends at 2 s
    b = EventBases(db, keys).add(text="décret 2023-828", decision="AP-1", cameras="SYN-1",
                                 start=T0 - timedelta(hours=1), end=T0 + timedelta(seconds=2),
                                 events="zone_interdite", actor=Actor.cli(), now=T0)
    clock = Clock(T0)
    pipe = EventPipeline(db, keys, "SYN-1", layout=LAYOUT, clock=clock)
    pipe.start()
    processed = 0
    for d in zone_entry().frames:
        clock.t = d.ts
        pipe.process(d)
        if pipe.state.running:
            processed += 1
    assert processed == 10  # frames at 0.0 … 1.8 s
    assert pipe.state.stopped_by == "basis_ended"
    assert Alerts(db, keys).list() == []
    with db.session() as s:
        row = s.scalars(select(EventSessionRow)).one()
        assert row.basis_id == b.id and row.stop_reason == "basis_ended"
        assert row.stopped_at == T0 + timedelta(seconds=2)
    changes = AuditLog(db, keys).entries(action="analytics_basis_change")
    assert [e.details["change"] for e in reversed(changes)] == ["add", "events_start",
                                                                "events_stop"]
    assert changes[0].actor == "system:analytics"


def test_kill_switch_stops_on_the_clock_even_with_old_frames(db, keys, cameras, basis):
    clock = Clock(T0)
    pipe = EventPipeline(db, keys, "SYN-1", layout=LAYOUT, clock=clock)
    pipe.start()
    frames = zone_entry().frames
    pipe.process(frames[0])
    clock.t = END  # a lagging stream: the frames are old, the clock is past the end
    assert pipe.process(frames[20]) == []
    assert not pipe.state.running and pipe.state.stopped_by == "basis_ended"
    assert pipe.process(frames[21]) == []


def test_alert_thumbnail_is_blurred_and_decisions_are_audited(db, keys, cameras, basis):
    frame = _frame()
    pipe = EventPipeline(db, keys, "SYN-1", layout=LAYOUT, clock=Clock(T0))
    pipe.start()
    alerts, at = [], None
    for d in zone_entry().frames:
        got = pipe.process(d, frame)
        if got:
            at = d
        alerts += got
    (a,) = alerts
    assert (a.camera_id, a.type, a.tracks, a.state) == ("SYN-1", "zone_interdite", (10,),
                                                        "raised")
    assert a.zone == "zone_interdite:quai"
    assert a.thumbnail_until == a.ts + timedelta(days=15)  # the camera's video retention
    from PIL import Image

    jpeg = Alerts(db, keys).thumbnail(a.id)
    img = np.asarray(Image.open(io.BytesIO(jpeg)).convert("L"), float)
    h, w = img.shape
    assert max(h, w) <= 320
    x0, y0, x1, _ = a.detail["boxes"][0]
    # the head region (top of the intruder's box) is smooth, the rest of the frame is noise
    head = img[int(y0 * h) + 1:int((y0 + 0.05) * h), int(x0 * w) + 1:int(x1 * w) - 1]
    rest = img[: int(0.3 * h), : int(0.3 * w)]
    assert head.size and head.std() < 0.5 * rest.std()
    # every other person of the frame is blurred too, not only the one involved
    others = [b for b, t in zip(at.boxes, at.track_ids, strict=True) if t != 10]
    assert others
    for x0, y0, x1, _ in others:
        region = img[int(y0 * h) + 1:int((y0 + 0.05) * h), int(x0 * w) + 1:int(x1 * w) - 1]
        assert region.size and region.std() < 0.5 * rest.std()

    store = Alerts(db, keys)
    with pytest.raises(InputError, match="--reason"):
        store.decide(a.id, confirm=True, reason=" ", actor=Actor.cli())
    done = store.decide(a.id, confirm=True, reason="intrusion vue sur l'image",
                        actor=Actor.cli(), now=T0 + timedelta(minutes=1))
    assert done.state == "confirmed" and done.decided_by.startswith("cli:")
    assert done.decided_at == T0 + timedelta(minutes=1)
    with pytest.raises(InputError, match="already confirmed"):
        store.decide(a.id, confirm=False, reason="non", actor=Actor.cli())
    with pytest.raises(NotFoundError):
        store.decide(999, confirm=False, reason="non", actor=Actor.cli())
    (entry,) = AuditLog(db, keys).entries(action="alert_decision")
    assert entry.object_id == str(a.id) and entry.details["decision"] == "confirmed"
    assert entry.purpose == "intrusion vue sur l'image"


def test_operator_needs_a_habilitation_on_the_camera(db, keys, cameras, basis):
    pipe = EventPipeline(db, keys, "SYN-1", layout=LAYOUT, clock=Clock(T0))
    pipe.start()
    (a,) = [x for d in wrong_way().frames for x in pipe.process(d)]
    users = Users(db, keys)
    bob = users.add(username="bob", password="Correct-Horse-9-battery", role="operator",
                    actor=Actor.cli())
    store = Alerts(db, keys)
    with pytest.raises(AccessDenied, match="no habilitation"):
        store.decide(a.id, confirm=False, reason="reflet", actor=Actor.of(bob), user=bob,
                     now=T0)
    assert store.get(a.id).state == "raised"
    Habilitations(db, keys).grant(username="bob", rights="live", valid_from=date(2026, 1, 1),
                                  valid_until=date(2026, 12, 31),
                                  training_date=date(2026, 1, 1),
                                  refresher_due=date(2027, 1, 1), actor=Actor.cli(),
                                  cameras=["SYN-1"])
    done = store.decide(a.id, confirm=False, reason="reflet", actor=Actor.of(bob), user=bob,
                        now=T0)
    assert (done.state, done.decided_by) == ("dismissed", "bob")
    outcomes = [e.outcome for e in AuditLog(db, keys).entries(action="alert_decision")]
    assert sorted(outcomes) == ["denied", "ok"]


def test_retention_thumbnail_follows_video_metadata_kept_six_months(db, keys, cameras, basis):
    pipe = EventPipeline(db, keys, "SYN-1", layout=LAYOUT, clock=Clock(T0))
    pipe.start()
    (a,) = [x for d in zone_entry().frames for x in pipe.process(d, _frame())]
    store = Alerts(db, keys)
    assert store.purge(now=T0 + timedelta(days=14)) == {"thumbnails": 0, "alerts": 0}
    assert store.purge(now=T0 + timedelta(days=16)) == {"thumbnails": 1, "alerts": 0}
    assert store.thumbnail(a.id) is None and store.get(a.id).type == "zone_interdite"
    assert not store.get(a.id).has_thumbnail
    assert store.purge(now=T0 + timedelta(days=180)) == {"thumbnails": 0, "alerts": 0}
    with pytest.raises(InputError, match="at least 183 days"):
        store.purge(now=T0, keep_days=30)
    assert store.purge(now=T0 + timedelta(days=200)) == {"thumbnails": 0, "alerts": 1}


def test_performance_per_type_and_camera(db, keys, cameras, basis):
    raised = []
    for sc in (zone_entry(), wrong_way(), dense_group()):  # one run per scene
        pipe = EventPipeline(db, keys, "SYN-1", layout=LAYOUT, clock=Clock(T0))
        pipe.start()
        raised += [x for d in sc.frames for x in pipe.process(d)]
    assert sorted(a.type for a in raised) == ["contresens", "densite_excessive",
                                              "zone_interdite"]
    store = Alerts(db, keys)
    by = {a.type: a.id for a in raised}
    store.decide(by["zone_interdite"], confirm=True, reason="ok", actor=Actor.cli())
    store.decide(by["contresens"], confirm=False, reason="agent de service",
                 actor=Actor.cli())
    perf = performance(store.list())
    assert perf["overall"] == {"alerts": 3, "confirmed": 1, "dismissed": 1, "pending": 1,
                               "precision": 0.5, "false_positive_rate": 0.5}
    assert perf["per_type"]["contresens"]["false_positive_rate"] == 1.0
    assert perf["per_type"]["densite_excessive"]["precision"] is None
    assert perf["per_camera"]["SYN-1"]["alerts"] == 3
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(EventAlertRow)) == 3


def test_basis_input_errors(db, keys, cameras):
    bases = EventBases(db, keys)
    ok = dict(text="décret 2023-828", decision="AP-1", cameras="SYN-1", start=START, end=END,
              events="contresens", actor=Actor.cli())
    with pytest.raises(InputError, match="--events: `vol` not an event type"):
        bases.add(**dict(ok, events="contresens,vol"))
    with pytest.raises(InputError, match="--end .* must be after --start"):
        bases.add(**dict(ok, end=START))
    with pytest.raises(InputError, match="--decision"):
        bases.add(**dict(ok, decision=""))
    with pytest.raises(InputError, match="--start must carry a time zone"):
        bases.add(**dict(ok, start=datetime(2026, 6, 21)))
    with pytest.raises(NotFoundError, match="NOPE"):
        bases.add(**dict(ok, cameras="SYN-1,NOPE"))
    assert bases.all() == []
    assert AuditLog(db, keys).entries(action="analytics_basis_change") == []


def test_layout_from_zones_and_homography(db, keys, cameras):
    from sentinelle.analytics.shapes import ShapeStore, parse_shapes
    from sentinelle.vision.geometry import GeometryStore

    # 1 px = 1 cm on the ground: an 800×600 image of an 8 m × 6 m square
    corners = [(0, 0), (800, 0), (800, 600), (0, 600)]
    GeometryStore(db).set("SYN-1", image_width=800, image_height=600, points=[
        {"pixel": list(p), "map": [350000 + p[0] / 100, 6790000 - p[1] / 100]}
        for p in corners])
    feats = [
        {"type": "Feature", "properties": {"camera": "SYN-1", "name": "densite_excessive:parvis"},
         "geometry": {"type": "Polygon", "coordinates": [[[0.0, 0.5], [0.5, 0.5], [0.5, 1.0],
                                                          [0.0, 1.0], [0.0, 0.5]]]}},
        {"type": "Feature", "properties": {"camera": "SYN-1", "name": "contresens:couloir"},
         "geometry": {"type": "LineString", "coordinates": [[0.5, 0.4], [0.5, 1.0]]}},
        {"type": "Feature", "properties": {"camera": "SYN-1", "name": "comptage"},
         "geometry": {"type": "LineString", "coordinates": [[0.1, 0.4], [0.9, 0.4]]}}]
    ShapeStore(db, keys).replace(parse_shapes({"type": "FeatureCollection", "features": feats}),
                                 actor=Actor.cli())
    layout = load_layout(db, keys, "SYN-1")
    (dz,) = layout.density
    assert dz.area_m2 == pytest.approx(12.0, rel=1e-6)  # 4 m × 3 m
    assert [ln.name for ln in layout.directions] == ["contresens:couloir"]
    assert layout.forbidden == () and layout.aspect == pytest.approx(800 / 600)
    assert "zone_interdite" in layout.needs()
    assert zone_area_m2(dz.polygon, None) is None
    # without a homography the density zone is unusable and densite_excessive is not run
    assert load_layout(db, keys, "SYN-2").density == ()


def test_ending_a_basis_early_stops_the_pipeline(db, keys, cameras, basis):
    clock = Clock(T0)
    pipe = EventPipeline(db, keys, "SYN-1", layout=LAYOUT, clock=clock, recheck_s=1.0)
    pipe.start()
    frames = wrong_way().frames
    pipe.process(frames[0])
    bases = EventBases(db, keys)
    with pytest.raises(InputError, match="--reason"):
        bases.end(basis.id, reason="", actor=Actor.cli())
    ended = bases.end(basis.id, reason="arrêté préfectoral abrogé", actor=Actor.cli(),
                      at=T0 + timedelta(seconds=1), now=T0)
    assert ended.end == T0 + timedelta(seconds=1)
    # never pushed later
    assert bases.end(basis.id, reason="x", actor=Actor.cli(), at=END, now=T0).end == ended.end
    clock.t = T0 + timedelta(seconds=1)
    assert pipe.process(frames[5]) == []  # the pipeline reads the basis again (recheck_s)
    assert pipe.state.stopped_by == "basis_ended"
    with pytest.raises(NotFoundError):
        bases.end(999, reason="x", actor=Actor.cli())
