"""`analytics run` on a recorded clip: counts stored, and the statistics mode leaves no image
data anywhere (no file, no row, no log line); nothing runs past the basis's end date."""

from __future__ import annotations

import logging
import tempfile
from datetime import UTC, date, datetime, timedelta

import numpy as np
from sqlalchemy import LargeBinary, MetaData, func, select

from sentinelle.access.audit import Actor, AuditLog
from sentinelle.analytics.basis import Enablements, end_of
from sentinelle.analytics.runner import Supervisor, SupervisorConfig
from sentinelle.analytics.shapes import ShapeStore, parse_shapes
from sentinelle.analytics.stats import CountStore
from sentinelle.db.analytics_tables import AnalyticsCameraRow
from sentinelle.vision.detector import Detector
from sentinelle.vision.pipeline import PipelineConfig

CLI = Actor("cli:test", "cli")
UNTIL = date(2026, 12, 31)
LINES = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"camera": "CAM-1", "name": "ouest"},
     "geometry": {"type": "LineString", "coordinates": [[0.40, 0.28], [0.40, 0.62]]}},
    {"type": "Feature", "properties": {"camera": "CAM-1", "name": "chemin"},
     "geometry": {"type": "Polygon", "coordinates": [[[0.0, 0.3], [1.0, 0.3], [1.0, 0.6],
                                                      [0.0, 0.6], [0.0, 0.3]]]}},
]}


class Clock:
    """Wall clock of the test: starts at `t`, moves `step` seconds at each reading."""

    def __init__(self, t: datetime, step: float = 0.0) -> None:
        self.t, self.step = t, step

    def __call__(self) -> datetime:
        t = self.t
        self.t += timedelta(seconds=self.step)
        return t


def setup_camera(db, keys, now):
    ShapeStore(db, keys).replace(parse_shapes(LINES), actor=CLI, now=now)
    Enablements(db, keys).enable("CAM-1", mode="stats", purpose="fréquentation",
                                 dpia="AIPD-1", until=UNTIL, actor=CLI, now=now)


def supervisor(db, keys, clip, yolox, clock):
    return Supervisor(db, keys, sources={"CAM-1": str(clip)}, now=clock,
                      detector_factory=lambda: Detector(yolox), masks_for=lambda c, h: [],
                      config=SupervisorConfig(realtime=False,
                                              pipeline=PipelineConfig(fps=5)))


def files_under(root):
    return {p for p in root.rglob("*") if p.is_file()}


def test_statistics_mode_leaves_no_image_data_anywhere(db, keys, camera, clip12, yolox,
                                                       tmp_path, caplog, monkeypatch):
    now = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    setup_camera(db, keys, now)
    work = tmp_path / "work"
    (work / "tmp").mkdir(parents=True)
    monkeypatch.chdir(work)
    monkeypatch.setenv("TMPDIR", str(work / "tmp"))
    monkeypatch.setattr(tempfile, "tempdir", None)
    before = files_under(tmp_path)
    caplog.set_level(logging.DEBUG)

    sup = supervisor(db, keys, clip12, yolox, Clock(now))
    sup.tick()
    assert sup.wait_idle(120)
    pipe = sup.workers["CAM-1"].pipeline
    sup.shutdown()

    assert pipe.stats.frames >= 55 and pipe.stats.detected >= 1
    series = CountStore(db).series("CAM-1", now - timedelta(hours=1), now + timedelta(hours=1),
                                   10)
    assert sum(r["count"] for r in series if r["line"] == "ouest") >= 1
    assert sum(r["count"] for r in series if r["zone"] == "chemin") >= 3

    # No file: nothing new anywhere under the test's folders but the database's own files.
    new = {p for p in files_under(tmp_path) - before
           if not p.name.startswith("sentinelle.db")}
    assert new == set()
    # No row: every stored value is a short scalar. The only binary column belongs to the
    # décret 2023-828 alerts (blurred thumbnails), which the statistics mode never writes.
    meta = MetaData()
    meta.reflect(db.engine)
    for table in meta.sorted_tables:
        if any(isinstance(c.type, LargeBinary) for c in table.columns):
            assert table.name == "event_alerts", table.name
            with db.engine.connect() as conn:
                assert conn.execute(select(func.count()).select_from(table)).scalar() == 0
        with db.engine.connect() as conn:
            for row in conn.execute(select(table)):
                for v in row:
                    assert not isinstance(v, bytes | bytearray | memoryview), table.name
                    assert len(str(v)) < 1000, (table.name, str(v)[:80])
    # No log line with image data: no array or bytes among the arguments, no long message.
    for r in caplog.records:
        args = r.args if isinstance(r.args, tuple) else (r.args,)
        assert not any(isinstance(a, np.ndarray | bytes | bytearray) for a in args)
        assert len(r.getMessage()) < 500 and "array(" not in r.getMessage()
    with db.session() as s:
        state = s.get(AnalyticsCameraRow, "CAM-1")
        assert state.state == "stopped" and state.frames == pipe.stats.frames


def test_nothing_runs_past_the_end_date(db, keys, camera, clip12, yolox):
    ends = end_of(UNTIL)
    setup_camera(db, keys, ends - timedelta(days=30))
    # The wall clock reaches the end 2 s after the start (about ten frame readings).
    clock = Clock(ends - timedelta(seconds=2), step=0.2)
    sup = supervisor(db, keys, clip12, yolox, clock)
    sup.tick()
    assert sup.wait_idle(120)
    pipe = sup.workers["CAM-1"].pipeline
    assert pipe.stats.stopped_by == "end_date"
    assert pipe.stats.frames < 15  # the clip has 60 frames at 5 fps
    sup.tick()  # the basis has ended: switched off by system:analytics
    assert sup.workers == {}
    e = Enablements(db, keys).get("CAM-1")
    assert not e.enabled and e.changed_by == "system:analytics"
    expired = [x for x in AuditLog(db, keys).entries(action="analytics_change")
               if x.actor == "system:analytics" and x.details.get("change") == "expired"]
    assert len(expired) == 1
    with db.session() as s:
        assert s.get(AnalyticsCameraRow, "CAM-1").state == "expired"


def test_an_ended_basis_never_starts(db, keys, camera, clip12, yolox):
    setup_camera(db, keys, datetime(2026, 11, 26, tzinfo=UTC))
    sup = supervisor(db, keys, clip12, yolox, Clock(end_of(UNTIL) + timedelta(seconds=1)))
    sup.tick()
    assert sup.workers == {}
    starts = [x for x in AuditLog(db, keys).entries(action="analytics_change")
              if x.details.get("change") == "pipeline_start"]
    assert starts == []


def test_the_runner_takes_the_masks_of_the_geometry_store(db, keys, camera, clip12, yolox):
    from sentinelle.vision.geometry import GeometryStore

    now = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    setup_camera(db, keys, now)
    band = [[0.25, 0.0], [0.55, 0.0], [0.55, 1.0], [0.25, 1.0]]  # hides the line "ouest"
    GeometryStore(db).set("CAM-1", 0, image_width=768, image_height=576, masks=[band], now=now)
    sup = Supervisor(db, keys, sources={"CAM-1": str(clip12)}, now=Clock(now),
                     detector_factory=lambda: Detector(yolox),
                     config=SupervisorConfig(realtime=False, pipeline=PipelineConfig(fps=5)))
    sup.tick()
    assert sup.wait_idle(120)
    assert sup.workers["CAM-1"].pipeline.masks == [[tuple(p) for p in band]]
    sup.shutdown()
    series = CountStore(db).series("CAM-1", now - timedelta(hours=1), now + timedelta(hours=1),
                                   10)
    assert [r for r in series if r["line"] == "ouest"] == []
    assert sum(r["count"] for r in series if r["zone"] == "chemin") >= 1  # outside the mask
