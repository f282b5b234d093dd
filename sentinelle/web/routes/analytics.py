"""Statistics routes: the page, the cameras with analytics, their counts, a blurred still.

``/statistiques`` and the JSON under ``/api/analytics`` show aggregates only (permission
``analytics:read``). The still on which zones are drawn is an image: it needs ``video:live``
and a live habilitation for that camera, is taken from the stream at the request, has the
privacy masks filled and every person blurred, is sent once (``no-store``) and is kept nowhere;
each one is audited as ``live_view``.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse

from sentinelle.access.audit import Actor, AuditAction, Outcome
from sentinelle.access.habilitations import Habilitations, Right
from sentinelle.analytics.basis import Enablements
from sentinelle.analytics.shapes import ShapeStore
from sentinelle.analytics.stats import CountStore, parse_interval
from sentinelle.errors import InputError, NotFoundError
from sentinelle.registry.store import Registry
from sentinelle.web.deps import AuditDep, CurrentSession, CurrentUser, DbDep, KeysDep
from sentinelle.web.pages import render

router = APIRouter(tags=["analytics"])
STILL_WIDTH = 640


@router.get("/statistiques", include_in_schema=False)
def statistics_page(request: Request, session: CurrentSession) -> HTMLResponse:
    return render(request, "statistics.html", session=session)


@router.get("/api/analytics/cameras")
def analytics_cameras(db: DbDep, keys: KeysDep) -> dict[str, Any]:
    """Cameras whose analytics were ever enabled: the switch, its basis, zones and lines."""
    now = datetime.now(UTC)
    shapes = ShapeStore(db, keys)
    out = []
    for e in Enablements(db, keys).all():
        d = e.as_dict()
        d["active"] = e.active(now)
        d["shapes"] = [s.as_dict() for s in shapes.shapes(e.camera_id, 0)]
        out.append(d)
    return {"cameras": out}


def _time(value: str, name: str) -> datetime:
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise HTTPException(422, f"{name} `{value}` is not an ISO 8601 time") from None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


@router.get("/api/analytics/stats")
def analytics_stats(
    db: DbDep,
    camera: Annotated[str, Query(min_length=1, max_length=64)],
    start: Annotated[str | None, Query(alias="from")] = None,
    end: Annotated[str | None, Query(alias="to")] = None,
    interval: Annotated[str, Query(max_length=20)] = "15min",
) -> dict[str, Any]:
    """Counts per interval: ``{"camera", "interval", "series": [{"start", "zone", "line",
    "direction", "class", "count"}]}`` (the JSON of `sentinelle analytics stats`).
    Default period: the last 24 hours."""
    t1 = _time(end, "to") if end else datetime.now(UTC)
    t0 = _time(start, "from") if start else t1 - timedelta(days=1)
    try:
        series = CountStore(db).series(camera, t0, t1, parse_interval(interval))
    except InputError as exc:
        raise HTTPException(422, str(exc)) from None
    return {"camera": camera, "interval": interval, "series": series}


@router.get("/api/analytics/cameras/{camera_id}/still")
def analytics_still(camera_id: str, db: DbDep, keys: KeysDep, user: CurrentUser,
                    audit: AuditDep) -> Response:
    """One frame of the camera, masks filled and every person blurred, as JPEG."""
    actor = Actor.of(user)
    decision = Habilitations(db, keys).can(user, Right.live, camera_id, now=datetime.now(UTC))
    if not decision:
        audit.record(actor=actor, action=AuditAction.live_view, object_type="camera",
                     object_id=camera_id, outcome=Outcome.denied,
                     details={"what": "analytics still", "reason": str(decision.reason)})
        raise HTTPException(403, f"no live habilitation for camera {camera_id}")
    try:
        cam = Registry(db, keys=keys).camera(camera_id)
    except NotFoundError as exc:
        raise HTTPException(404, str(exc)) from None
    source = cam.stream_sub or cam.stream_main
    if not source:
        raise HTTPException(404, f"camera {camera_id} has no stream")
    jpeg = _still_jpeg(db, keys, camera_id, source)
    audit.record(actor=actor, action=AuditAction.live_view, object_type="camera",
                 object_id=camera_id, details={"what": "analytics still, blurred"})
    return Response(jpeg, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


def _still_jpeg(db: Any, keys: Any, camera_id: str, source: str) -> bytes:
    from PIL import Image

    from sentinelle.analytics.runner import image_masks
    from sentinelle.vision.blur import blur_thumbnail
    from sentinelle.vision.detector import Detector
    from sentinelle.vision.frames import read_frames

    masks = image_masks(db, keys)(camera_id, 0)
    try:
        frames = read_frames(source, camera_id, masks, max_side=STILL_WIDTH, timeout_s=5)
        frame = next(iter(frames))
        frames.close()
    except (InputError, StopIteration) as exc:
        raise HTTPException(502, f"no image from camera {camera_id}: {exc}") from None
    image = frame.image
    h, w = image.shape[:2]
    dets = Detector().detect(image, camera_id, frame.ts)
    people = dets.select(dets.classes == 0).boxes * [w, h, w, h]
    blur_thumbnail(image, people.tolist())
    buf = io.BytesIO()
    Image.fromarray(image[:, :, ::-1]).save(buf, format="JPEG", quality=80)
    return buf.getvalue()
