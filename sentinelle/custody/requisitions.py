"""Judicial requisitions: who asked for which footage, on which procedure, and what came of it.

A requisition has a reference (its number), the requesting authority, the officer (OPJ or
magistrate), the document received, the procedure (flagrance, préliminaire, information
judiciaire: CSI L252-5, LEGAL R11), an offence category, and camera × time windows. Each window
is put under a legal hold at once, held until the requisition is closed (or `hold_days` after
it was recorded, whichever first). Closing records the outcome (footage found, useful, case
solved) and releases the holds; `cases` gives the outcomes in the layout that
``sentinelle evaluate usefulness --cases`` reads.

An export that names an unknown reference calls `RequisitionStore.ensure`, which records the
reference flagged ``incomplete`` (to be completed with `add`). A requisition is incomplete while
its authority, officer or document is missing. Every change is audited
(``requisition_change``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sentinelle.access.audit import Actor, AuditAction, AuditLog, LegalBasis
from sentinelle.access.keys import Keys
from sentinelle.custody.common import aware, keys_or_default, text, window
from sentinelle.custody.holds import HoldKind, place_hold, release_rows
from sentinelle.db.custody_tables import HoldRow, RequisitionRow, RequisitionWindowRow
from sentinelle.db.engine import Database
from sentinelle.errors import InputError, NotFoundError
from sentinelle.evaluate.usefulness import CASE_OPTIONAL, CASE_REQUIRED

DEFAULT_HOLD_DAYS = 365
"""How long a requisition's windows stay held when it is never closed."""


class Procedure(StrEnum):
    """The penal procedures that allow keeping footage past retention (CSI L252-5)."""

    flagrance = "flagrance"
    preliminaire = "preliminaire"
    information_judiciaire = "information_judiciaire"


@dataclass(frozen=True)
class Requisition:
    """A judicial requisition as stored.

    ``windows`` lists ``(camera_id, start, end)``; the three outcome flags are None until the
    requisition is closed.
    """

    id: int
    reference: str
    authority: str | None
    officer: str | None
    document: str | None
    procedure: str | None
    category: str | None
    windows: list[tuple[str, datetime, datetime]] = field(default_factory=list)
    incomplete: bool = False
    opened_at: datetime | None = None
    opened_by: str | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    footage_found: bool | None = None
    useful: bool | None = None
    case_solved: bool | None = None
    notes: str | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "reference": self.reference, "authority": self.authority,
            "officer": self.officer, "document": self.document, "procedure": self.procedure,
            "category": self.category,
            "windows": [{"camera_id": c, "start": s.isoformat(), "end": e.isoformat()}
                        for c, s, e in self.windows],
            "incomplete": self.incomplete,
            "opened_at": self.opened_at.isoformat() if self.opened_at else None,
            "opened_by": self.opened_by,
            "closed_at": self.closed_at.isoformat() if self.closed_at else None,
            "closed_by": self.closed_by, "footage_found": self.footage_found,
            "useful": self.useful, "case_solved": self.case_solved, "notes": self.notes,
        }


def _requisition(row: RequisitionRow, windows: Iterable[RequisitionWindowRow]) -> Requisition:
    return Requisition(
        id=row.id, reference=row.reference, authority=row.authority, officer=row.officer,
        document=row.document, procedure=row.procedure, category=row.category,
        windows=[(w.camera_id, w.start_at, w.end_at)
                 for w in sorted(windows, key=lambda w: (w.camera_id, w.start_at))],
        incomplete=row.incomplete, opened_at=row.opened_at, opened_by=row.opened_by,
        closed_at=row.closed_at, closed_by=row.closed_by, footage_found=row.footage_found,
        useful=row.useful, case_solved=row.case_solved, notes=row.notes,
    )


def _reference(reference: str) -> str:
    ref = text(reference, "reference", max_len=100, required=True)
    assert ref is not None
    return ref


def _procedure(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return Procedure(value.strip()).value
    except ValueError:
        options = ", ".join(p.value for p in Procedure)
        msg = f"`procedure` '{value}' is not one of: {options}"
        raise InputError(msg) from None


def parse_window(spec: str) -> tuple[str, datetime, datetime]:
    """``CAMERA@START/END`` (ISO 8601 times, UTC without offset) → (camera, start, end)."""
    from sentinelle.custody.common import parse_time

    cam, sep, times = spec.partition("@")
    start_s, sep2, end_s = times.partition("/")
    if not sep or not sep2 or not cam.strip():
        msg = (f"window '{spec}': expected CAMERA@START/END, "
               "e.g. REN-001@2026-11-20T21:00/2026-11-20T22:00")
        raise InputError(msg)
    start, end = window(parse_time(start_s, f"window '{spec}' start"),
                        parse_time(end_s, f"window '{spec}' end"), f"window '{spec}'")
    return cam.strip(), start, end


class RequisitionStore:
    """The judicial requisitions of an installation.

    Parameters
    ----------
    db
        The database.
    keys
        The installation's keys for the audit log (default: read from the environment when a
        change is written; each writing method also takes ``keys=``).
    """

    def __init__(self, db: Database, keys: Keys | None = None) -> None:
        self.db = db
        self.keys = keys

    def _audit(self, keys: Keys | None) -> AuditLog:
        return AuditLog(self.db, keys_or_default(keys or self.keys))

    # reading

    def _load(self, s: Session, row: RequisitionRow) -> Requisition:
        windows = s.scalars(select(RequisitionWindowRow)
                            .where(RequisitionWindowRow.requisition_id == row.id)).all()
        return _requisition(row, windows)

    def get(self, reference: str) -> Requisition | None:
        """The requisition with this reference, or None."""
        ref = _reference(reference)
        with self.db.session() as s:
            row = s.scalars(select(RequisitionRow)
                            .where(RequisitionRow.reference == ref)).one_or_none()
            return None if row is None else self._load(s, row)

    def by_id(self, requisition_id: int) -> Requisition:
        """The requisition with this id (`NotFoundError` when none)."""
        with self.db.session() as s:
            row = s.get(RequisitionRow, requisition_id)
            if row is None:
                msg = f"no requisition #{requisition_id}"
                raise NotFoundError(msg)
            return self._load(s, row)

    def list(self, *, open_only: bool = False) -> list[Requisition]:
        """Requisitions, newest first."""
        q = select(RequisitionRow).order_by(RequisitionRow.opened_at.desc(),
                                            RequisitionRow.id.desc())
        if open_only:
            q = q.where(RequisitionRow.closed_at.is_(None))
        with self.db.session() as s:
            return [self._load(s, r) for r in s.scalars(q).all()]

    # writing

    def ensure(self, reference: str, *, actor: Actor, keys: Keys | None = None,
               now: datetime) -> Requisition:
        """The requisition with this reference; recorded flagged ``incomplete`` when unknown
        (audited ``requisition_change``)."""
        ref = _reference(reference)
        now = aware(now, "now")
        found = self.get(ref)
        if found is not None:
            return found
        audit = self._audit(keys)
        try:
            with self.db.session() as s:
                row = RequisitionRow(reference=ref, incomplete=True, opened_at=now,
                                     opened_by=actor.name)
                s.add(row)
                s.flush()
                audit.record(actor=actor, action=AuditAction.requisition_change,
                             object_type="requisition", object_id=ref,
                             legal_basis=LegalBasis.requisition_judiciaire,
                             requisition_ref=ref,
                             purpose="référence inconnue enregistrée, dossier incomplet",
                             details={"change": "created_incomplete"}, now=now, session=s)
                return self._load(s, row)
        except IntegrityError:  # recorded at the same moment by another process
            found = self.get(ref)
            if found is None:
                raise
            return found

    def add(
        self,
        reference: str,
        *,
        authority: str,
        officer: str,
        document: str | None = None,
        procedure: str | None = None,
        category: str | None = None,
        windows: Sequence[tuple[str, datetime, datetime]] = (),
        actor: Actor,
        now: datetime,
        hold_days: int = DEFAULT_HOLD_DAYS,
        keys: Keys | None = None,
    ) -> Requisition:
        """Record a requisition, or complete one recorded incomplete; hold each window.

        Raises
        ------
        InputError
            An empty reference, authority or officer; a bad procedure or window; a reference
            already recorded complete.
        """
        ref = _reference(reference)
        fields = {
            "authority": text(authority, "authority", max_len=200, required=True),
            "officer": text(officer, "officer", max_len=200, required=True),
            "document": text(document, "document", max_len=500),
            "procedure": _procedure(procedure),
            "category": text(category, "category", max_len=200),
        }
        now = aware(now, "now")
        if not 1 <= hold_days <= 3650:
            msg = f"`hold_days` {hold_days} must be between 1 and 3650"
            raise InputError(msg)
        checked = []
        for i, w in enumerate(windows, start=1):
            try:
                cam, start, end = w
            except (TypeError, ValueError):
                msg = f"window {i}: expected (camera_id, start, end)"
                raise InputError(msg) from None
            cam_id = text(cam, f"window {i} camera_id", max_len=64, required=True)
            assert cam_id is not None
            checked.append((cam_id, *window(start, end, f"window {i} ({cam_id})")))
        audit = self._audit(keys)
        try:
            return self._add(ref, fields, checked, actor=actor, now=now, hold_days=hold_days,
                             audit=audit)
        except IntegrityError:  # the same reference recorded at the same moment
            msg = f"requisition `{ref}` is recorded already"
            raise InputError(msg) from None

    def _add(self, ref: str, fields: dict[str, Any], checked: list, *, actor: Actor,
             now: datetime, hold_days: int, audit: AuditLog) -> Requisition:
        with self.db.session() as s:
            row = s.scalars(select(RequisitionRow)
                            .where(RequisitionRow.reference == ref)).one_or_none()
            change = "created"
            if row is not None:
                if not row.incomplete:
                    msg = f"requisition `{ref}` is recorded already"
                    raise InputError(msg)
                change = "completed"
            else:
                row = RequisitionRow(reference=ref, opened_at=now, opened_by=actor.name)
                s.add(row)
            for k, v in fields.items():
                setattr(row, k, v)
            row.incomplete = fields["document"] is None
            s.flush()
            until = now + timedelta(days=hold_days)
            for cam_id, start, end in checked:
                s.add(RequisitionWindowRow(requisition_id=row.id, camera_id=cam_id,
                                           start_at=start, end_at=end))
                place_hold(s, audit, camera_id=cam_id, start=start, end=end,
                           reason=f"Réquisition judiciaire {ref}", until=until, actor=actor,
                           now=now, kind=HoldKind.requisition, requisition_id=row.id,
                           requisition_ref=ref)
            s.flush()
            audit.record(actor=actor, action=AuditAction.requisition_change,
                         object_type="requisition", object_id=ref,
                         legal_basis=LegalBasis.requisition_judiciaire, requisition_ref=ref,
                         details={"change": change, "windows": len(checked),
                                  "incomplete": row.incomplete,
                                  "procedure": row.procedure}, now=now, session=s)
            return self._load(s, row)

    def close(
        self,
        reference: str,
        *,
        footage_found: bool,
        useful: bool,
        case_solved: bool,
        actor: Actor,
        now: datetime,
        notes: str | None = None,
        keys: Keys | None = None,
    ) -> Requisition:
        """Record the outcome, close the requisition and release its holds (audited).

        Raises
        ------
        NotFoundError
            No requisition has this reference.
        InputError
            Closed already, or outcome flags that do not nest (useful footage must have been
            found).
        """
        ref = _reference(reference)
        now = aware(now, "now")
        if useful and not footage_found:
            msg = "`useful`: footage cannot be useful when none was found (footage_found is no)"
            raise InputError(msg)
        note = text(notes, "notes", max_len=4000)
        audit = self._audit(keys)
        with self.db.session() as s:
            row = s.scalars(select(RequisitionRow)
                            .where(RequisitionRow.reference == ref)).one_or_none()
            if row is None:
                msg = f"no requisition `{ref}`"
                raise NotFoundError(msg)
            if row.closed_at is not None:
                msg = f"requisition `{ref}` was closed already ({row.closed_at.isoformat()})"
                raise InputError(msg)
            row.closed_at, row.closed_by = now, actor.name
            row.footage_found, row.useful, row.case_solved = footage_found, useful, case_solved
            if note:
                row.notes = note
            holds = list(s.scalars(select(HoldRow).where(HoldRow.requisition_id == row.id,
                                                         HoldRow.released_at.is_(None))))
            release_rows(s, audit, holds, actor=actor, now=now,
                         why=f"Réquisition {ref} close", requisition_ref=ref)
            audit.record(actor=actor, action=AuditAction.requisition_change,
                         object_type="requisition", object_id=ref,
                         legal_basis=LegalBasis.requisition_judiciaire, requisition_ref=ref,
                         details={"change": "closed", "footage_found": footage_found,
                                  "useful": useful, "case_solved": case_solved,
                                  "holds_released": len(holds)}, now=now, session=s)
            s.flush()
            return self._load(s, row)

    # outcomes for `evaluate usefulness`

    def cases(self) -> list[dict[str, str]]:
        """Closed requisitions as rows of ``evaluate usefulness --cases`` (oldest first).

        One case per requisition: ``case_id`` its reference, ``date`` the day it was recorded,
        ``category`` its offence category (``non renseignée`` when missing), ``solved`` the
        case solved, ``footage_requested`` 1, ``footage_available`` footage found,
        ``footage_useful`` useful, ``camera_ids`` its windows' cameras.
        """
        def flag(v: bool | None) -> str:
            return "1" if v else "0"

        out = []
        for r in sorted(self.list(), key=lambda r: (r.opened_at, r.id)):
            if r.is_open:
                continue
            cams = sorted({c for c, _, _ in r.windows})
            out.append({
                "case_id": r.reference,
                "date": r.opened_at.date().isoformat() if r.opened_at else "",
                "category": r.category or "non renseignée",
                "solved": flag(r.case_solved),
                "footage_requested": "1",
                "footage_available": flag(r.footage_found),
                "footage_useful": flag(r.useful),
                "camera_ids": ";".join(cams),
            })
        return out

    def export_cases(self, out: Path) -> int:
        """Write `cases` to `out` as CSV (UTF-8, header first); return the number of cases."""
        rows = self.cases()
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".tmp")
        with tmp.open("w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=[*CASE_REQUIRED, *CASE_OPTIONAL],
                               lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
        tmp.replace(out)
        return len(rows)
