"""Dataclasses as JSON-ready dicts (datetimes written ISO 8601)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any


def iso_dict(obj: Any) -> dict[str, Any]:
    """`dataclasses.asdict(obj)` with its top-level datetimes as ISO 8601 strings."""
    d = asdict(obj)
    for k, v in d.items():
        if isinstance(v, datetime):
            d[k] = v.isoformat()
    return d
