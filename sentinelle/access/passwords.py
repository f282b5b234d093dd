"""Passwords: argon2id hashing (argon2-cffi's defaults, RFC 9106) and the rules a password meets."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from sentinelle.errors import InputError

MIN_LENGTH = 12
MAX_LENGTH = 1024

_hasher = PasswordHasher()
# Verified against when the user does not exist, so that both cases take the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def check_password(password: str, *, username: str | None = None) -> None:
    """Refuse a password that is too short, too long or the user name.

    Raises
    ------
    InputError
        Naming the rule broken (never the password).
    """
    if len(password) < MIN_LENGTH:
        msg = f"password too short: at least {MIN_LENGTH} characters"
        raise InputError(msg)
    if len(password) > MAX_LENGTH:
        msg = f"password too long: at most {MAX_LENGTH} characters"
        raise InputError(msg)
    if username and username.lower() in password.lower():
        msg = "password must not contain the user name"
        raise InputError(msg)
    if len(set(password)) < 5:
        msg = "password too repetitive: use at least 5 different characters"
        raise InputError(msg)


def hash_password(password: str) -> str:
    """The argon2id hash (PHC string, salt included) to store."""
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches `stored_hash`; takes as long when there is no hash."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(stored_hash)


def generate_password() -> str:
    """A random 20-character password (about 120 bits)."""
    return secrets.token_urlsafe(15)
