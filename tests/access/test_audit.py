"""The audit log: gapless chain, signed head, and tampering found directly in the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select, update

from sentinelle.access.audit import Actor, AuditLog, Verification
from sentinelle.access.keys import Keys
from sentinelle.db.access_tables import AuditEntryRow, AuditHeadRow
from sentinelle.errors import InputError, StorageError

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
ALICE = Actor("alice", "operator")


def fill(audit: AuditLog, n: int = 6) -> None:
    for i in range(n):
        audit.record(
            actor=ALICE, action="replay", object_type="camera", object_id=f"REN-{i:03d}",
            time_range=(T0 - timedelta(hours=1), T0), purpose="incident", now=T0 + timedelta(
                minutes=i), details={"i": i, "note": "é"},
        )


def test_entries_get_gapless_seq_and_a_chain(audit):
    fill(audit)
    entries = audit.entries(newest_first=False)
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5, 6]
    assert entries[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))
    assert entries[2].time_range == (
        "2026-03-01T07:00:00.000000+00:00/2026-03-01T08:00:00.000000+00:00"
    )
    assert entries[2].details == {"i": 2, "note": "é"}
    assert audit.verify() == Verification(True, 6, 6, 0)
    assert audit.count() == 6


def test_an_empty_log_verifies(audit):
    assert audit.verify().ok


def test_filters(audit):
    fill(audit, 3)
    audit.record(actor=Actor.cli(), action="import", object_type="cameras", object_id="x.csv")
    assert [e.seq for e in audit.entries(action="import")] == [4]
    assert audit.entries(action="import")[0].actor.startswith("cli:")
    assert [e.seq for e in audit.entries(object_id="REN-001")] == [2]
    assert [e.seq for e in audit.entries(actor="alice", limit=2)] == [3, 2]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"action": "watch"}, "`action` 'watch' is not one of"),
        ({"action": "export", "legal_basis": "because"}, "`legal_basis` 'because'"),
        ({"action": "export", "legal_basis": "requisition_judiciaire"}, "requisition_ref"),
        ({"action": "login", "outcome": "maybe"}, "`outcome`"),
    ],
)
def test_bad_entries_are_refused(audit, kwargs, message):
    with pytest.raises(InputError, match=message):
        audit.record(actor=ALICE, **kwargs)
    assert audit.count() == 0


def _tamper(db, stmt) -> None:
    with db.session() as s:
        s.execute(stmt)


def test_an_edited_middle_entry_is_named(db, audit):
    fill(audit)
    _tamper(db, update(AuditEntryRow).where(AuditEntryRow.seq == 3).values(object_id="REN-999"))
    result = audit.verify()
    assert not result.ok and result.first_bad_seq == 3
    assert "altered" in result.problem


def test_an_edited_entry_with_its_hash_recomputed_is_named(db, audit):
    from sentinelle.access.audit import entry_hash

    fill(audit)
    with db.session() as s:
        row = s.get(AuditEntryRow, 3)
        row.purpose = "nothing to see"
        row.hash = entry_hash(row)
    result = audit.verify()
    assert not result.ok and result.first_bad_seq == 3


def test_a_deleted_middle_entry_is_named(db, audit):
    fill(audit)
    _tamper(db, delete(AuditEntryRow).where(AuditEntryRow.seq == 4))
    result = audit.verify()
    assert (result.ok, result.first_bad_seq) == (False, 4)
    assert "missing" in result.problem


def test_a_reordered_middle_entry_is_named(db, audit):
    fill(audit)
    with db.session() as s:  # swap entries 3 and 4 (the numbers stay in place)
        s.execute(update(AuditEntryRow).where(AuditEntryRow.seq == 3).values(seq=-3))
        s.execute(update(AuditEntryRow).where(AuditEntryRow.seq == 4).values(seq=3))
        s.execute(update(AuditEntryRow).where(AuditEntryRow.seq == -3).values(seq=4))
    result = audit.verify()
    assert (result.ok, result.first_bad_seq) == (False, 3)


def test_deleted_last_entries_are_named(db, audit):
    fill(audit)
    _tamper(db, delete(AuditEntryRow).where(AuditEntryRow.seq >= 5))
    result = audit.verify()
    assert (result.ok, result.first_bad_seq) == (False, 5)
    assert "checkpoint" in result.problem


def test_a_checkpoint_rolled_back_without_the_key_is_found(db, audit):
    fill(audit)
    with db.session() as s:
        fourth = s.get(AuditEntryRow, 4)
        s.execute(delete(AuditEntryRow).where(AuditEntryRow.seq >= 5))
        s.execute(update(AuditHeadRow).values(seq=4, hash=fourth.hash))
    result = audit.verify()
    assert not result.ok and "signature" in result.problem


def test_an_entry_appended_outside_sentinelle_is_named(db, audit):
    from sentinelle.access.audit import entry_hash

    fill(audit, 3)
    with db.session() as s:
        last = s.get(AuditEntryRow, 3)
        row = AuditEntryRow(seq=4, ts=T0, actor="mallory", role="admin", action="login",
                            outcome="ok", legal_basis="none", prev_hash=last.hash)
        row.hash = entry_hash(row)
        s.add(row)
    assert audit.verify().first_bad_seq == 4


def test_another_key_does_not_verify(db, audit):
    fill(audit, 2)
    other = AuditLog(db, Keys(b"z" * 32))
    assert not other.verify().ok


def test_writing_continues_after_the_head_not_after_the_last_row(db, audit):
    fill(audit, 3)
    _tamper(db, delete(AuditEntryRow).where(AuditEntryRow.seq == 3))
    assert audit.record(actor=ALICE, action="login").seq == 4
    assert audit.verify().first_bad_seq == 3


def test_retention_purge_keeps_a_verifiable_chain(db, audit):
    fill(audit, 5)  # T0 … T0+4 min
    late = T0 + timedelta(days=400)
    audit.record(actor=ALICE, action="login", now=late)
    removed = audit.purge(retention_days=365, actor=Actor.cli(), now=late + timedelta(days=1))
    assert removed == 5
    assert audit.verify() == Verification(True, 2, 7, 5)
    last = audit.entries(limit=1)[0]
    assert (last.seq, last.action, last.object_type) == (7, "delete", "audit_log")
    assert last.details["removed_through_seq"] == 5
    # Removing the new first entry is still found.
    _tamper(db, delete(AuditEntryRow).where(AuditEntryRow.seq == 6))
    assert audit.verify().first_bad_seq == 6


def test_purge_is_refused_on_a_broken_log(db, audit):
    fill(audit, 3)
    _tamper(db, delete(AuditEntryRow).where(AuditEntryRow.seq == 2))
    with pytest.raises(StorageError, match="purge refused"):
        audit.purge(retention_days=1, actor=Actor.cli(), now=T0 + timedelta(days=30))


def test_an_entry_and_a_change_commit_together(db, audit):
    with pytest.raises(RuntimeError), db.session() as s:
        audit.record(actor=ALICE, action="config_change", session=s)
        raise RuntimeError("the change failed")
    assert audit.count() == 0 and audit.verify().ok
    with db.session() as s:
        assert s.scalars(select(AuditEntryRow)).all() == []


def test_concurrent_writers_get_a_gapless_chain(audit):
    from concurrent.futures import ThreadPoolExecutor

    def write(i: int) -> int:
        return audit.record(actor=Actor(f"user{i % 4}", "operator"), action="live_view",
                            object_id=str(i)).seq

    with ThreadPoolExecutor(max_workers=6) as pool:
        seqs = sorted(pool.map(write, range(60)))
    assert seqs == list(range(1, 61))
    assert audit.verify().ok
