"""Evidence export from the web app: the same export as ``sentinelle export``, by a logged-in
user holding the ``export`` habilitation on the camera (role permission ``video:export``).

``POST /api/exports`` writes the export under ``SENTINELLE_HOME/exports/`` (the folder named in
the answer, to hand over on a sealed medium) and answers its summary; a refusal for want of a
habilitation is audited (``export``, outcome ``denied``). ``GET /api/exports`` reads the register
of transmissions (R13). A ``droit_acces_rgpd`` export takes the data subject's designation in
``subjects`` (``TIME@X,Y``, as ``--subject``) and is redacted as on the command line.

Redacting takes minutes (every frame, twice): with ``"background": true`` the request is
checked at once (habilitation, fields) and answered ``202`` with a job; ``GET
/api/exports/jobs/{id}`` then tells its progress (frames done and expected) and, once done,
gives the same answer as the ``201`` (see `sentinelle.web.jobs`).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from sentinelle.access.audit import Actor, AuditAction, Outcome
from sentinelle.access.habilitations import Right
from sentinelle.custody.requisitions import RequisitionStore
from sentinelle.errors import InputError, NotFoundError, RecordingError, StorageError
from sentinelle.evidence.export import (
    ExportRequest,
    check_request,
    describe_requisition,
    export_footage,
)
from sentinelle.evidence.redaction import parse_subject
from sentinelle.evidence.transmissions import TransmissionRegister
from sentinelle.record.segments import camera_folder
from sentinelle.web.deps import AuditDep, CurrentUser, DbDep, HabilitationsDep
from sentinelle.web.jobs import JobFailed, Progress, QueueFull

router = APIRouter(prefix="/api", tags=["evidence"])


class ExportCreate(BaseModel):
    """An export: camera, window, lawful basis, requisition, recipient."""

    model_config = ConfigDict(populate_by_name=True)

    camera_id: str = Field(min_length=1, max_length=64)
    start: datetime = Field(alias="from", description="Start (ISO 8601, UTC when no offset)")
    end: datetime = Field(alias="to", description="End (ISO 8601, UTC when no offset)")
    legal_basis: str = Field(
        "", max_length=40,
        description="requisition_judiciaire, destinataire_L252-3 or droit_acces_rgpd")
    requisition: str | None = Field(None, max_length=100)
    recipient: str | None = Field(None, max_length=200)
    subjects: list[str] = Field(
        default_factory=list, max_length=20,
        description="droit_acces_rgpd: the data subject designated as TIME@X,Y (ISO time, "
        "point in normalised image coordinates 0–1 inside their person box); empty: every "
        "person blurred")
    rights_request: int | None = Field(None, ge=1,
                                       description="droit_acces_rgpd: rights request answered")
    background: bool = Field(
        False, description="Run in the background: answered 202 with a job whose progress "
        "and result `GET /api/exports/jobs/{id}` gives (for right-of-access exports, which "
        "redact every frame)")


def _aware(t: datetime, name: str) -> datetime:
    try:
        t = (t if t.tzinfo else t.replace(tzinfo=UTC)).astimezone(UTC)
        if not 1970 <= t.year <= 9000:
            raise ValueError
    except (ValueError, OverflowError):
        raise HTTPException(status_code=422, detail=f"`{name}`: a time between 1970 and "
                            "9000 is needed") from None
    return t


_FAILURES: tuple[tuple[type[Exception], int], ...] = (
    (InputError, 422), (NotFoundError, 404), (StorageError, 409),
    (RecordingError, 500),  # ffmpeg missing or failing (joining or re-encoding)
)


@router.post("/exports", status_code=201, responses={
    202: {"description": "Accepted to run in the background (`background`): `{\"job\", "
          "\"state\", \"url\"}`; the url tells progress and result"},
    429: {"description": "Too many background jobs waiting"}})
def create_export(body: ExportCreate, request: Request, db: DbDep, user: CurrentUser,
                  habs: HabilitationsDep, audit: AuditDep) -> Any:
    """Export footage as evidence (audited ``export``; entered in the register)."""
    now = datetime.now(UTC)
    home = request.app.state.settings.home
    start, end = _aware(body.start, "from"), _aware(body.end, "to")
    actor = Actor.of(user)
    decision = habs.can(user, Right.export, body.camera_id, now=now)
    if not decision:
        audit.record(actor=actor, action=AuditAction.export, object_type="camera",
                     object_id=body.camera_id,
                     time_range=(start, end) if end >= start else None,
                     outcome=Outcome.denied, details={"reason": decision.reason}, now=now)
        raise HTTPException(status_code=403, detail=f"access refused to camera "
                            f"{body.camera_id}: {decision.reason}")
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    out = home / "exports" / f"{stamp}-{camera_folder(body.camera_id)}-{secrets.token_hex(4)}"
    try:
        subjects = tuple(parse_subject(s, option="subjects") for s in body.subjects)
        req = ExportRequest(camera_id=body.camera_id, start=start, end=end,
                            legal_basis=body.legal_basis, out=out,
                            requisition=body.requisition, recipient=body.recipient,
                            subjects=subjects, rights_request=body.rights_request)
        check_request(req)
    except InputError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    keys = request.app.state.keys

    def work(progress: Progress | None = None) -> dict[str, Any]:
        store = RequisitionStore(db)
        at = now if progress is None else datetime.now(UTC)  # a job exports when it runs
        try:
            result = export_footage(
                db, keys, home / "recordings", req, actor=actor, now=at, progress=progress,
                resolve_requisition=lambda ref: describe_requisition(
                    store.ensure(ref, actor=actor, keys=keys, now=at)),
            )
        except Exception as exc:
            for kind, status in _FAILURES:
                if isinstance(exc, kind):
                    raise JobFailed(status, str(exc)) from exc
            raise
        return {"id": result.transmission_id, "out_dir": str(result.out),
                "manifest_sha256": result.manifest_sha256, "audit_seq": result.audit_seq,
                "segments": len(result.segments), "runs": [r.path for r in result.runs],
                "signature": result.manifest["signature"],
                "redaction": result.manifest.get("redaction")}

    if body.background:
        try:
            job = request.app.state.jobs.submit(user.username, "export", work)
        except QueueFull as exc:
            raise HTTPException(status_code=429, detail=str(exc)) from exc
        return JSONResponse(status_code=202, content={
            "job": job.id, "state": job.state, "url": f"/api/exports/jobs/{job.id}"})
    try:
        return work()
    except JobFailed as exc:
        raise HTTPException(status_code=exc.status, detail=exc.detail) from exc


@router.get("/exports/jobs/{job_id}")
def export_job(job_id: Annotated[str, Path(max_length=64)], request: Request,
               user: CurrentUser) -> dict[str, Any]:
    """A background export of the logged-in user: state, progress (frames done and
    expected), and the export's summary once done (or the reason it failed)."""
    job = request.app.state.jobs.get(job_id, user.username)
    if job is None:
        raise HTTPException(status_code=404, detail=f"no export job {job_id} of yours")
    return job.as_dict()


@router.get("/exports")
def list_exports(
    db: DbDep,
    camera_id: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    """The register of transmissions, oldest first."""
    rows = TransmissionRegister(db).list(camera_id=camera_id)
    return {"transmissions": [r.as_dict() for r in rows], "count": len(rows)}
