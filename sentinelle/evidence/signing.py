"""The installation's Ed25519 key that signs evidence manifests.

The private key is derived (HKDF-SHA256, purpose ``evidence-signing``) from the installation's
master secret, which lives in ``SENTINELLE_HOME/secret.key`` or ``SENTINELLE_SECRET_KEY``
(``access.keys``): it is never written anywhere else, and the same installation always signs
with the same key. The public key travels in each manifest (base64 of its 32 raw bytes) with its
fingerprint (SHA-256 of those bytes, hex), so that a recipient can check a manifest alone, and
compare the fingerprint with the one the city publishes (``sentinelle export public-key``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from sentinelle.access.keys import Keys

ALGORITHM = "Ed25519"
PURPOSE = b"evidence-signing"


def canonical(data: Any) -> bytes:
    """The bytes that are signed: JSON with sorted keys, no spaces, UTF-8."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def signing_key(keys: Keys) -> Ed25519PrivateKey:
    """The installation's evidence signing key."""
    seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"sentinelle",
                info=PURPOSE).derive(keys.master)
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def fingerprint(raw_public: bytes) -> str:
    """SHA-256 of the raw public key, hex."""
    return hashlib.sha256(raw_public).hexdigest()


def public_key_text(keys: Keys) -> str:
    """The public key as base64 text (what manifests carry)."""
    return base64.b64encode(public_bytes(signing_key(keys).public_key())).decode()


def sign(body: dict[str, Any], keys: Keys) -> dict[str, str]:
    """The ``signature`` block of a manifest whose other fields are `body`."""
    key = signing_key(keys)
    raw = public_bytes(key.public_key())
    return {
        "algorithm": ALGORITHM,
        "public_key": base64.b64encode(raw).decode(),
        "public_key_sha256": fingerprint(raw),
        "value": base64.b64encode(key.sign(canonical(body))).decode(),
    }


def check(body: dict[str, Any], signature: Any) -> str | None:
    """None when `signature` (a manifest's block) signs `body`; else what is wrong."""
    if not isinstance(signature, dict):
        return "the manifest has no signature block"
    if signature.get("algorithm") != ALGORITHM:
        return f"signature algorithm {signature.get('algorithm')!r} is not {ALGORITHM}"
    try:
        raw = base64.b64decode(str(signature.get("public_key", "")), validate=True)
        value = base64.b64decode(str(signature.get("value", "")), validate=True)
        public = Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError):
        return "the signature's public key or value is not valid base64 Ed25519 data"
    if signature.get("public_key_sha256") != fingerprint(raw):
        return "the public key's fingerprint does not match the public key"
    try:
        public.verify(value, canonical(body))
    except InvalidSignature:
        return "the Ed25519 signature does not match the manifest: manifest altered"
    return None
