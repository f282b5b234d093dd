"""Measured performance from the operators' decisions (R32, the evaluation of décret 2023-828).

For each event type and each camera: alerts raised, confirmed, dismissed and still pending;
``precision`` = confirmed / decided and ``false_positive_rate`` = dismissed / decided (the
share of decided alerts that were false, the figure the national evaluation reported, e.g.
62 % on abandoned objects at the SNCF). None where nothing has been decided yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sentinelle.events.alerts import Alert, AlertState


def _figures(alerts: list[Alert]) -> dict[str, Any]:
    confirmed = sum(a.state == AlertState.confirmed for a in alerts)
    dismissed = sum(a.state == AlertState.dismissed for a in alerts)
    decided = confirmed + dismissed
    return {"alerts": len(alerts), "confirmed": confirmed, "dismissed": dismissed,
            "pending": len(alerts) - decided,
            "precision": round(confirmed / decided, 3) if decided else None,
            "false_positive_rate": round(dismissed / decided, 3) if decided else None}


def performance(alerts: Iterable[Alert], *, start: datetime | None = None,
                end: datetime | None = None) -> dict[str, Any]:
    """Figures per type, per camera, per (type, camera) and overall for alerts in
    [start, end)."""
    items = [a for a in alerts if (start is None or a.ts >= start)
             and (end is None or a.ts < end)]
    by_type: dict[str, list[Alert]] = {}
    by_cam: dict[str, list[Alert]] = {}
    by_both: dict[tuple[str, str], list[Alert]] = {}
    for a in items:
        by_type.setdefault(a.type, []).append(a)
        by_cam.setdefault(a.camera_id, []).append(a)
        by_both.setdefault((a.type, a.camera_id), []).append(a)
    return {
        "overall": _figures(items),
        "per_type": {t: _figures(v) for t, v in sorted(by_type.items())},
        "per_camera": {c: _figures(v) for c, v in sorted(by_cam.items())},
        "per_type_camera": [dict(type=t, camera=c, **_figures(v))
                            for (t, c), v in sorted(by_both.items())],
    }
