"""Data subjects' access requests: an immediate hold, a one-month deadline, closing releases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sentinelle.access.audit import Actor, AuditLog
from sentinelle.access.keys import Keys
from sentinelle.custody.holds import HoldStore
from sentinelle.custody.rights_requests import RightsRequestStore, one_month_after
from sentinelle.errors import InputError, NotFoundError

KEYS = Keys(b"q" * 32, origin="test")
NOW = datetime(2026, 1, 31, 15, 0, tzinfo=UTC)
START, END = datetime(2026, 1, 30, 8, 0, tzinfo=UTC), datetime(2026, 1, 30, 8, 20, tzinfo=UTC)


def test_one_month_after_clips_the_day():
    assert one_month_after(NOW) == datetime(2026, 2, 28, 15, 0, tzinfo=UTC)
    assert one_month_after(datetime(2026, 12, 15, tzinfo=UTC)) == datetime(2027, 1, 15,
                                                                          tzinfo=UTC)


def test_request_holds_at_once_deadline_and_close(db):
    store, holds = RightsRequestStore(db, KEYS), HoldStore(db, KEYS)
    q = store.add(requester="Mme Durand", camera_id="REN-004", start=START, end=END,
                  actor=Actor("dpo", "dpo"), now=NOW)
    assert q.deadline_at == datetime(2026, 2, 28, 15, 0, tzinfo=UTC) and q.closed_at is None
    assert holds.covers("REN-004", START, END, NOW)
    [h] = holds.active(NOW)
    assert h.kind == "rights_request" and h.rights_request_id == q.id
    assert h.until == q.deadline_at + timedelta(days=30)
    assert not q.overdue(NOW) and q.overdue(q.deadline_at)
    closed = store.close(q.id, answer="no_footage", actor=Actor("dpo", "dpo"),
                         now=NOW + timedelta(days=3))
    assert closed.answer == "no_footage"
    assert not holds.covers("REN-004", START, END, NOW + timedelta(days=3))
    assert store.list(open_only=True) == []
    actions = [(e.action, e.details.get("change"))
               for e in AuditLog(db, KEYS).entries(newest_first=False)]
    assert actions == [("hold_change", "placed"), ("rights_request_change", "created"),
                       ("hold_change", "released"), ("rights_request_change", "closed")]
    with pytest.raises(InputError, match="closed already"):
        store.close(q.id, answer="refused", actor=Actor.cli(), now=NOW + timedelta(days=4))
    with pytest.raises(NotFoundError):
        store.close(999, answer="refused", actor=Actor.cli(), now=NOW)


def test_bad_requests_store_nothing(db):
    store = RightsRequestStore(db, KEYS)
    with pytest.raises(InputError, match="requester"):
        store.add(requester=" ", camera_id="C", start=START, end=END, actor=Actor.cli(),
                  now=NOW)
    with pytest.raises(InputError, match="requested window"):
        store.add(requester="x", camera_id="C", start=END, end=START, actor=Actor.cli(),
                  now=NOW)
    with pytest.raises(InputError, match="received_at"):
        store.add(requester="x", camera_id="C", start=START, end=END, actor=Actor.cli(),
                  now=NOW, received_at=NOW + timedelta(days=1))
    assert store.list() == [] and HoldStore(db).list() == []
