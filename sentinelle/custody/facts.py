"""What the compliance rules need to know of custody (R10, R11), read at one instant.

`load_custody_facts` gives the indexed footage past its camera's retention (whether held or
not: the rule decides), the holds active then, the requisitions those holds stand on, and the
purges that destroyed footage younger than an authorisation's minimum.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sentinelle.access.keys import Keys
from sentinelle.custody.common import aware
from sentinelle.custody.destruction import Destruction, DestructionRegister
from sentinelle.custody.holds import Hold, HoldStore
from sentinelle.custody.requisitions import Requisition, RequisitionStore
from sentinelle.custody.retention import policy_from_registry
from sentinelle.db.engine import Database
from sentinelle.record.segments import Segment, SegmentIndex

BELOW_MINIMUM = "quota_below_minimum"
LOOKBACK = timedelta(days=365)
"""How far back purges below the minimum are reported."""


@dataclass(frozen=True)
class CustodyFacts:
    """Custody at `now`.

    ``past_limit``: indexed segments whose end is at least their camera's retention old;
    ``limits``: the retention in days used for each camera that has footage;
    ``holds``: holds active at `now`; ``requisitions``: by id, those the holds stand on;
    ``below_minimum``: destruction-register rows of the last year that destroyed footage
    younger than the authorisation's minimum (quota reached).
    """

    now: datetime
    past_limit: list[Segment] = field(default_factory=list)
    limits: dict[str, int] = field(default_factory=dict)
    holds: list[Hold] = field(default_factory=list)
    requisitions: dict[int, Requisition] = field(default_factory=dict)
    below_minimum: list[Destruction] = field(default_factory=list)


def load_custody_facts(db: Database, keys: Keys, *, now: datetime) -> CustodyFacts:
    now = aware(now, "now")
    policy = policy_from_registry(db, keys, quota_bytes=None)
    index = SegmentIndex(db, Path("."))  # only the index is read, never the files
    past: list[Segment] = []
    limits: dict[str, int] = {}
    for cam in sorted(index.camera_ids()):
        days = policy.of(cam).days
        limits[cam] = days
        cutoff = now - timedelta(days=days)
        past.extend(s for s in index.segments(cam, end=cutoff) if s.end <= cutoff)
    holds = HoldStore(db).active(now)
    wanted = {h.requisition_id for h in holds if h.requisition_id is not None}
    reqs = {r.id: r for r in RequisitionStore(db).list() if r.id in wanted} if wanted else {}
    below = [d for d in DestructionRegister(db).rows(since=now - LOOKBACK)
             if BELOW_MINIMUM in d.reason.split(",") and d.destroyed_at <= now]
    return CustodyFacts(now=now, past_limit=past, limits=limits, holds=holds,
                        requisitions=reqs, below_minimum=below)
