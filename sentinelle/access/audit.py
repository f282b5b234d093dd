"""The legal audit log: append-only, hash-chained, with an HMAC head checkpoint.

Every entry carries a gapless ``seq`` assigned in the same transaction as the entry, and
``hash = SHA-256(canonical JSON of its fields and prev_hash)``, so that editing, removing or
reordering an entry breaks the chain from that entry on. The head checkpoint (table
``audit_head``, apart from the entries) holds the latest ``seq`` and ``hash`` with an HMAC under
a server key (``access.keys``): removing the *last* entries, which leaves a valid chain, is
detected too, and the checkpoint cannot be rewritten without the key.

The audit log is not the operational log (``logging``): it records who did what to which object,
when, why and on which legal basis (CSI L252-2, L252-3; R252-12 and R252-13, décret 2022-1152).
Its retention is its own (``SENTINELLE_AUDIT_RETENTION_DAYS``), separate from video retention;
`AuditLog.purge` removes the oldest entries and moves the chain's signed base forward.

How a feature writes an entry::

    AuditLog(db, keys).record(
        actor=Actor.of(user), action="replay", object_type="camera", object_id="REN-001",
        time_range=(start, end), purpose="incident 2026-114", legal_basis="none",
    )

Pass ``session=`` to write the entry in the caller's transaction (the change and its entry then
commit or fail together). Known limit: an attacker holding both the database and an *older*
copy of the ``audit_head`` row could roll the log back to that copy; anchoring the head outside
the database (the inspection pack prints it) narrows that.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from sentinelle.access.keys import Keys
from sentinelle.db.access_tables import AuditEntryRow, AuditHeadRow
from sentinelle.db.engine import Database
from sentinelle.errors import InputError, StorageError

GENESIS = "0" * 64
HEAD_ID = 1
_RETRIES = 8


class AuditAction(StrEnum):
    """What an entry records. Later features add their own actions here."""

    login = "login"
    logout = "logout"
    live_view = "live_view"
    replay = "replay"
    export = "export"
    delete = "delete"
    ptz_move = "ptz_move"
    config_change = "config_change"
    habilitation_change = "habilitation_change"
    user_change = "user_change"
    import_ = "import"
    log_entry = "log_entry"  # an entry of the control room's log
    ticket_change = "ticket_change"  # a maintenance ticket opened or closed
    requisition_change = "requisition_change"  # a judicial requisition recorded or closed
    hold_change = "hold_change"  # a legal hold placed or released
    rights_request_change = "rights_request_change"  # a data-subject request recorded/closed
    purge = "purge"  # footage destroyed by retention (one entry per camera per run)
    analytics_change = "analytics_change"  # analytics enabled, disabled, zones, expiry
    analytics_basis_change = "analytics_basis_change"  # a décret 2023-828 basis, kill switch
    alert_decision = "alert_decision"  # an operator confirms or dismisses an alert


class LegalBasis(StrEnum):
    """Legal basis of a consultation or transmission (the spellings of the issue)."""

    destinataire_L252_3 = "destinataire_L252-3"
    requisition_judiciaire = "requisition_judiciaire"
    droit_acces_rgpd = "droit_acces_rgpd"
    none = "none"


class Outcome(StrEnum):
    """Whether the recorded act happened (``ok``) or was refused (``denied``)."""

    ok = "ok"
    denied = "denied"


class _HasNameRole(Protocol):
    username: str
    role: Any


@dataclass(frozen=True)
class Actor:
    """Who acts: a user (``name`` = username), the CLI (``cli:<os user>``) or a system job.

    Parameters
    ----------
    name
        ``alice``, ``cli:root``, ``system:recorder``…
    role
        The user's role, or ``cli`` / ``system``.
    """

    name: str
    role: str

    @classmethod
    def cli(cls) -> Actor:
        """The machine's operator running the CLI (no login, exempt from habilitations)."""
        try:
            who = getpass.getuser()
        except (KeyError, OSError):  # no passwd entry for the uid
            who = "unknown"
        return cls(f"cli:{who}", "cli")

    @classmethod
    def system(cls, component: str) -> Actor:
        """Unattended work, e.g. ``Actor.system("recorder")`` → ``system:recorder``."""
        return cls(f"system:{component}", "system")

    @classmethod
    def of(cls, user: _HasNameRole) -> Actor:
        """A logged-in user."""
        return cls(user.username, str(user.role))


@dataclass(frozen=True)
class AuditEntry:
    """One entry of the audit log, as stored."""

    seq: int
    ts: datetime
    actor: str
    role: str
    action: str
    outcome: str
    object_type: str | None
    object_id: str | None
    time_range: str | None
    purpose: str | None
    legal_basis: str
    requisition_ref: str | None
    recipient: str | None
    details: dict[str, Any] | None
    prev_hash: str
    hash: str

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["ts"] = self.ts.isoformat()
        return d


@dataclass(frozen=True)
class Verification:
    """What `AuditLog.verify` found.

    ``first_bad_seq`` names the first entry that fails (``None`` when the log is intact, or when
    only the checkpoint itself is at fault).
    """

    ok: bool
    entries: int
    head_seq: int
    base_seq: int
    first_bad_seq: int | None = None
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# -- canonical form -------------------------------------------------------------------------


def _ts_text(ts: datetime) -> str:
    return ts.astimezone(UTC).isoformat(timespec="microseconds")


def _details_text(details: dict[str, Any] | None) -> str | None:
    if details is None:
        return None
    return json.dumps(details, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str)


def _range_text(time_range: tuple[datetime, datetime] | str | None) -> str | None:
    if time_range is None or isinstance(time_range, str):
        return time_range
    start, end = time_range
    if start.tzinfo is None or end.tzinfo is None:
        msg = "`time_range`: timezone-aware datetimes needed"
        raise InputError(msg)
    if end < start:
        msg = f"`time_range`: end {end.isoformat()} is before start {start.isoformat()}"
        raise InputError(msg)
    return f"{_ts_text(start)}/{_ts_text(end)}"


def entry_hash(row: AuditEntryRow) -> str:
    """SHA-256 of an entry's fields and the previous hash, in a canonical JSON array."""
    fields = [
        row.seq, _ts_text(row.ts), row.actor, row.role, row.action, row.outcome,
        row.object_type, row.object_id, row.time_range, row.purpose, row.legal_basis,
        row.requisition_ref, row.recipient, row.details, row.prev_hash,
    ]
    text = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _entry(row: AuditEntryRow) -> AuditEntry:
    return AuditEntry(
        seq=row.seq, ts=row.ts, actor=row.actor, role=row.role, action=row.action,
        outcome=row.outcome, object_type=row.object_type, object_id=row.object_id,
        time_range=row.time_range, purpose=row.purpose, legal_basis=row.legal_basis,
        requisition_ref=row.requisition_ref, recipient=row.recipient,
        details=json.loads(row.details) if row.details else None,
        prev_hash=row.prev_hash, hash=row.hash,
    )


def _choice(value: str, enum: type[StrEnum], name: str) -> str:
    try:
        return enum(str(value)).value
    except ValueError:
        options = ", ".join(e.value for e in enum)
        msg = f"`{name}` '{value}' is not one of: {options}"
        raise InputError(msg) from None


# -- the log --------------------------------------------------------------------------------


class AuditLog:
    """The audit log of one installation.

    Parameters
    ----------
    db
        The database.
    keys
        The installation's keys (``access.keys.load_keys``); the head checkpoint is signed
        with ``keys.audit``.
    """

    def __init__(self, db: Database, keys: Keys) -> None:
        self.db = db
        self.keys = keys

    def _mac(self, base_seq: int, base_hash: str, seq: int, hash_: str) -> str:
        msg = f"{base_seq}|{base_hash}|{seq}|{hash_}".encode()
        return hmac.new(self.keys.audit, msg, hashlib.sha256).hexdigest()

    def _lock_head(self, s: Session) -> AuditHeadRow:
        # A no-op UPDATE takes the write lock first (row lock on PostgreSQL, the database write
        # lock on SQLite), so that concurrent writers queue here instead of racing on `seq`.
        s.execute(update(AuditHeadRow).where(AuditHeadRow.id == HEAD_ID)
                  .values(seq=AuditHeadRow.seq))
        head = s.scalars(
            select(AuditHeadRow).where(AuditHeadRow.id == HEAD_ID).with_for_update()
        ).one_or_none()
        if head is None:
            msg = "the audit head checkpoint (table audit_head) is missing: log tampered with"
            raise StorageError(msg)
        return head

    def record(
        self,
        *,
        actor: Actor,
        action: AuditAction | str,
        object_type: str | None = None,
        object_id: str | None = None,
        time_range: tuple[datetime, datetime] | str | None = None,
        purpose: str | None = None,
        legal_basis: LegalBasis | str = LegalBasis.none,
        requisition_ref: str | None = None,
        recipient: str | None = None,
        outcome: Outcome | str = Outcome.ok,
        details: dict[str, Any] | None = None,
        now: datetime | None = None,
        session: Session | None = None,
    ) -> AuditEntry:
        """Append one entry and move the signed head checkpoint to it.

        Parameters
        ----------
        actor
            Who acts (`Actor.of(user)`, `Actor.cli()`, `Actor.system(...)`).
        action
            One of `AuditAction`.
        object_type, object_id
            What was acted on, e.g. ``camera`` / ``REN-001``, ``user`` / ``alice``.
        time_range
            For footage: ``(start, end)`` (timezone-aware), stored as an ISO 8601 interval.
        purpose, legal_basis, requisition_ref, recipient
            Why, on which basis (`LegalBasis`), under which requisition, for whom.
            ``requisition_judiciaire`` needs `requisition_ref`.
        outcome
            ``ok`` or ``denied`` (refused attempts are recorded too).
        details
            Anything else worth keeping (JSON-able; part of the hash).
        now
            Entry time (default: now, UTC).
        session
            Write in this transaction instead of a new one.

        Raises
        ------
        InputError
            An action, basis or outcome outside the lists, or a judicial basis without reference.
        """
        fields = {
            "actor": actor.name,
            "role": actor.role,
            "action": _choice(action, AuditAction, "action"),
            "outcome": _choice(outcome, Outcome, "outcome"),
            "object_type": object_type,
            "object_id": None if object_id is None else str(object_id),
            "time_range": _range_text(time_range),
            "purpose": purpose,
            "legal_basis": _choice(legal_basis, LegalBasis, "legal_basis"),
            "requisition_ref": requisition_ref,
            "recipient": recipient,
            "details": _details_text(details),
        }
        if fields["legal_basis"] == LegalBasis.requisition_judiciaire and not requisition_ref:
            msg = "`requisition_ref` is required when the legal basis is requisition_judiciaire"
            raise InputError(msg)
        ts = (now or datetime.now(UTC)).astimezone(UTC)
        if session is not None:
            return self._append(session, ts, fields)
        for attempt in range(_RETRIES):
            try:
                with self.db.session() as s:
                    return self._append(s, ts, fields)
            except (OperationalError, IntegrityError):
                if attempt == _RETRIES - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def _append(self, s: Session, ts: datetime, fields: dict[str, Any]) -> AuditEntry:
        head = self._lock_head(s)
        row = AuditEntryRow(seq=head.seq + 1, ts=ts, prev_hash=head.hash, **fields)
        row.hash = entry_hash(row)
        s.add(row)
        head.seq, head.hash = row.seq, row.hash
        head.mac = self._mac(head.base_seq, head.base_hash, head.seq, head.hash)
        head.updated_at = ts
        s.flush()
        return _entry(row)

    # reading

    def entries(
        self,
        *,
        limit: int | None = 100,
        offset: int = 0,
        actor: str | None = None,
        action: str | None = None,
        object_type: str | None = None,
        object_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        newest_first: bool = True,
    ) -> list[AuditEntry]:
        """Entries matching every filter given, newest first unless told otherwise."""
        q = select(AuditEntryRow)
        if actor:
            q = q.where(AuditEntryRow.actor == actor)
        if action:
            q = q.where(AuditEntryRow.action == _choice(action, AuditAction, "action"))
        if object_type:
            q = q.where(AuditEntryRow.object_type == object_type)
        if object_id:
            q = q.where(AuditEntryRow.object_id == object_id)
        if since:
            q = q.where(AuditEntryRow.ts >= since)
        if until:
            q = q.where(AuditEntryRow.ts < until)
        q = q.order_by(AuditEntryRow.seq.desc() if newest_first else AuditEntryRow.seq)
        q = q.offset(offset)
        if limit is not None:
            q = q.limit(limit)
        with self.db.session() as s:
            return [_entry(r) for r in s.scalars(q).all()]

    def count(self) -> int:
        with self.db.session() as s:
            head = s.get(AuditHeadRow, HEAD_ID)
            return 0 if head is None else head.seq - head.base_seq

    def _rows(self, s: Session, batch: int = 1000) -> Iterator[AuditEntryRow]:
        last = None
        while True:
            q = select(AuditEntryRow).order_by(AuditEntryRow.seq).limit(batch)
            if last is not None:
                q = q.where(AuditEntryRow.seq > last)
            rows: Sequence[AuditEntryRow] = s.scalars(q).all()
            if not rows:
                return
            yield from rows
            last = rows[-1].seq
            s.expunge_all()

    def verify(self) -> Verification:
        """Check the whole chain and the signed checkpoint; name the first entry at fault."""
        with self.db.session() as s:
            head = s.get(AuditHeadRow, HEAD_ID)
            if head is None:
                return Verification(False, 0, 0, 0, None,
                                    "the head checkpoint (table audit_head) was removed")
            head_seq, head_hash, base_seq, base_hash, mac = (
                head.seq, head.hash, head.base_seq, head.base_hash, head.mac)
            expected, prev, n = base_seq + 1, base_hash, 0

            def bad(seq: int | None, problem: str) -> Verification:
                return Verification(False, n, head_seq, base_seq, seq, problem)

            for row in self._rows(s):
                if row.seq <= base_seq:
                    return bad(row.seq, f"entry seq {row.seq} lies before the chain's signed "
                               f"base (seq {base_seq}): reinserted after a purge")
                if row.seq != expected:
                    return bad(expected, f"entry seq {expected} is missing (next found: "
                               f"{row.seq})")
                if entry_hash(row) != row.hash:
                    return bad(row.seq, f"entry seq {row.seq} does not match its hash: "
                               "altered or moved")
                if row.prev_hash != prev:
                    if row.seq - 1 > base_seq:  # the previous entry is self-consistent but new
                        return bad(row.seq - 1, f"entry seq {row.seq - 1} was altered and its "
                                   f"hash recomputed (entry seq {row.seq} links to another hash)")
                    return bad(row.seq, f"entry seq {row.seq} does not link to the chain's "
                               "signed base")
                prev, expected, n = row.hash, expected + 1, n + 1
            last = expected - 1
            if mac is None:
                if head_seq == base_seq == 0 and last == 0:
                    return Verification(True, 0, 0, 0)
                return bad(None, "the head checkpoint has no signature")
            if not hmac.compare_digest(mac, self._mac(base_seq, base_hash, head_seq, head_hash)):
                return bad(None, "the head checkpoint's signature is wrong: the checkpoint was "
                           "altered, or the server secret changed")
            if last < head_seq:
                return bad(last + 1, f"entries seq {last + 1}–{head_seq} are missing: the "
                           f"signed checkpoint names seq {head_seq}")
            if last > head_seq:
                return bad(head_seq + 1, f"entry seq {head_seq + 1} lies beyond the signed "
                           f"checkpoint (seq {head_seq}): added outside Sentinelle")
            if prev != head_hash:
                return bad(last, f"entry seq {last} differs from the signed checkpoint")
            return Verification(True, n, head_seq, base_seq)

    # retention

    def purge(
        self, *, retention_days: int, actor: Actor, now: datetime | None = None
    ) -> int:
        """Remove entries older than `retention_days`; return how many were removed.

        The chain's signed base moves to the last removed entry, and the purge itself is
        recorded (action ``delete``, object ``audit_log``) in the same transaction. Refused when
        the log does not verify: a purge must not hide tampering.
        """
        now = (now or datetime.now(UTC)).astimezone(UTC)
        if retention_days < 1:
            msg = f"`retention_days` must be at least 1, got {retention_days}"
            raise InputError(msg)
        check = self.verify()
        if not check.ok:
            msg = f"audit log does not verify ({check.problem}): purge refused"
            raise StorageError(msg)
        cutoff = now - timedelta(days=retention_days)
        with self.db.session() as s:
            head = self._lock_head(s)
            last = s.scalars(
                select(AuditEntryRow).where(AuditEntryRow.ts < cutoff)
                .order_by(AuditEntryRow.seq.desc()).limit(1)
            ).one_or_none()
            if last is None:
                return 0
            through, through_hash = last.seq, last.hash
            removed = s.execute(
                delete(AuditEntryRow).where(AuditEntryRow.seq <= through)
            ).rowcount or 0
            head.base_seq, head.base_hash = through, through_hash
            head.mac = self._mac(head.base_seq, head.base_hash, head.seq, head.hash)
            s.flush()
            self._append(s, now, {
                "actor": actor.name, "role": actor.role, "action": AuditAction.delete.value,
                "outcome": Outcome.ok.value, "object_type": "audit_log", "object_id": None,
                "time_range": None, "purpose": "retention", "legal_basis": LegalBasis.none.value,
                "requisition_ref": None, "recipient": None,
                "details": _details_text({"removed_through_seq": through, "removed": removed,
                                          "before": _ts_text(cutoff),
                                          "retention_days": retention_days}),
            })
            return removed
