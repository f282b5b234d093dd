"""The aggregate counts: written by the pipelines, read by `analytics stats` and the web page.

A row is a total for one camera, bucket (10 s by default), zone or line, direction and class;
nothing finer is ever stored. `series` sums them over intervals of any multiple of the bucket
(``10s``, ``1min``, ``15min``, ``1h``, ``1d``), intervals aligned on the epoch (UTC).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from sentinelle.db.analytics_tables import AnalyticsCountRow
from sentinelle.db.engine import Database
from sentinelle.errors import InputError
from sentinelle.vision.counting import Count, bucket_start

_UNITS = {"s": 1, "min": 60, "h": 3600, "d": 86400}
_INTERVAL = re.compile(r"^\s*(\d+)\s*(s|min|h|d)\s*$")


def parse_interval(text: str) -> int:
    """``15min`` → 900 seconds; units ``s``, ``min``, ``h``, ``d``."""
    m = _INTERVAL.match(text or "")
    if not m or int(m.group(1)) == 0:
        raise InputError(f"--interval `{text}` is not a duration such as 10s, 1min, 15min, 1h "
                         "or 1d")
    return int(m.group(1)) * _UNITS[m.group(2)]


class CountStore:
    """The aggregate counts of one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, camera_id: str, counts: Sequence[Count], bucket_s: int) -> int:
        """Store bucket totals (a bucket stored twice, e.g. across a restart, adds up)."""
        rows = [AnalyticsCountRow(camera_id=camera_id, start_at=c.start, bucket_s=bucket_s,
                                  zone=c.zone, line=c.line, direction=c.direction, cls=c.cls,
                                  count=int(c.count)) for c in counts if c.count > 0]
        if rows:
            with self.db.session() as s:
                s.add_all(rows)
        return len(rows)

    def series(self, camera_id: str, start: datetime, end: datetime, interval_s: int
               ) -> list[dict[str, Any]]:
        """Totals per interval in [`start`, `end`), by zone or line, direction and class."""
        if end <= start:
            raise InputError(f"--to {end.isoformat()} must come after --from "
                             f"{start.isoformat()}")
        with self.db.session() as s:
            rows = s.scalars(select(AnalyticsCountRow).where(
                AnalyticsCountRow.camera_id == camera_id,
                AnalyticsCountRow.start_at >= start, AnalyticsCountRow.start_at < end)).all()
            finest = max((r.bucket_s for r in rows), default=1)
            if interval_s % finest:
                raise InputError(f"--interval of {interval_s} s is not a multiple of the "
                                 f"stored buckets ({finest} s)")
            sums: dict[tuple, int] = defaultdict(int)
            for r in rows:
                key = (bucket_start(r.start_at.astimezone(UTC), interval_s), r.zone, r.line,
                       r.direction, r.cls)
                sums[key] += r.count
        out = [{"start": k[0].isoformat().replace("+00:00", "Z"), "zone": k[1], "line": k[2],
                "direction": k[3], "class": k[4], "count": v}
               for k, v in sums.items()]
        out.sort(key=lambda d: (d["start"], d["zone"] or "", d["line"] or "",
                                d["direction"] or "", d["class"]))
        return out
