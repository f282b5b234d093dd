"""What the recorder writes about its own work: its heartbeat, each ffmpeg run, each camera's
state, and the gaps in each camera's footage.

`RecorderJournal` is the only code that writes the ``record_recorders``, ``record_runs``,
``record_cameras`` and ``record_gaps`` tables; `sentinelle.record.health` reads them.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import bindparam, select

from sentinelle.db.engine import Database
from sentinelle.db.record_tables import GapRow, RecordCameraRow, RecorderRow, RecordRunRow

_RECORDERS = RecorderRow.__table__
_CAMERAS = RecordCameraRow.__table__


class CameraState(StrEnum):
    """A camera's recording state.

    ``recording``: ffmpeg is receiving and writing; ``reconnecting``: the stream was lost and
    the recorder is retrying; ``offline``: silent longer than the alert threshold;
    ``stopped``: no recorder is recording it.
    """

    recording = "recording"
    reconnecting = "reconnecting"
    offline = "offline"
    stopped = "stopped"


class GapReason(StrEnum):
    """Why footage is missing."""

    stream_lost = "stream_lost"  # ffmpeg exited (camera silent, refused, timed out)
    stalled = "stalled"  # ffmpeg alive but nothing written: killed by the watchdog
    recorder_down = "recorder_down"  # no recorder ran (crash, kill, machine off)
    recorder_stopped = "recorder_stopped"  # the recorder was stopped on purpose


@dataclass(frozen=True)
class Gap:
    """Time without footage for a camera; `end` is None while it lasts."""

    id: int
    camera_id: str
    start: datetime
    end: datetime | None
    reason: str
    detail: str | None

    def duration_s(self, *, now: datetime) -> float:
        return ((self.end or now) - self.start).total_seconds()


def _gap(row: GapRow) -> Gap:
    return Gap(row.id, row.camera_id, row.start_at, row.end_at, row.reason, row.detail)


class RecorderJournal:
    """Writes and reads the recorder's heartbeat, runs, camera states and gaps.

    Parameters
    ----------
    db
        The database shared with the web app and other processes.
    """

    def __init__(self, db: Database) -> None:
        self.db = db

    # --- recorder ------------------------------------------------------------------------
    def register_recorder(
        self, *, recordings: str, now: datetime, heartbeat_s: float, offline_after_s: float
    ) -> int:
        with self.db.session() as s:
            row = RecorderRow(
                host=socket.gethostname(), pid=os.getpid(), recordings=recordings,
                started_at=now, heartbeat_at=now, heartbeat_s=heartbeat_s,
                offline_after_s=offline_after_s,
            )
            s.add(row)
            s.flush()
            return row.id

    def heartbeat(
        self,
        recorder_id: int,
        *,
        now: datetime,
        cameras: Sequence[CameraStatusUpdate],
        progress: Sequence[tuple[str, datetime]] = (),
    ) -> None:
        """Record that the recorder is alive, and the state of the cameras given, in one
        transaction.

        Parameters
        ----------
        cameras
            Cameras whose state (or anything else than their last progress) changed.
        progress
            ``(camera id, last progress)`` of cameras this recorder has written already and
            whose last progress alone changed: one UPDATE for all of them.
        """
        with self.db.session() as s:
            conn = s.connection()
            conn.execute(
                _RECORDERS.update().where(_RECORDERS.c.id == recorder_id)
                .values(heartbeat_at=now)
            )
            if progress:
                conn.execute(
                    _CAMERAS.update()
                    .where(_CAMERAS.c.camera_id == bindparam("b_camera"),
                           _CAMERAS.c.recorder_id == recorder_id)
                    .values(last_progress_at=bindparam("b_at"), updated_at=now),
                    [{"b_camera": cid, "b_at": at} for cid, at in progress],
                )
            for upd in cameras:
                self._write_camera(s, recorder_id, upd, now=now)

    def stop_recorder(self, recorder_id: int, *, now: datetime) -> None:
        with self.db.session() as s:
            rec = s.get(RecorderRow, recorder_id)
            if rec is not None:
                rec.heartbeat_at = now
                rec.stopped_at = now
            for row in s.scalars(
                select(RecordCameraRow).where(RecordCameraRow.recorder_id == recorder_id)
            ):
                if row.state != CameraState.stopped:
                    row.state = CameraState.stopped.value
                    row.state_since = now
                row.updated_at = now

    def latest_recorder(self) -> RecorderRow | None:
        with self.db.session() as s:
            q = select(RecorderRow).order_by(RecorderRow.id.desc()).limit(1)
            return s.scalars(q).first()

    # --- cameras -------------------------------------------------------------------------
    def _write_camera(
        self, s, recorder_id: int, upd: CameraStatusUpdate, *, now: datetime
    ) -> None:
        row = s.get(RecordCameraRow, upd.camera_id)
        if row is None:
            row = RecordCameraRow(
                camera_id=upd.camera_id, state=upd.state.value, state_since=upd.state_since,
                first_attempt_at=upd.first_attempt_at, restarts=0, updated_at=now,
            )
            s.add(row)
        row.recorder_id = recorder_id
        if row.state != upd.state.value or row.state_since != upd.state_since:
            row.state = upd.state.value
            row.state_since = upd.state_since
        row.first_attempt_at = min(row.first_attempt_at, upd.first_attempt_at)
        row.last_progress_at = upd.last_progress_at or row.last_progress_at
        row.restarts = upd.restarts
        row.last_error = upd.last_error
        row.updated_at = now

    def camera_rows(self) -> list[RecordCameraRow]:
        with self.db.session() as s:
            return list(s.scalars(select(RecordCameraRow).order_by(RecordCameraRow.camera_id)))

    # --- runs ----------------------------------------------------------------------------
    def start_run(
        self, camera_id: str, *, recorder_id: int, now: datetime, segment_list: str
    ) -> int:
        with self.db.session() as s:
            row = RecordRunRow(
                camera_id=camera_id, recorder_id=recorder_id, launched_at=now,
                segment_list=segment_list,
            )
            s.add(row)
            s.flush()
            return row.id

    def set_first_packet(self, run_id: int, at: datetime) -> None:
        with self.db.session() as s:
            row = s.get(RecordRunRow, run_id)
            if row is not None:
                row.first_packet_at = at

    def end_run(
        self, run_id: int, *, now: datetime, exit_code: int | None, reason: str
    ) -> None:
        with self.db.session() as s:
            row = s.get(RecordRunRow, run_id)
            if row is not None:
                row.ended_at = now
                row.exit_code = exit_code
                row.end_reason = reason

    def runs_with_lists(self) -> list[RecordRunRow]:
        """Runs whose segment list may still be on disk (to finish indexing after a crash)."""
        with self.db.session() as s:
            q = select(RecordRunRow).where(RecordRunRow.segment_list.is_not(None))
            return list(s.scalars(q))

    def forget_list(self, run_id: int) -> None:
        with self.db.session() as s:
            row = s.get(RecordRunRow, run_id)
            if row is not None:
                row.segment_list = None

    def runs(self, camera_id: str | None = None) -> list[RecordRunRow]:
        with self.db.session() as s:
            q = select(RecordRunRow).order_by(RecordRunRow.id)
            if camera_id is not None:
                q = q.where(RecordRunRow.camera_id == camera_id)
            return list(s.scalars(q))

    # --- gaps ----------------------------------------------------------------------------
    def open_gap(
        self, camera_id: str, *, start: datetime, reason: GapReason, detail: str | None = None
    ) -> Gap:
        """Open a gap for the camera, unless one is open already (that one is returned)."""
        with self.db.session() as s:
            row = s.scalars(
                select(GapRow).where(GapRow.camera_id == camera_id, GapRow.end_at.is_(None))
            ).first()
            if row is None:
                row = GapRow(camera_id=camera_id, start_at=start, reason=reason.value,
                             detail=detail)
                s.add(row)
                s.flush()
            return _gap(row)

    def close_gap(self, camera_id: str, *, end: datetime) -> Gap | None:
        """Close the camera's open gap at `end` (the start of the footage that resumes)."""
        with self.db.session() as s:
            row = s.scalars(
                select(GapRow).where(GapRow.camera_id == camera_id, GapRow.end_at.is_(None))
            ).first()
            if row is None:
                return None
            row.end_at = max(end, row.start_at)
            return _gap(row)

    def open_gap_of(self, camera_id: str) -> Gap | None:
        with self.db.session() as s:
            row = s.scalars(
                select(GapRow).where(GapRow.camera_id == camera_id, GapRow.end_at.is_(None))
            ).first()
            return _gap(row) if row else None

    def gaps(
        self,
        camera_id: str | None = None,
        *,
        since: datetime | None = None,
    ) -> list[Gap]:
        """Gaps of a camera (or all), those still open or ending after `since`."""
        q = select(GapRow).order_by(GapRow.camera_id, GapRow.start_at)
        if camera_id is not None:
            q = q.where(GapRow.camera_id == camera_id)
        if since is not None:
            q = q.where((GapRow.end_at.is_(None)) | (GapRow.end_at > since))
        with self.db.session() as s:
            return [_gap(r) for r in s.scalars(q)]


@dataclass(frozen=True)
class CameraStatusUpdate:
    """A camera's state as the recorder sees it now."""

    camera_id: str
    state: CameraState
    state_since: datetime
    first_attempt_at: datetime
    last_progress_at: datetime | None
    restarts: int
    last_error: str | None
