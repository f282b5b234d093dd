"""R11 (footage past retention only under a legal hold on a penal procedure) and R10's purge
side, on pure snapshots and on a database with real indexed segments."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from sentinelle.access.audit import Actor
from sentinelle.access.keys import Keys
from sentinelle.compliance.findings import Severity
from sentinelle.compliance.rules import RULES, run_rules
from sentinelle.compliance.snapshot import Snapshot, load_snapshot
from sentinelle.custody.facts import CustodyFacts
from sentinelle.custody.holds import Hold, HoldStore
from sentinelle.custody.requisitions import RequisitionStore
from sentinelle.custody.retention import purge
from sentinelle.record.segments import Segment, SegmentIndex
from sentinelle.registry.camera import Camera
from sentinelle.registry.store import Registry
from sentinelle.registry.zone import Authorisation

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
KEYS = Keys(b"c" * 32, origin="test")


def seg(cam: str, days_ago: float) -> Segment:
    start = NOW - timedelta(days=days_ago)
    return Segment(cam, f"{cam}/{days_ago}.mp4", start, start + timedelta(seconds=2), 1000,
                   "0" * 64)


def hold(i: int, s: Segment, kind: str = "manual", **kw) -> Hold:
    base = dict(id=i, camera_id=s.camera_id, start=s.start, end=s.end, reason="r", kind=kind,
                requisition_id=None, rights_request_id=None,
                created_at=NOW - timedelta(days=40), created_by="cli:x",
                until=NOW + timedelta(days=10), released_at=None, released_by=None)
    base.update(kw)
    return Hold(**base)


def test_r11_registered_and_silent_without_custody_facts():
    assert RULES["R11"].legal_ref == "CSI L252-5"
    assert run_rules(Snapshot(today=NOW.date()), rules=["R11"]) == []
    assert run_rules(Snapshot(today=NOW.date(), custody=CustodyFacts(now=NOW)),
                     rules=["R11"]) == []


def test_r11_unheld_footage_past_limit_is_a_violation_held_is_not():
    old, held = seg("C1", 12), seg("C1", 20)
    facts = CustodyFacts(now=NOW, past_limit=[old, held], limits={"C1": 10},
                         holds=[hold(1, held, "rights_request")])
    f = run_rules(Snapshot(today=NOW.date(), custody=facts), rules=["R11"])
    assert [(x.rule, x.severity, x.subject_id, x.evidence["segments"]) for x in f] == [
        ("R11", Severity.violation, "C1", 1)]
    # An expired or released hold protects nothing.
    for gone in (hold(1, held, until=NOW - timedelta(seconds=1)),
                 hold(1, held, released_at=NOW - timedelta(days=1))):
        f = run_rules(Snapshot(today=NOW.date(), custody=replace(facts, holds=[gone])),
                      rules=["R11"])
        assert f[0].evidence["segments"] == 2


def test_r11_warns_on_holds_without_penal_procedure(db):
    s = seg("C1", 20)
    store = RequisitionStore(db, KEYS)
    r = store.add("PV-1", authority="TJ", officer="OPJ", windows=[(s.camera_id, s.start, s.end)],
                  actor=Actor.cli(), now=NOW - timedelta(days=21))
    facts = CustodyFacts(now=NOW, past_limit=[s], limits={"C1": 10},
                         holds=[hold(1, s, "requisition", requisition_id=r.id),
                                hold(2, s, "manual")],
                         requisitions={r.id: r})
    f = run_rules(Snapshot(today=NOW.date(), custody=facts), rules=["R11"])
    assert [(x.severity, x.subject_type, x.subject_id) for x in f] == [
        (Severity.warning, "hold", "1"), (Severity.warning, "hold", "2")]
    assert f[0].evidence["missing"] == ["type de procédure", "pièce"]
    complete = replace(r, procedure="flagrance", document="pv.pdf", incomplete=False)
    facts = replace(facts, holds=facts.holds[:1], requisitions={r.id: complete})
    assert run_rules(Snapshot(today=NOW.date(), custody=facts), rules=["R11"]) == []


def test_snapshot_from_database_then_purge_clears_r11_and_records_r10(db, tmp_path, place,
                                                                     monkeypatch):
    reg = Registry(db, keys=KEYS)
    reg.save_authorisations([Authorisation(reference="ARR-1", issued=date(2025, 1, 1),
                                           max_retention_days=10, min_retention_days=5)])
    reg.save_cameras([Camera(id="C1", lon=-1.68, lat=48.11, retention_days=10,
                             authorisation="ARR-1")])
    index = SegmentIndex(db, tmp_path / "recordings")
    unheld, held, young = (place(index, "C1", NOW - timedelta(days=d)) for d in (12, 20, 2))
    HoldStore(db, KEYS).add("C1", held.start, held.end, reason="Plainte", actor=Actor.cli(),
                            until=NOW + timedelta(days=5), now=NOW - timedelta(days=21))

    snap = load_snapshot(db, KEYS, today=NOW.date(), now=NOW, dwellings=False)
    f = run_rules(snap, rules=["R11"])
    assert [(x.severity, x.subject_id) for x in f] == [(Severity.violation, "C1"),
                                                       (Severity.warning, "1")]
    assert f[0].evidence["segments"] == 1
    assert run_rules(snap, rules=["R10"]) == []

    purge(db, index.root, keys=KEYS, now=NOW, actor=Actor.system("purge"), quota_bytes=1)
    assert {s.path for s in index.segments()} == {held.path}
    snap = load_snapshot(db, KEYS, today=NOW.date(), now=NOW, dwellings=False)
    assert [x.severity for x in run_rules(snap, rules=["R11"])] == [Severity.warning]
    r10 = run_rules(snap, rules=["R10"])
    assert [(x.rule, x.subject_id, x.severity) for x in r10] == [
        ("R10", "C1", Severity.violation)]
    # The register row covers the camera's whole run: the unheld 12-day segment (retention)
    # and the 2-day one taken for the quota below the 5-day minimum.
    assert r10[0].evidence["segments"] == 2
    assert r10[0].evidence["period_start"] == unheld.start.isoformat()
    assert r10[0].evidence["period_end"] == young.end.isoformat()
