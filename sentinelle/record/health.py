"""Camera health: state, last segment, bitrate, gaps and availability, from the database alone.

`camera_health` works whether or not a recorder runs: it reads what the recorder last wrote
(heartbeat, camera states, gaps) and the segment index. A recorder whose heartbeat is older
than three periods is taken as gone, and its cameras as ``stopped``.

Availability over a window is the share of the window covered by indexed footage, counted from
when the camera was first recorded or first tried, whichever is earlier (a camera added
yesterday is not blamed for last month).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from sentinelle.access.keys import Keys
from sentinelle.db.engine import Database
from sentinelle.db.record_tables import RecordCameraRow, RecorderRow, SegmentRow
from sentinelle.record.journal import CameraState, RecorderJournal
from sentinelle.registry.camera import CameraStatus
from sentinelle.registry.store import Registry

DAY = timedelta(days=1)
MONTH = timedelta(days=30)
DEFAULT_OFFLINE_AFTER_S = 60.0
_BITRATE_SEGMENTS = 6


@dataclass(frozen=True)
class RecorderStatus:
    """The latest recorder: whether it runs, since when, its last heartbeat."""

    running: bool
    pid: int | None = None
    host: str | None = None
    started_at: datetime | None = None
    heartbeat_at: datetime | None = None
    stopped_at: datetime | None = None


@dataclass(frozen=True)
class CameraHealth:
    """A camera's recording health at one time.

    Attributes
    ----------
    id
        The camera id.
    state
        ``recording``, ``reconnecting``, ``offline`` or ``stopped``.
    last_segment
        End of its latest indexed segment (UTC), or None.
    bitrate_kbps
        Mean bitrate of its latest segments.
    gaps_24h, gap_s_24h
        Gaps overlapping the last 24 hours, and their total duration within them.
    availability_24h, availability_30d
        Share (0–1) of the window covered by footage; None before any attempt.
    silent_s
        Seconds since its latest footage (or first attempt when it never recorded).
    alert
        Silent longer than the alert threshold.
    """

    id: str
    state: str
    state_since: datetime | None
    last_segment: datetime | None
    last_segment_path: str | None
    bitrate_kbps: float | None
    gaps_24h: int
    gap_s_24h: float
    availability_24h: float | None
    availability_30d: float | None
    silent_s: float | None
    alert: bool
    restarts: int = 0
    last_error: str | None = None
    segments: int = 0

    def as_json(self) -> dict[str, Any]:
        d = asdict(self)
        for key in ("state_since", "last_segment"):
            d[key] = d[key].isoformat().replace("+00:00", "Z") if d[key] else None
        for key in ("availability_24h", "availability_30d"):
            d[key] = round(d[key], 6) if d[key] is not None else None
        for key in ("bitrate_kbps", "gap_s_24h", "silent_s"):
            d[key] = round(d[key], 1) if d[key] is not None else None
        return d


@dataclass(frozen=True)
class HealthReport:
    """Every camera's health, the recorder's status and the alerts."""

    now: datetime
    recorder: RecorderStatus
    cameras: list[CameraHealth] = field(default_factory=list)
    offline_after_s: float = DEFAULT_OFFLINE_AFTER_S

    @property
    def alerts(self) -> list[str]:
        return [
            f"{c.id}: silent for {c.silent_s:.0f} s (more than {self.offline_after_s:.0f} s)"
            for c in self.cameras if c.alert and c.silent_s is not None
        ]

    def as_json(self) -> dict[str, Any]:
        rec = asdict(self.recorder)
        for k, v in rec.items():
            if isinstance(v, datetime):
                rec[k] = v.isoformat().replace("+00:00", "Z")
        return {
            "now": self.now.isoformat().replace("+00:00", "Z"),
            "recorder": rec,
            "offline_after_s": self.offline_after_s,
            "cameras": [c.as_json() for c in self.cameras],
            "alerts": self.alerts,
        }


def recorder_status(db: Database, *, now: datetime) -> tuple[RecorderStatus, RecorderRow | None]:
    """The latest recorder and whether it still runs (heartbeat younger than 3 periods)."""
    row = RecorderJournal(db).latest_recorder()
    if row is None:
        return RecorderStatus(running=False), None
    stale_after = timedelta(seconds=max(3 * row.heartbeat_s, row.heartbeat_s + 10))
    running = row.stopped_at is None and now - row.heartbeat_at <= stale_after
    status = RecorderStatus(
        running=running, pid=row.pid, host=row.host, started_at=row.started_at,
        heartbeat_at=row.heartbeat_at, stopped_at=row.stopped_at,
    )
    return status, row


def _coverage(
    db: Database, window_start: datetime, now: datetime
) -> dict[str, float]:
    """Seconds of footage within [window_start, now] per camera."""
    covered: dict[str, float] = {}
    with db.session() as s:
        inside = s.execute(
            select(SegmentRow.camera_id, func.sum(SegmentRow.duration_s))
            .where(SegmentRow.start_at >= window_start, SegmentRow.end_at <= now)
            .group_by(SegmentRow.camera_id)
        )
        for cam, total in inside:
            covered[cam] = float(total or 0.0)
        edges = s.execute(
            select(SegmentRow.camera_id, SegmentRow.start_at, SegmentRow.end_at).where(
                SegmentRow.end_at > window_start,
                SegmentRow.start_at < now,
                (SegmentRow.start_at < window_start) | (SegmentRow.end_at > now),
            )
        )
        for cam, start, end in edges:
            part = (min(end, now) - max(start, window_start)).total_seconds()
            covered[cam] = covered.get(cam, 0.0) + max(part, 0.0)
    return covered


def _first_footage(db: Database) -> dict[str, datetime]:
    with db.session() as s:
        rows = s.execute(
            select(SegmentRow.camera_id, func.min(SegmentRow.start_at)).group_by(
                SegmentRow.camera_id
            )
        )
        return {cam: start for cam, start in rows}


def _availability(
    covered: float | None, since: datetime | None, window_start: datetime, now: datetime
) -> float | None:
    if since is None:
        return None
    start = max(since, window_start)
    span = (now - start).total_seconds()
    if span <= 0:
        return None
    return min(1.0, max(0.0, (covered or 0.0) / span))


def camera_health(
    db: Database,
    *,
    now: datetime,
    keys: Keys | None = None,
    camera_ids: Sequence[str] | None = None,
    offline_after_s: float | None = None,
) -> HealthReport:
    """Health of every camera that is, was or should be recorded.

    Parameters
    ----------
    db
        The database.
    now
        Time of the report (timezone-aware).
    keys
        The installation's keys, to read the registry (default: from the environment).
    camera_ids
        Restrict to these cameras.
    offline_after_s
        Alert threshold; by default the running recorder's, else 60 s.

    Returns
    -------
    HealthReport
        One `CameraHealth` per camera, ordered by id.
    """
    recorder, rec_row = recorder_status(db, now=now)
    if offline_after_s is None:
        offline_after_s = rec_row.offline_after_s if rec_row else DEFAULT_OFFLINE_AFTER_S
    journal = RecorderJournal(db)
    with db.session() as s:
        states = {r.camera_id: r for r in s.scalars(select(RecordCameraRow))}
        counts = {
            cam: n for cam, n in s.execute(
                select(SegmentRow.camera_id, func.count()).group_by(SegmentRow.camera_id)
            )
        }
    expected = {
        c.id for c in Registry(db, keys=keys).cameras()
        if c.status == CameraStatus.in_service and c.stream_main
    }
    ids = sorted(expected | set(states) | set(counts))
    if camera_ids is not None:
        wanted = set(camera_ids)
        ids = [i for i in ids if i in wanted]
    first = _first_footage(db)
    cov_day = _coverage(db, now - DAY, now)
    cov_month = _coverage(db, now - MONTH, now)
    gaps = journal.gaps(since=now - DAY)
    out = []
    for cid in ids:
        row = states.get(cid)
        last = _latest_segments(db, cid)
        attempts = [t for t in (first.get(cid), row.first_attempt_at if row else None) if t]
        since = min(attempts) if attempts else None
        cam_gaps = [g for g in gaps if g.camera_id == cid and g.start < now]
        gap_s = sum(
            ((g.end or now) - max(g.start, now - DAY)).total_seconds() for g in cam_gaps
        )
        last_end = last[0].end_at if last else None
        silent_from = last_end or since
        silent_s = (now - silent_from).total_seconds() if silent_from else None
        if recorder.running and row is not None and row.recorder_id == rec_row.id:
            state = row.state
            state_since = row.state_since
            if state == CameraState.reconnecting and silent_s and silent_s > offline_after_s:
                state = CameraState.offline.value
        else:
            state = CameraState.stopped.value
            state_since = row.state_since if row and row.state == "stopped" else None
        bitrate = None
        if last:
            total_s = sum(r.duration_s for r in last)
            if total_s > 0:
                bitrate = sum(r.size_bytes for r in last) * 8 / total_s / 1000
        out.append(
            CameraHealth(
                id=cid,
                state=state,
                state_since=state_since,
                last_segment=last_end,
                last_segment_path=last[0].path if last else None,
                bitrate_kbps=bitrate,
                gaps_24h=len(cam_gaps),
                gap_s_24h=max(gap_s, 0.0),
                availability_24h=_availability(cov_day.get(cid), since, now - DAY, now),
                availability_30d=_availability(cov_month.get(cid), since, now - MONTH, now),
                silent_s=silent_s,
                alert=bool(
                    silent_s is not None and silent_s > offline_after_s
                    and (cid in expected or state != CameraState.stopped)
                ),
                restarts=row.restarts if row else 0,
                last_error=row.last_error if row else None,
                segments=int(counts.get(cid, 0)),
            )
        )
    return HealthReport(now=now, recorder=recorder, cameras=out, offline_after_s=offline_after_s)


def _latest_segments(db: Database, camera_id: str) -> list[SegmentRow]:
    with db.session() as s:
        q = (
            select(SegmentRow)
            .where(SegmentRow.camera_id == camera_id)
            .order_by(SegmentRow.start_at.desc())
            .limit(_BITRATE_SEGMENTS)
        )
        return list(s.scalars(q))
