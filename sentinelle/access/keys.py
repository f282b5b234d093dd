"""The server secret and the keys derived from it.

One master secret per installation: ``SENTINELLE_SECRET_KEY`` when set, otherwise the file
``$SENTINELLE_HOME/secret.key``, generated on first use with mode 0600. Each use gets its own
key derived with HKDF-SHA256, so that no key serves two purposes:

- ``credentials``: Fernet key encrypting camera stream URLs (and TOTP secrets) at rest;
- ``audit``: HMAC key of the audit log's head checkpoint;
- ``sessions``: HMAC key under which session ids are stored in the database.

This module imports nothing else of Sentinelle's but settings and errors, so the registry can use
it without an import cycle.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from sentinelle.errors import ConfigError
from sentinelle.settings import Settings

KEY_FILE = "secret.key"
MIN_SECRET_CHARS = 32
ENCRYPTED_PREFIX = "enc:v1:"


def _derive(master: bytes, purpose: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"sentinelle", info=purpose.encode()
    ).derive(master)


@dataclass(frozen=True)
class Keys:
    """The keys of one installation, derived from its master secret.

    Parameters
    ----------
    master
        The master secret (at least 32 bytes).
    origin
        Where it came from (``SENTINELLE_SECRET_KEY`` or the key file), for messages.
    """

    master: bytes = field(repr=False)
    origin: str = "memory"

    def __post_init__(self) -> None:
        if len(self.master) < MIN_SECRET_CHARS:
            msg = f"the server secret from {self.origin} is too short: at least 32 bytes needed"
            raise ConfigError(msg)

    @cached_property
    def credentials(self) -> Fernet:
        """Fernet cipher for secrets at rest (stream URLs, TOTP seeds)."""
        return Fernet(base64.urlsafe_b64encode(_derive(self.master, "credentials")))

    @cached_property
    def audit(self) -> bytes:
        """HMAC key of the audit head checkpoint."""
        return _derive(self.master, "audit")

    @cached_property
    def sessions(self) -> bytes:
        """HMAC key for session ids and login CSRF tokens."""
        return _derive(self.master, "sessions")

    def encrypt(self, plain: str | None) -> str | None:
        """Encrypt a secret for storage (``enc:v1:<fernet token>``); None stays None."""
        if plain is None:
            return None
        return ENCRYPTED_PREFIX + self.credentials.encrypt(plain.encode()).decode()

    def decrypt(self, stored: str | None, *, what: str = "a stored secret") -> str | None:
        """Decrypt what `encrypt` produced; a value stored before encryption is returned as is.

        Raises
        ------
        ConfigError
            When the value was encrypted under another server secret.
        """
        if stored is None or not stored.startswith(ENCRYPTED_PREFIX):
            return stored
        try:
            return self.credentials.decrypt(stored[len(ENCRYPTED_PREFIX) :].encode()).decode()
        except InvalidToken:
            msg = (
                f"cannot decrypt {what}: it was encrypted under another server secret "
                f"(the current one comes from {self.origin})"
            )
            raise ConfigError(msg) from None


def generate_secret() -> str:
    """A new random master secret, as URL-safe base64 text (32 bytes)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _decode(text: str) -> bytes:
    text = text.strip()
    try:
        raw = base64.urlsafe_b64decode(text.encode())
        if len(raw) >= 32 and base64.urlsafe_b64encode(raw).decode() == text:
            return raw
    except (binascii.Error, ValueError):
        pass
    return text.encode()


def _read_or_create(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii")
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    text = generate_secret()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first
        return path.read_text(encoding="ascii")
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(text + "\n")
    return text


def load_keys(settings: Settings) -> Keys:
    """The keys of the installation described by `settings`.

    ``SENTINELLE_SECRET_KEY`` wins; otherwise ``SENTINELLE_HOME/secret.key`` is read, or created
    with mode 0600 when missing.
    """
    if settings.secret_key is not None:
        text = settings.secret_key.get_secret_value()
        if len(text.strip()) < MIN_SECRET_CHARS:
            msg = "SENTINELLE_SECRET_KEY must be at least 32 characters long"
            raise ConfigError(msg)
        return Keys(_decode(text), origin="SENTINELLE_SECRET_KEY")
    path = settings.home / KEY_FILE
    text = _read_or_create(path)
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        msg = f"{path} is readable by others (mode {mode:o}): chmod 600 it"
        raise ConfigError(msg)
    return Keys(_decode(text), origin=str(path))
