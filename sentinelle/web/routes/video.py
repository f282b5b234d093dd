"""Playback and live view in the browser, for habilitated users only.

- ``/lecture``: the page (pick a camera and a time window, play; or watch live).
- ``/api/video/cameras``: the cameras the user may replay or watch live.
- ``/api/video/{camera_id}/segments``: the indexed segments of a window, to play one after the
  other. Opening a replay needs the ``replay`` right on the camera (``Habilitations.can``) and
  writes a ``replay`` audit entry with the camera and time range, refused attempts included
  (outcome ``denied``).
- ``/api/video/{camera_id}/live``: the newest complete segments (live view: a player follows
  them as they are indexed, about one segment behind). Needs the ``live`` right; the opening
  writes a ``live_view`` audit entry, the follow-up polls (``opening=false``) do not.
- ``/api/video/{camera_id}/file/{path}``: one segment file as recorded (fragmented MP4,
  H.264, never re-encoded), served with HTTP Range (206 partial answers) so that Chromium
  seeks and plays it; checked on every request (``replay``, or ``live`` for a segment of the
  last minutes).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse

from sentinelle.access.audit import Actor, AuditAction, Outcome
from sentinelle.access.habilitations import Right
from sentinelle.record.segments import Segment, SegmentIndex
from sentinelle.registry.store import Registry
from sentinelle.web.deps import AuditDep, CurrentSession, CurrentUser, DbDep, HabilitationsDep

router = APIRouter(tags=["video"])

DEFAULT_WINDOW = timedelta(hours=1)
MAX_WINDOW = timedelta(days=1)
LIVE_SEGMENTS = 3
LIVE_RECENT = timedelta(minutes=10)
TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "video.html"


def _recordings(request: Request) -> Path:
    return request.app.state.settings.home / "recordings"


def _time(value: str | None, name: str) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        t = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace(" ", "+"))
        t = (t if t.tzinfo else t.replace(tzinfo=UTC)).astimezone(UTC)
        if not 1970 <= t.year <= 9000:
            raise ValueError
    except (ValueError, OverflowError):
        raise HTTPException(status_code=422, detail=f"`{name}` `{value}` is not an ISO 8601 "
                            "time between 1970 and 9000 (e.g. 2026-11-25T10:00:00Z)") from None
    return t


def _file_url(camera_id: str, seg: Segment) -> str:
    return f"/api/video/{quote(camera_id, safe='')}/file/{quote(seg.path)}"


def _segment_json(camera_id: str, seg: Segment) -> dict[str, Any]:
    return {"url": _file_url(camera_id, seg), "path": seg.path,
            "start": seg.start.isoformat(), "end": seg.end.isoformat(),
            "duration_s": round(seg.duration_s, 3), "complete": seg.complete}


@router.get("/lecture", include_in_schema=False)
def video_page(session: CurrentSession) -> HTMLResponse:
    """The playback and live-view page."""
    html = TEMPLATE.read_text(encoding="utf-8")
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


@router.get("/api/video/cameras")
def video_cameras(db: DbDep, request: Request, user: CurrentUser,
                  habs: HabilitationsDep) -> dict[str, Any]:
    """Cameras the user holds a ``replay``, ``live`` or ``export`` habilitation for, with
    those rights."""
    now = datetime.now(UTC)
    out = []
    for cam in Registry(db, keys=request.app.state.keys).cameras():
        rights = [r.value for r in (Right.replay, Right.live, Right.export)
                  if habs.can(user, r, cam.id, now=now)]
        if rights:
            out.append({"id": cam.id, "name": getattr(cam, "name", None) or cam.id,
                        "rights": rights})
    return {"cameras": out}


def _refuse(audit: AuditDep, user: Any, action: AuditAction, camera_id: str,
            time_range: tuple[datetime, datetime], reason: str, now: datetime) -> HTTPException:
    audit.record(actor=Actor.of(user), action=action, object_type="camera",
                 object_id=camera_id, time_range=time_range, outcome=Outcome.denied,
                 details={"reason": reason}, now=now)
    return HTTPException(status_code=403, detail=f"access refused to camera {camera_id}: "
                         f"{reason}")


@router.get("/api/video/{camera_id}/segments")
def video_segments(
    camera_id: str,
    request: Request,
    db: DbDep,
    user: CurrentUser,
    habs: HabilitationsDep,
    audit: AuditDep,
    from_: Annotated[str | None, Query(alias="from", description="Start (ISO 8601)")] = None,
    to: Annotated[str | None, Query(description="End (ISO 8601)")] = None,
    purpose: Annotated[str | None, Query(max_length=200, description="Why (audited)")] = None,
) -> dict[str, Any]:
    """Open a replay: the segments of the window, in order, with the gaps between them."""
    now = datetime.now(UTC)
    end = _time(to, "to") or now
    start = _time(from_, "from") or end - DEFAULT_WINDOW
    if end <= start:
        raise HTTPException(status_code=422, detail="`to` must be after `from`")
    if end - start > MAX_WINDOW:
        raise HTTPException(status_code=422, detail="a replay window of at most one day")
    decision = habs.can(user, Right.replay, camera_id, now=now)
    if not decision:
        raise _refuse(audit, user, AuditAction.replay, camera_id, (start, end),
                      decision.reason, now)
    segs = SegmentIndex(db, _recordings(request)).segments(camera_id, start=start, end=end)
    audit.record(actor=Actor.of(user), action=AuditAction.replay, object_type="camera",
                 object_id=camera_id, time_range=(start, end), purpose=purpose,
                 details={"segments": len(segs), "habilitation": decision.habilitation_id},
                 now=now)
    gaps = []
    prev = start
    for s in segs:
        if (s.start - prev).total_seconds() > 1.5:
            gaps.append({"from": prev.isoformat(), "to": s.start.isoformat()})
        prev = max(prev, s.end)
    if (end - prev).total_seconds() > 1.5 and prev < now:
        gaps.append({"from": prev.isoformat(), "to": min(end, now).isoformat()})
    return {"camera_id": camera_id, "from": start.isoformat(), "to": end.isoformat(),
            "segments": [_segment_json(camera_id, s) for s in segs], "gaps": gaps}


@router.get("/api/video/{camera_id}/live")
def video_live(
    camera_id: str,
    request: Request,
    db: DbDep,
    user: CurrentUser,
    habs: HabilitationsDep,
    audit: AuditDep,
    opening: Annotated[bool, Query(description="First call of a live view (audited)")] = True,
    after: Annotated[str | None, Query(description="Only segments starting after this time")
                     ] = None,
) -> dict[str, Any]:
    """Open (or follow) a live view: the camera's newest complete segments."""
    now = datetime.now(UTC)
    decision = habs.can(user, Right.live, camera_id, now=now)
    if not decision:
        if opening:
            raise _refuse(audit, user, AuditAction.live_view, camera_id, (now, now),
                          decision.reason, now)
        raise HTTPException(status_code=403, detail=f"access refused to camera {camera_id}: "
                            f"{decision.reason}")
    since = _time(after, "after")
    index = SegmentIndex(db, _recordings(request))
    recent = index.segments(camera_id, start=now - LIVE_RECENT)
    if since is not None:
        recent = [s for s in recent if s.start > since]
    else:
        recent = recent[-LIVE_SEGMENTS:]
    if opening:  # the time range: from the oldest footage served to now
        first = min((s.start for s in recent), default=now)
        audit.record(actor=Actor.of(user), action=AuditAction.live_view, object_type="camera",
                     object_id=camera_id, time_range=(min(first, now), now),
                     details={"habilitation": decision.habilitation_id}, now=now)
    return {"camera_id": camera_id, "now": now.isoformat(),
            "segments": [_segment_json(camera_id, s) for s in recent], "poll_s": 2}


@router.get("/api/video/{camera_id}/file/{path:path}", include_in_schema=False)
def video_file(
    camera_id: str,
    path: str,
    request: Request,
    db: DbDep,
    user: CurrentUser,
    habs: HabilitationsDep,
) -> FileResponse:
    """One recorded segment, as recorded, with HTTP Range support."""
    now = datetime.now(UTC)
    root = _recordings(request)
    replay = habs.can(user, Right.replay, camera_id, now=now)
    decision = replay or habs.can(user, Right.live, camera_id, now=now)
    if not decision:  # refused before saying whether the segment exists
        raise HTTPException(status_code=403, detail=f"access refused to camera {camera_id}: "
                            f"{replay.reason}")
    seg = SegmentIndex(db, root).get(path)
    if seg is None or seg.camera_id != camera_id:
        raise HTTPException(status_code=404, detail=f"no segment {path} of camera {camera_id}")
    if not replay and seg.end < now - LIVE_RECENT:
        raise HTTPException(status_code=403, detail=f"access refused to camera {camera_id}: "
                            f"live right only, and this segment is older than live view")
    file = (root / seg.path).resolve()
    if not file.is_relative_to(root.resolve()) or not file.is_file():
        raise HTTPException(status_code=404, detail=f"segment file {path} is missing")
    return FileResponse(file, media_type="video/mp4",
                        headers={"Cache-Control": "private, no-store"})

