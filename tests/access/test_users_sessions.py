"""Accounts, login throttling, TOTP, sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from sentinelle.access.audit import Actor, AuditLog
from sentinelle.access.sessions import Sessions
from sentinelle.access.users import MAX_FAILURES_PER_USER, Users
from sentinelle.errors import AuthError, InputError, LoginThrottled, NotFoundError

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
PW = "correct horse battery staple"


@pytest.fixture
def users(db, keys) -> Users:
    u = Users(db, keys)
    u.add(username="alice", password=PW, role="operator", actor=Actor.cli(), now=T0)
    return u


def test_passwords_are_hashed_with_argon2id(db, users):
    from sqlalchemy import text

    with db.engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM users")).scalar()
    assert stored.startswith("$argon2id$") and PW not in stored


@pytest.mark.parametrize("kwargs, message", [
    ({"username": "Bob!", "password": PW, "role": "dpo"}, "user name"),
    ({"username": "bob", "password": "short", "role": "dpo"}, "too short"),
    ({"username": "bob", "password": "bobbobbobbob123", "role": "dpo"}, "user name"),
    ({"username": "bob", "password": PW, "role": "king"}, "not one of"),
    ({"username": "alice", "password": PW, "role": "dpo"}, "already exists"),
])
def test_bad_accounts_are_refused(users, kwargs, message):
    with pytest.raises(InputError, match=message):
        users.add(actor=Actor.cli(), **kwargs)


def test_login_and_its_audit_entries(users, audit):
    assert users.authenticate("alice", PW, ip="10.0.0.1", now=T0).username == "alice"
    with pytest.raises(AuthError, match="wrong user name, password or code"):
        users.authenticate("alice", "nope", now=T0)
    with pytest.raises(AuthError, match="wrong user name, password or code"):
        users.authenticate("nobody", PW, now=T0)
    logins = audit.entries(action="login", newest_first=False)
    assert [(e.actor, e.outcome) for e in logins] == [
        ("alice", "ok"), ("alice", "denied"), ("nobody", "denied")]
    assert logins[0].role == "operator" and logins[2].role == "anonymous"
    assert PW not in str([e.as_dict() for e in audit.entries()])


def test_throttling_after_repeated_failures_even_with_the_right_password(users):
    for i in range(MAX_FAILURES_PER_USER):
        with pytest.raises(AuthError):
            users.authenticate("alice", "nope", ip="10.0.0.9", now=T0 + timedelta(seconds=i))
    with pytest.raises(LoginThrottled) as err:
        users.authenticate("alice", PW, now=T0 + timedelta(minutes=1))
    assert 0 < err.value.retry_after_s <= 15 * 60
    assert users.authenticate("alice", PW, now=T0 + timedelta(minutes=16)).username == "alice"


def test_disabled_accounts_cannot_log_in(users):
    users.disable("alice", actor=Actor.cli(), now=T0)
    with pytest.raises(AuthError):
        users.authenticate("alice", PW, now=T0)
    with pytest.raises(NotFoundError):
        users.disable("nobody", actor=Actor.cli())


def test_totp_second_factor(users, db, keys):
    uri = users.enable_totp("alice", actor=Actor.cli(), now=T0)
    seed = pyotp.parse_uri(uri).secret
    with pytest.raises(AuthError, match="authenticator"):
        users.authenticate("alice", PW, now=T0)
    with pytest.raises(AuthError):
        users.authenticate("alice", PW, totp_code="000000", now=T0)
    code = pyotp.TOTP(seed).at(T0)
    assert users.authenticate("alice", PW, totp_code=code, now=T0).totp_enabled
    with pytest.raises(AuthError):  # the same code is not accepted twice
        users.authenticate("alice", PW, totp_code=code, now=T0 + timedelta(seconds=5))
    from sqlalchemy import text

    with db.engine.connect() as conn:
        stored = conn.execute(text("SELECT totp_secret FROM users")).scalar()
    assert stored.startswith("enc:v1:") and seed not in stored


def test_sessions_expire_idle_and_end(users, db, keys):
    sessions = Sessions(db, keys, lifetime=timedelta(hours=12), idle=timedelta(minutes=30))
    alice = users.get("alice")
    token, s = sessions.create(alice, now=T0)
    assert sessions.resolve(token, now=T0 + timedelta(minutes=20)).user.username == "alice"
    assert sessions.resolve(token, now=T0 + timedelta(minutes=45)).user  # touched at +20
    assert sessions.resolve(token, now=T0 + timedelta(minutes=80)) is None  # idle 35 min
    token, _ = sessions.create(alice, now=T0)
    for m in range(0, 12 * 60, 25):
        assert sessions.resolve(token, now=T0 + timedelta(minutes=m)) is not None
    assert sessions.resolve(token, now=T0 + timedelta(hours=12, minutes=1)) is None
    token, _ = sessions.create(alice, now=T0)
    sessions.end(token, now=T0)
    assert sessions.resolve(token, now=T0) is None
    assert sessions.resolve("forged", now=T0) is None


def test_disabling_or_a_new_password_ends_sessions(users, db, keys):
    sessions = Sessions(db, keys)
    token, _ = sessions.create(users.get("alice"))
    users.set_password("alice", "another long passphrase", actor=Actor.cli())
    assert sessions.resolve(token) is None
    token, _ = sessions.create(users.get("alice"))
    users.disable("alice", actor=Actor.cli())
    assert sessions.resolve(token) is None


def test_session_ids_are_not_stored_in_clear(users, db, keys):
    from sqlalchemy import text

    token, _ = Sessions(db, keys).create(users.get("alice"))
    with db.engine.connect() as conn:
        assert token not in str(conn.execute(text("SELECT * FROM web_sessions")).all())


def test_user_changes_are_audited(users, audit: AuditLog):
    users.set_role("alice", "supervisor", actor=Actor.cli())
    changes = [e.details["change"] for e in audit.entries(action="user_change",
                                                          newest_first=False)]
    assert changes == ["create", "role"]
