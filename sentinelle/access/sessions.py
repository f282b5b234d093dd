"""Web sessions, kept in the database.

The cookie carries a random id (256 bits); the database keeps only its HMAC under the session
key, so a copy of the table opens no session. A session ends at logout, after its absolute
lifetime, after an idle time, or when its account is disabled or changes role or password.
Each session has its CSRF token, which every state-changing request must carry.

Login forms come before any session: their CSRF token is a random value in a cookie and its HMAC
in the form (`login_csrf` / `check_login_csrf`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, update

from sentinelle.access.keys import Keys
from sentinelle.access.users import User, user_from_row
from sentinelle.db.access_tables import UserRow, WebSessionRow
from sentinelle.db.engine import Database

TOUCH_EVERY = timedelta(seconds=60)  # last_seen_at is written at most once a minute


@dataclass(frozen=True)
class WebSession:
    """A live session: its user and its CSRF token."""

    user: User
    csrf_token: str
    created_at: datetime
    expires_at: datetime


class Sessions:
    """Create, resolve and end web sessions.

    Parameters
    ----------
    db, keys
        The database and the server keys.
    lifetime
        Absolute lifetime of a session.
    idle
        A session unused this long ends.
    """

    def __init__(self, db: Database, keys: Keys, *, lifetime: timedelta = timedelta(hours=12),
                 idle: timedelta = timedelta(minutes=30)) -> None:
        self.db = db
        self.keys = keys
        self.lifetime = lifetime
        self.idle = idle

    def _id_hash(self, token: str) -> str:
        return hmac.new(self.keys.sessions, token.encode(), hashlib.sha256).hexdigest()

    def create(self, user: User, *, ip: str | None = None,
               now: datetime | None = None) -> tuple[str, WebSession]:
        """Open a session for `user`; return the cookie value and the session."""
        now = now or datetime.now(UTC)
        token = secrets.token_urlsafe(32)
        row = WebSessionRow(
            id_hash=self._id_hash(token), user_id=user.id, csrf_token=secrets.token_urlsafe(32),
            created_at=now, last_seen_at=now, expires_at=now + self.lifetime, ip=ip,
        )
        with self.db.session() as s:
            s.add(row)
        return token, WebSession(user, row.csrf_token, row.created_at, row.expires_at)

    def resolve(self, token: str | None, *, now: datetime | None = None) -> WebSession | None:
        """The live session of a cookie value, or None (unknown, ended, expired, idle, disabled)."""
        if not token or len(token) > 128:
            return None
        now = now or datetime.now(UTC)
        with self.db.session() as s:
            row = s.get(WebSessionRow, self._id_hash(token))
            if row is None or row.ended_at is not None:
                return None
            if now >= row.expires_at or now - row.last_seen_at >= self.idle:
                row.ended_at = now
                return None
            user_row = s.get(UserRow, row.user_id)
            if user_row is None or not user_row.active:
                row.ended_at = now
                return None
            if now - row.last_seen_at >= TOUCH_EVERY:
                row.last_seen_at = now
            return WebSession(user_from_row(user_row), row.csrf_token, row.created_at,
                              row.expires_at)

    def end(self, token: str | None, *, now: datetime | None = None) -> None:
        """End the session of a cookie value (logout); unknown values are ignored."""
        if not token or len(token) > 128:
            return
        now = now or datetime.now(UTC)
        with self.db.session() as s:
            s.execute(update(WebSessionRow).where(WebSessionRow.id_hash == self._id_hash(token),
                                                  WebSessionRow.ended_at.is_(None))
                      .values(ended_at=now))

    def forget(self, *, before: datetime) -> int:
        """Remove sessions that ended or expired before `before`."""
        with self.db.session() as s:
            return s.execute(delete(WebSessionRow).where(
                (WebSessionRow.expires_at < before) | (WebSessionRow.ended_at < before)
            )).rowcount or 0

    # CSRF for forms shown before login

    def login_csrf(self) -> tuple[str, str]:
        """A (cookie value, form value) pair for a login form."""
        nonce = secrets.token_urlsafe(24)
        return nonce, self._login_mac(nonce)

    def _login_mac(self, nonce: str) -> str:
        return hmac.new(self.keys.sessions, b"login-csrf|" + nonce.encode(),
                        hashlib.sha256).hexdigest()

    def check_login_csrf(self, cookie: str | None, form: str | None) -> bool:
        if not cookie or not form or len(cookie) > 128:
            return False
        return hmac.compare_digest(self._login_mac(cookie), form)
