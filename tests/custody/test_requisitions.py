"""Requisitions and legal holds on SQLite and PostgreSQL: the API the export builds on."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from sentinelle.access.audit import Actor, AuditLog
from sentinelle.access.keys import Keys
from sentinelle.custody.holds import HoldStore
from sentinelle.custody.requisitions import RequisitionStore, parse_window
from sentinelle.errors import InputError, NotFoundError

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
W1 = ("REN-001", datetime(2026, 11, 18, 21, 0, tzinfo=UTC),
      datetime(2026, 11, 18, 22, 0, tzinfo=UTC))
W2 = ("REN-002", datetime(2026, 11, 18, 21, 30, tzinfo=UTC),
      datetime(2026, 11, 18, 21, 45, tzinfo=UTC))


@pytest.fixture
def keys() -> Keys:
    return Keys(b"k" * 32, origin="test")


def test_ensure_creates_incomplete_once_and_audits(db, keys):
    store = RequisitionStore(db)
    assert store.get("PV-2026-001") is None
    actor = Actor.cli()
    r = store.ensure("PV-2026-001", actor=actor, keys=keys, now=NOW)
    assert r.incomplete and r.reference == "PV-2026-001" and r.windows == []
    assert r.opened_at == NOW and r.closed_at is None and r.footage_found is None
    again = store.ensure("PV-2026-001", actor=actor, keys=keys, now=NOW + timedelta(hours=1))
    assert again == r
    entries = AuditLog(db, keys).entries(action="requisition_change")
    assert [(e.object_id, e.details["change"]) for e in entries] == [
        ("PV-2026-001", "created_incomplete")]
    assert AuditLog(db, keys).verify().ok
    with pytest.raises(InputError, match="reference"):
        store.ensure("  ", actor=actor, keys=keys, now=NOW)


def test_add_holds_windows_close_releases(db, keys):
    store, holds = RequisitionStore(db, keys), HoldStore(db, keys)
    actor = Actor("alice", "supervisor")
    r = store.add("PV-7", authority="Parquet de Rennes", officer="OPJ Martin",
                  document="req-7.pdf", procedure="flagrance", category="vol avec violence",
                  windows=[W1, W2], actor=actor, now=NOW)
    assert not r.incomplete and r.procedure == "flagrance"
    assert r.windows == [W1, W2]
    active = holds.active(NOW + timedelta(days=60))
    assert [(h.camera_id, h.start, h.end, h.kind) for h in active] == [
        (W1[0], W1[1], W1[2], "requisition"), (W2[0], W2[1], W2[2], "requisition")]
    assert holds.covers("REN-001", W1[1] - timedelta(seconds=2), W1[1] + timedelta(seconds=1),
                        NOW)
    assert not holds.covers("REN-001", W1[1] - timedelta(seconds=2), W1[1], NOW)
    assert not holds.covers("REN-003", W1[1], W1[2], NOW)
    assert not holds.covers("REN-001", W1[1], W1[2], NOW - timedelta(seconds=1))  # not yet

    closed = store.close("PV-7", footage_found=True, useful=True, case_solved=False,
                         actor=actor, now=NOW + timedelta(days=3))
    assert closed.closed_at == NOW + timedelta(days=3) and closed.useful is True
    assert holds.active(NOW + timedelta(days=3)) == []
    assert len(holds.active(NOW + timedelta(days=1))) == 2  # history is kept
    changes = [(e.action, (e.details or {}).get("change"))
               for e in AuditLog(db, keys).entries(newest_first=False)]
    assert changes == [("hold_change", "placed"), ("hold_change", "placed"),
                       ("requisition_change", "created"), ("hold_change", "released"),
                       ("hold_change", "released"), ("requisition_change", "closed")]
    with pytest.raises(InputError, match="closed already"):
        store.close("PV-7", footage_found=True, useful=True, case_solved=True, actor=actor,
                    now=NOW + timedelta(days=4))
    with pytest.raises(NotFoundError, match="PV-8"):
        store.close("PV-8", footage_found=True, useful=True, case_solved=True, actor=actor,
                    now=NOW)


def test_add_completes_an_incomplete_reference(db, keys):
    store = RequisitionStore(db, keys)
    store.ensure("PV-9", actor=Actor.cli(), now=NOW)
    r = store.add("PV-9", authority="TJ Rennes", officer="OPJ Le Goff", document="pv9.pdf",
                  windows=[W1], actor=Actor.cli(), now=NOW + timedelta(hours=2))
    assert not r.incomplete and r.opened_at == NOW and len(r.windows) == 1
    with pytest.raises(InputError, match="recorded already"):
        store.add("PV-9", authority="x", officer="y", actor=Actor.cli(), now=NOW)


def test_bad_input_names_the_field_and_stores_nothing(db, keys):
    store = RequisitionStore(db, keys)
    bad_window = ("REN-001", W1[2], W1[1])
    with pytest.raises(InputError, match="window 2"):
        store.add("PV-10", authority="TJ", officer="OPJ", windows=[W1, bad_window],
                  actor=Actor.cli(), now=NOW)
    with pytest.raises(InputError, match="procedure"):
        store.add("PV-10", authority="TJ", officer="OPJ", procedure="enquête",
                  actor=Actor.cli(), now=NOW)
    with pytest.raises(InputError, match="officer"):
        store.add("PV-10", authority="TJ", officer=" ", actor=Actor.cli(), now=NOW)
    with pytest.raises(InputError, match="NUL"):
        store.add("PV-10\x00", authority="TJ", officer="OPJ", actor=Actor.cli(), now=NOW)
    far = datetime(1, 1, 1, tzinfo=UTC)
    with pytest.raises(InputError, match="out of range|not after"):
        store.add("PV-10", authority="TJ", officer="OPJ", actor=Actor.cli(), now=NOW,
                  windows=[("REN-001", far.replace(tzinfo=timezone(timedelta(hours=2))),
                            W1[2])])
    assert store.get("PV-10") is None and HoldStore(db).list() == []
    store.add("PV-11", authority="TJ", officer="OPJ", document="d.pdf", windows=[W1],
              actor=Actor.cli(), now=NOW)
    with pytest.raises(InputError, match="useful"):
        store.close("PV-11", footage_found=False, useful=True, case_solved=False,
                    actor=Actor.cli(), now=NOW)
    assert store.get("PV-11").is_open


def test_parse_window():
    assert parse_window("REN-001@2026-11-18T21:00/2026-11-18T22:00Z") == W1
    for bad in ("REN-001", "REN-001@2026-11-18T21:00", "@2026-11-18T21:00/2026-11-18T22:00",
                "REN-001@2026-11-18T22:00/2026-11-18T21:00", "REN-001@yesterday/today"):
        with pytest.raises(InputError, match="window"):
            parse_window(bad)


def test_manual_hold_release(db, keys):
    holds = HoldStore(db, keys)
    h = holds.add("REN-005", W1[1], W1[2], reason="Plainte en cours", actor=Actor.cli(),
                  until=NOW + timedelta(days=10), now=NOW)
    assert holds.covers("REN-005", W1[1], W1[2], NOW + timedelta(days=9))
    assert not holds.covers("REN-005", W1[1], W1[2], NOW + timedelta(days=10))  # ended
    holds.release(h.id, actor=Actor.cli(), now=NOW + timedelta(days=1), reason="classée")
    assert not holds.covers("REN-005", W1[1], W1[2], NOW + timedelta(days=2))
    with pytest.raises(InputError, match="released already"):
        holds.release(h.id, actor=Actor.cli(), now=NOW + timedelta(days=2), reason="x")
    with pytest.raises(InputError, match="end"):
        holds.add("REN-005", W1[1], W1[2], reason="r", actor=Actor.cli(), until=NOW, now=NOW)


def test_concurrent_ensure_records_one_requisition(db, keys):
    import threading

    barrier = threading.Barrier(6)
    got, errors = [], []

    def worker() -> None:
        try:
            barrier.wait()
            got.append(RequisitionStore(db, keys).ensure("PV-RACE", actor=Actor.cli(), now=NOW))
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == [] and len({r.id for r in got}) == 1 and len(got) == 6
    assert len(AuditLog(db, keys).entries(action="requisition_change")) == 1
