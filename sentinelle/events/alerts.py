"""Alerts: attention signals an operator confirms or dismisses (décret 2023-828 art. 2, R32).

An alert holds the camera, the event type, the time, the tracks involved (ids local to the
camera), the zone, a few measures and one thumbnail in which every person's head region is
blurred (`blur_thumbnail`). Its state goes ``raised`` → ``confirmed`` or ``dismissed`` once,
by a human (who, when, why; audited ``alert_decision``); nothing else happens automatically.

Retention: the thumbnail is an image and follows the camera's video retention (its
``retention_days``, 30 days when unset); the metadata and decisions are kept at least six
months (AI Act art. 26) for the evaluation. `purge` applies both.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import delete, select, update
from sqlalchemy.orm import defer

from sentinelle.access.audit import Actor, AuditAction, AuditLog
from sentinelle.access.keys import Keys
from sentinelle.db.engine import Database
from sentinelle.db.events_tables import EventAlertRow
from sentinelle.errors import AccessDenied, InputError, NotFoundError
from sentinelle.events.detectors import EventHit

#: Least time alert metadata and decisions are kept (AI Act art. 26(6): six months).
MIN_KEEP_DAYS = 183
DEFAULT_VIDEO_RETENTION_DAYS = 30
THUMB_MAX_SIDE = 320


class AlertState(StrEnum):
    raised = "raised"
    confirmed = "confirmed"
    dismissed = "dismissed"


@dataclass(frozen=True)
class Alert:
    id: int
    camera_id: str
    type: str
    ts: datetime
    basis_id: int
    tracks: tuple[int, ...]
    zone: str | None
    detail: dict[str, Any]
    has_thumbnail: bool
    thumbnail_until: datetime | None
    state: str
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None

    def as_dict(self) -> dict[str, Any]:
        """The public contract of `sentinelle analytics alerts --json` (plus extra keys)."""
        return {"id": self.id, "camera": self.camera_id, "type": self.type,
                "ts": _iso(self.ts), "state": self.state, "decided_by": self.decided_by,
                "decided_at": _iso(self.decided_at) if self.decided_at else None,
                "reason": self.reason, "tracks": list(self.tracks), "zone": self.zone,
                "basis": self.basis_id, "detail": self.detail,
                "thumbnail": self.has_thumbnail}


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _alert(r: EventAlertRow) -> Alert:
    return Alert(id=r.id, camera_id=r.camera_id, type=r.type, ts=r.ts, basis_id=r.basis_id,
                 tracks=tuple(r.tracks), zone=r.zone, detail=dict(r.detail or {}),
                 has_thumbnail=r.thumbnail_until is not None,
                 thumbnail_until=r.thumbnail_until,
                 state=r.state, decided_by=r.decided_by, decided_at=r.decided_at,
                 reason=r.reason)


def thumbnail_jpeg(frame: NDArray[np.uint8], person_boxes_px: Sequence[Sequence[float]],
                   ) -> bytes:
    """A small JPEG of `frame` (BGR) with every person's head region blurred first."""
    from PIL import Image

    from sentinelle.vision.blur import blur_thumbnail

    img = np.ascontiguousarray(frame).copy()
    blur_thumbnail(img, [list(b) for b in person_boxes_px])
    pil = Image.fromarray(img[:, :, ::-1])
    pil.thumbnail((THUMB_MAX_SIDE, THUMB_MAX_SIDE))
    buf = io.BytesIO()
    pil.save(buf, format="JPEG", quality=80)
    return buf.getvalue()


class Alerts:
    """The alerts of one database."""

    def __init__(self, db: Database, keys: Keys) -> None:
        self.db = db
        self.keys = keys

    def raise_(self, hit: EventHit, *, basis_id: int, frame: NDArray[np.uint8] | None = None,
               person_boxes: Sequence[Sequence[float]] = (), now: datetime | None = None
               ) -> Alert:
        """Store `hit` as a raised alert, with a blurred thumbnail when `frame` is given: the
        head region of every box of `person_boxes` (normalised; every person of the frame) and
        of the hit's own boxes is blurred."""
        from sentinelle.registry.store import Registry

        now = now or datetime.now(UTC)
        thumb, until = None, None
        if frame is not None:
            h, w = frame.shape[:2]
            boxes = [*person_boxes, *hit.boxes]
            px = [(b[0] * w, b[1] * h, b[2] * w, b[3] * h) for b in boxes]
            thumb = thumbnail_jpeg(frame, px)
            cam = Registry(self.db, keys=self.keys).camera(hit.camera_id)
            days = cam.retention_days or DEFAULT_VIDEO_RETENTION_DAYS
            until = hit.ts + timedelta(days=days)
        detail = dict(hit.detail)
        detail["boxes"] = [list(b) for b in hit.boxes]
        with self.db.session() as s:
            row = EventAlertRow(camera_id=hit.camera_id, type=hit.type, ts=hit.ts,
                                basis_id=basis_id, tracks=list(hit.tracks), zone=hit.zone,
                                detail=detail, thumbnail=thumb, thumbnail_until=until,
                                state=AlertState.raised.value, created_at=now)
            s.add(row)
            s.flush()
            return _alert(row)

    def get(self, alert_id: int) -> Alert:
        with self.db.session() as s:
            r = s.get(EventAlertRow, alert_id, options=[defer(EventAlertRow.thumbnail)])
            if r is None:
                raise NotFoundError(f"no alert #{alert_id}")
            return _alert(r)

    def thumbnail(self, alert_id: int) -> bytes | None:
        with self.db.session() as s:
            r = s.get(EventAlertRow, alert_id)
            if r is None:
                raise NotFoundError(f"no alert #{alert_id}")
            return r.thumbnail

    def list(self, *, state: str | None = None, camera_id: str | None = None,
             cameras: Sequence[str] | None = None, limit: int | None = None) -> list[Alert]:
        with self.db.session() as s:
            q = (select(EventAlertRow).options(defer(EventAlertRow.thumbnail))
                 .order_by(EventAlertRow.ts.desc(), EventAlertRow.id.desc()))
            if state is not None:
                q = q.where(EventAlertRow.state == state)
            if camera_id is not None:
                q = q.where(EventAlertRow.camera_id == camera_id)
            if cameras is not None:
                q = q.where(EventAlertRow.camera_id.in_(list(cameras)))
            if limit is not None:
                q = q.limit(limit)
            return [_alert(r) for r in s.scalars(q).all()]

    def decide(self, alert_id: int, *, confirm: bool, reason: str, actor: Actor,
               user: Any | None = None, now: datetime | None = None) -> Alert:
        """Confirm or dismiss a raised alert (audited ``alert_decision``).

        `user`: the logged-in operator, who must hold a habilitation with the right ``live``
        in force on the alert's camera (the agents who watch the images); the CLI's operator
        (`Actor.cli()`, no user) is exempt as everywhere. Raises InputError (empty reason,
        already decided), NotFoundError, AccessDenied.
        """
        now = now or datetime.now(UTC)
        if not reason or not reason.strip():
            raise InputError("--reason must say why the alert is confirmed or dismissed")
        alert = self.get(alert_id)
        if user is not None:
            from sentinelle.access.habilitations import Habilitations

            d = Habilitations(self.db, self.keys).can(user, "live", alert.camera_id, now=now)
            if not d.allowed:
                AuditLog(self.db, self.keys).record(
                    actor=actor, action=AuditAction.alert_decision, object_type="alert",
                    object_id=str(alert_id), outcome="denied", now=now,
                    details={"camera": alert.camera_id, "type": alert.type,
                             "reason_denied": d.reason})
                raise AccessDenied(f"alert #{alert_id}: {d.reason}")
        state = AlertState.confirmed if confirm else AlertState.dismissed
        with self.db.session() as s:
            res = s.execute(update(EventAlertRow)
                            .where(EventAlertRow.id == alert_id,
                                   EventAlertRow.state == AlertState.raised.value)
                            .values(state=state.value, decided_by=actor.name, decided_at=now,
                                    reason=reason.strip()))
            if res.rowcount != 1:
                raise InputError(f"alert #{alert_id} is already {alert.state} (by "
                                 f"{alert.decided_by}); a decision is final")
            AuditLog(self.db, self.keys).record(
                actor=actor, action=AuditAction.alert_decision, object_type="alert",
                object_id=str(alert_id), purpose=reason.strip(), now=now, session=s,
                details={"camera": alert.camera_id, "type": alert.type,
                         "decision": state.value, "alert_ts": _iso(alert.ts)})
        return self.get(alert_id)

    def purge(self, *, now: datetime | None = None, keep_days: int = MIN_KEEP_DAYS
              ) -> dict[str, int]:
        """Drop thumbnails past the video retention, and alerts older than `keep_days`
        (never fewer than six months)."""
        now = now or datetime.now(UTC)
        if keep_days < MIN_KEEP_DAYS:
            raise InputError(f"alert metadata is kept at least {MIN_KEEP_DAYS} days (AI Act "
                             f"art. 26), not {keep_days}")
        with self.db.session() as s:
            thumbs = s.execute(update(EventAlertRow)
                               .where(EventAlertRow.thumbnail_until <= now,
                                      EventAlertRow.thumbnail.is_not(None))
                               .values(thumbnail=None, thumbnail_until=None)).rowcount
            old = s.execute(delete(EventAlertRow).where(
                EventAlertRow.ts < now - timedelta(days=keep_days))).rowcount
        return {"thumbnails": thumbs, "alerts": old}
