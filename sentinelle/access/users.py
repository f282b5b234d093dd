"""Named accounts and their roles; login with throttling and an optional TOTP second factor.

Roles (what each may do is in ``access.policy``):

``operator``    the internal map, registry read, live and replay within habilitations
``supervisor``  as operator, plus habilitations and requisitions read
``dpo``         registry, compliance and audit log read; no video
``auditor``     as dpo
``admin``       everything, users and configuration included

Accounts are individual (R14: no shared logins) and are disabled, never deleted, so that the
audit log's actors keep their meaning. Every change writes a ``user_change`` audit entry in the
same transaction; every login attempt writes a ``login`` entry (``ok`` or ``denied``).
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import pyotp
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from sentinelle.access.audit import Actor, AuditLog
from sentinelle.access.keys import Keys
from sentinelle.access.passwords import (
    check_password,
    hash_password,
    needs_rehash,
    verify_password,
)
from sentinelle.db.access_tables import LoginAttemptRow, UserRow, WebSessionRow
from sentinelle.db.engine import Database
from sentinelle.errors import AuthError, InputError, LoginThrottled, NotFoundError

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_IP = 20
TOTP_STEP_S = 30
TOTP_ISSUER = "Sentinelle"


class Role(StrEnum):
    """A user's role."""

    operator = "operator"
    supervisor = "supervisor"
    dpo = "dpo"
    auditor = "auditor"
    admin = "admin"


@dataclass(frozen=True)
class User:
    """An account, without its secrets."""

    id: int
    username: str
    role: Role
    full_name: str | None
    service: str | None
    active: bool
    totp_enabled: bool
    created_at: datetime
    created_by: str
    disabled_at: datetime | None

    def as_dict(self) -> dict[str, object]:
        return {
            "username": self.username, "role": self.role.value, "full_name": self.full_name,
            "service": self.service, "active": self.active, "totp_enabled": self.totp_enabled,
            "created_at": self.created_at.isoformat(), "created_by": self.created_by,
            "disabled_at": self.disabled_at.isoformat() if self.disabled_at else None,
        }


def user_from_row(row: UserRow) -> User:
    return User(
        id=row.id, username=row.username, role=Role(row.role), full_name=row.full_name,
        service=row.service, active=row.active, totp_enabled=row.totp_secret is not None,
        created_at=row.created_at, created_by=row.created_by, disabled_at=row.disabled_at,
    )


def parse_role(value: str) -> Role:
    """The role named `value`, or an error listing the roles."""
    try:
        return Role(value)
    except ValueError:
        msg = f"role `{value}` is not one of: {', '.join(r.value for r in Role)}"
        raise InputError(msg) from None


def check_username(username: str) -> str:
    if not USERNAME.match(username):
        msg = (f"user name `{username}`: 2–64 characters, lower-case letters, digits, '.', '_' "
               "or '-', starting with a letter or digit")
        raise InputError(msg)
    return username


class Users:
    """The accounts of one installation.

    Parameters
    ----------
    db
        The database.
    keys
        Server keys (TOTP seeds are stored encrypted).
    """

    def __init__(self, db: Database, keys: Keys) -> None:
        self.db = db
        self.keys = keys
        self.audit = AuditLog(db, keys)

    # reading

    def get(self, username: str) -> User:
        with self.db.session() as s:
            return user_from_row(self._row(s, username))

    def by_id(self, user_id: int) -> User | None:
        with self.db.session() as s:
            row = s.get(UserRow, user_id)
            return None if row is None else user_from_row(row)

    def all(self) -> list[User]:
        with self.db.session() as s:
            return [user_from_row(r) for r in s.scalars(select(UserRow).order_by(UserRow.username))]

    def count(self) -> int:
        with self.db.session() as s:
            return s.scalar(select(func.count()).select_from(UserRow)) or 0

    @staticmethod
    def _row(s: Session, username: str) -> UserRow:
        row = s.scalars(select(UserRow).where(UserRow.username == username)).one_or_none()
        if row is None:
            msg = f"no user `{username}`"
            raise NotFoundError(msg)
        return row

    # changes

    def add(
        self,
        *,
        username: str,
        password: str,
        role: Role | str,
        actor: Actor,
        full_name: str | None = None,
        service: str | None = None,
        now: datetime | None = None,
    ) -> User:
        """Create an account.

        Raises
        ------
        InputError
            Bad user name, role or password, or the name is taken.
        """
        now = now or datetime.now(UTC)
        check_username(username)
        role = parse_role(str(role))
        check_password(password, username=username)
        with self.db.session() as s:
            taken = s.scalars(select(UserRow.id).where(UserRow.username == username)).first()
            if taken is not None:
                msg = f"user `{username}` already exists"
                raise InputError(msg)
            row = UserRow(
                username=username, role=role.value, full_name=full_name, service=service,
                password_hash=hash_password(password), active=True, created_at=now,
                created_by=actor.name, password_changed_at=now,
            )
            s.add(row)
            s.flush()
            self.audit.record(actor=actor, action="user_change", object_type="user",
                              object_id=username, details={"change": "create", "role": role},
                              now=now, session=s)
            return user_from_row(row)

    def disable(self, username: str, *, actor: Actor, now: datetime | None = None) -> User:
        """Disable an account and end its sessions (accounts are never deleted)."""
        now = now or datetime.now(UTC)
        with self.db.session() as s:
            row = self._row(s, username)
            if row.active:
                row.active, row.disabled_at = False, now
                s.execute(update(WebSessionRow).where(WebSessionRow.user_id == row.id,
                                                      WebSessionRow.ended_at.is_(None))
                          .values(ended_at=now))
                self.audit.record(actor=actor, action="user_change", object_type="user",
                                  object_id=username, details={"change": "disable"},
                                  now=now, session=s)
            return user_from_row(row)

    def enable(self, username: str, *, actor: Actor, now: datetime | None = None) -> User:
        now = now or datetime.now(UTC)
        with self.db.session() as s:
            row = self._row(s, username)
            if not row.active:
                row.active, row.disabled_at = True, None
                self.audit.record(actor=actor, action="user_change", object_type="user",
                                  object_id=username, details={"change": "enable"},
                                  now=now, session=s)
            return user_from_row(row)

    def set_role(self, username: str, role: Role | str, *, actor: Actor,
                 now: datetime | None = None) -> User:
        now = now or datetime.now(UTC)
        role = parse_role(str(role))
        with self.db.session() as s:
            row = self._row(s, username)
            if row.role != role.value:
                old, row.role = row.role, role.value
                s.execute(update(WebSessionRow).where(WebSessionRow.user_id == row.id,
                                                      WebSessionRow.ended_at.is_(None))
                          .values(ended_at=now))
                self.audit.record(actor=actor, action="user_change", object_type="user",
                                  object_id=username,
                                  details={"change": "role", "from": old, "to": role.value},
                                  now=now, session=s)
            return user_from_row(row)

    def set_password(self, username: str, password: str, *, actor: Actor,
                     now: datetime | None = None) -> None:
        """Set a new password and end the account's sessions."""
        now = now or datetime.now(UTC)
        check_password(password, username=username)
        with self.db.session() as s:
            row = self._row(s, username)
            row.password_hash, row.password_changed_at = hash_password(password), now
            s.execute(update(WebSessionRow).where(WebSessionRow.user_id == row.id,
                                                  WebSessionRow.ended_at.is_(None))
                      .values(ended_at=now))
            self.audit.record(actor=actor, action="user_change", object_type="user",
                              object_id=username, details={"change": "password"},
                              now=now, session=s)

    def enable_totp(self, username: str, *, actor: Actor, now: datetime | None = None) -> str:
        """Give the account a new TOTP seed; return its ``otpauth://`` URI (shown once)."""
        now = now or datetime.now(UTC)
        seed = pyotp.random_base32()
        with self.db.session() as s:
            row = self._row(s, username)
            row.totp_secret, row.totp_last_step = self.keys.encrypt(seed), None
            self.audit.record(actor=actor, action="user_change", object_type="user",
                              object_id=username, details={"change": "totp_enable"},
                              now=now, session=s)
        return pyotp.TOTP(seed).provisioning_uri(name=username, issuer_name=TOTP_ISSUER)

    def disable_totp(self, username: str, *, actor: Actor, now: datetime | None = None) -> None:
        now = now or datetime.now(UTC)
        with self.db.session() as s:
            row = self._row(s, username)
            row.totp_secret, row.totp_last_step = None, None
            self.audit.record(actor=actor, action="user_change", object_type="user",
                              object_id=username, details={"change": "totp_disable"},
                              now=now, session=s)

    # login

    def throttled_until(self, username: str, ip: str | None, *, now: datetime) -> datetime | None:
        """When logins for `username` (or from `ip`) will be accepted again, if now refused."""
        since = now - THROTTLE_WINDOW
        with self.db.session() as s:
            def failures(col, value) -> list[datetime]:  # noqa: ANN001
                return list(s.scalars(
                    select(LoginAttemptRow.at).where(col == value, LoginAttemptRow.at >= since,
                                                     LoginAttemptRow.success.is_(False))
                    .order_by(LoginAttemptRow.at)))

            by_user = failures(LoginAttemptRow.username, username)
            by_ip = failures(LoginAttemptRow.ip, ip) if ip else []
        until = None
        if len(by_user) >= MAX_FAILURES_PER_USER:
            until = by_user[-1] + THROTTLE_WINDOW
        if len(by_ip) >= MAX_FAILURES_PER_IP:
            until = max(until or now, by_ip[-1] + THROTTLE_WINDOW)
        return until

    def authenticate(
        self,
        username: str,
        password: str,
        *,
        totp_code: str | None = None,
        ip: str | None = None,
        now: datetime | None = None,
    ) -> User:
        """Check a login; record the attempt and its ``login`` audit entry.

        Raises
        ------
        LoginThrottled
            Too many recent failures for this account or address (even with the right password).
        AuthError
            Unknown user, wrong password, disabled account, missing or wrong TOTP code. The
            message does not say which.
        """
        now = now or datetime.now(UTC)
        username = username.strip().lower()[:64]
        until = self.throttled_until(username, ip, now=now)
        if until is not None:
            self._attempt(username, ip, now, ok=False, reason="throttled")
            wait = max(1, int((until - now).total_seconds()))
            msg = f"too many failed logins: try again in {wait // 60 + 1} min"
            raise LoginThrottled(msg, retry_after_s=wait)
        with self.db.session() as s:
            row = s.scalars(select(UserRow).where(UserRow.username == username)).one_or_none()
            good = verify_password(row.password_hash if row else None, password)
            reason = None
            if row is None or not good:
                reason = "bad_credentials"
            elif not row.active:
                reason = "disabled"
            elif row.totp_secret is not None:
                reason = self._check_totp(row, totp_code, now)
            if reason is None and needs_rehash(row.password_hash):
                row.password_hash = hash_password(password)
            user = user_from_row(row) if row is not None else None
        self._attempt(username, ip, now, ok=reason is None, reason=reason, user=user)
        if reason is not None:
            msg = ("a code from your authenticator app is needed" if reason == "totp_missing"
                   else "wrong user name, password or code")
            raise AuthError(msg)
        assert user is not None
        return user

    def _check_totp(self, row: UserRow, code: str | None, now: datetime) -> str | None:
        if not code:
            return "totp_missing"
        seed = self.keys.decrypt(row.totp_secret, what=f"the TOTP seed of `{row.username}`")
        assert seed is not None
        totp = pyotp.TOTP(seed)
        step = int(now.timestamp()) // TOTP_STEP_S
        for candidate in (step - 1, step, step + 1):
            if (candidate > (row.totp_last_step or 0)
                    and hmac.compare_digest(totp.at(candidate * TOTP_STEP_S), code.strip())):
                row.totp_last_step = candidate  # a code is accepted once (no replay)
                return None
        return "totp_wrong"

    def _attempt(self, username: str, ip: str | None, now: datetime, *, ok: bool,
                 reason: str | None, user: User | None = None) -> None:
        with self.db.session() as s:
            s.add(LoginAttemptRow(username=username, ip=ip, at=now, success=ok))
            s.flush()
            role = user.role.value if user is not None else "anonymous"
            self.audit.record(
                actor=Actor(username, role), action="login", outcome="ok" if ok else "denied",
                object_type="session", details={"ip": ip, "reason": reason} if reason or ip
                else None, now=now, session=s,
            )

    def forget_attempts(self, *, before: datetime) -> int:
        """Remove login attempts older than `before` (they only serve throttling)."""
        from sqlalchemy import delete

        with self.db.session() as s:
            return s.execute(delete(LoginAttemptRow).where(LoginAttemptRow.at < before)).rowcount
