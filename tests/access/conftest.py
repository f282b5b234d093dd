"""Fixtures of the access tests: fixed keys, an audit log on each backend."""

from __future__ import annotations

import pytest

from sentinelle.access.audit import AuditLog
from sentinelle.access.keys import Keys


@pytest.fixture
def keys() -> Keys:
    return Keys(b"k" * 32, origin="tests")


@pytest.fixture
def audit(db, keys) -> AuditLog:
    return AuditLog(db, keys)
