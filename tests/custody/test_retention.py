"""Retention with a fixed `now` on real indexed segment files, SQLite and PostgreSQL: nothing
past its limit survives without a hold, nothing held is ever deleted, the quota takes the
oldest unprotected footage first and young footage only as a last resort (R10 + alert)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from sentinelle.access.audit import Actor, AuditLog
from sentinelle.access.keys import Keys, load_keys
from sentinelle.cli.main import app
from sentinelle.custody.destruction import DestructionRegister
from sentinelle.custody.holds import HoldStore
from sentinelle.custody.retention import (
    CameraRetention,
    RetentionPolicy,
    execute_purge,
    parse_quota,
    plan_purge,
)
from sentinelle.db.engine import open_database
from sentinelle.errors import InputError
from sentinelle.record.logbook import Logbook
from sentinelle.record.segments import SegmentIndex, sha256_file
from sentinelle.registry.camera import Camera
from sentinelle.registry.store import Registry
from sentinelle.registry.zone import Authorisation
from sentinelle.settings import Settings

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
KEYS = Keys(b"r" * 32, origin="test")
POLICY = RetentionPolicy(cameras={"CAM-A": CameraRetention(10),
                                  "CAM-B": CameraRetention(30, min_days=7)})
runner = CliRunner()


def ago(days: float, seconds: float = 0) -> datetime:
    return NOW - timedelta(days=days, seconds=seconds)


def age_days(seg) -> float:
    return (NOW - seg.end).total_seconds() / 86400


@pytest.fixture
def footage(db, tmp_path, place):
    """Two cameras' real segments at various ages, and holds: active, expired, released."""
    index = SegmentIndex(db, tmp_path / "recordings")
    segs = {}
    for name, cam, start in [
        ("a40", "CAM-A", ago(40)), ("a20", "CAM-A", ago(20)), ("a11", "CAM-A", ago(11)),
        ("a10", "CAM-A", ago(10, 2)),  # ends exactly 10 days before now: at its limit
        ("a9", "CAM-A", ago(9)), ("a1", "CAM-A", ago(1)),
        ("b31", "CAM-B", ago(31)), ("b29", "CAM-B", ago(29)), ("b20", "CAM-B", ago(20)),
        ("b6", "CAM-B", ago(6)), ("b2", "CAM-B", ago(2)),
        ("gone", "CAM-OLD", ago(35)),  # a camera no longer in the policy: 30 days
    ]:
        segs[name] = place(index, cam, start)
    holds = HoldStore(db, KEYS)
    actor = Actor.cli()
    # Active hold over a20 (one second of overlap is enough) and over b31.
    holds.add("CAM-A", segs["a20"].end - timedelta(seconds=1), segs["a20"].end + timedelta(hours=1),
              reason="Réquisition PV-1", until=NOW + timedelta(days=30), actor=actor,
              now=ago(21))
    holds.add("CAM-B", segs["b31"].start, segs["b31"].end, reason="Demande d'accès",
              until=NOW + timedelta(days=5), actor=actor, now=ago(31))
    # Expired hold over a40, released hold over a11: neither protects any more.
    holds.add("CAM-A", segs["a40"].start, segs["a40"].end, reason="ancienne",
              until=ago(1), actor=actor, now=ago(40))
    released = holds.add("CAM-A", segs["a11"].start, segs["a11"].end, reason="levée",
                         until=NOW + timedelta(days=3), actor=actor, now=ago(12))
    holds.release(released.id, actor=actor, now=ago(0.5), reason="procédure classée")
    return index, segs


def test_parse_quota():
    assert parse_quota("500G") == 500 * 2**30
    assert parse_quota("1.5T") == int(1.5 * 2**40)
    assert parse_quota("2048") == 2048 and parse_quota("10k") == 10240
    assert parse_quota(None) is None and parse_quota(" ") is None
    for bad in ("lots", "5X", "-3G", "0"):
        with pytest.raises(InputError, match="SENTINELLE_RECORDINGS_QUOTA"):
            parse_quota(bad)


def test_retention_destroys_past_limit_except_held(db, footage):
    index, segs = footage
    holds = HoldStore(db, KEYS).active(NOW)
    plan = plan_purge(index.segments(), POLICY, holds, NOW)
    planned = {d.segment.path for d in plan.deletions}
    assert planned == {segs[n].path for n in ("a40", "a11", "a10", "gone")}
    assert {s.path for s in plan.held_past_limit} == {segs["a20"].path, segs["b31"].path}
    assert all(d.reason == "retention" for d in plan.deletions)
    assert plan.findings == [] and plan.alerts == []

    held_hashes = {n: sha256_file(index.root / segs[n].path) for n in ("a20", "b31")}
    report = execute_purge(db, index.root, plan, actor=Actor.system("purge"), keys=KEYS)
    assert {s.path for s in report.deleted} == planned and report.missing_files == []
    for n in ("a40", "a11", "a10", "gone"):
        assert not (index.root / segs[n].path).exists()
    # Nothing at or past its limit survives without an active hold ...
    limits = {"CAM-A": 10, "CAM-B": 30, "CAM-OLD": 30}
    active = HoldStore(db, KEYS).active(NOW)
    for seg in index.segments():
        if age_days(seg) >= limits[seg.camera_id]:
            assert any(h.overlaps(seg.camera_id, seg.start, seg.end) for h in active), seg
    # ... and held footage is untouched, bytes and index.
    for n, digest in held_hashes.items():
        assert sha256_file(index.root / segs[n].path) == digest
    assert index.count() == 12 - 4 and index.verify().ok

    rows = DestructionRegister(db).rows()
    assert [(r.camera_id, r.segments, r.reason, r.actor) for r in rows] == [
        ("CAM-A", 3, "retention", "system:purge"), ("CAM-OLD", 1, "retention", "system:purge")]
    a = rows[0]
    assert (a.period_start, a.period_end) == (segs["a40"].start, segs["a10"].end)
    assert a.bytes == 3 * segs["a40"].size_bytes and a.destroyed_at == NOW
    entries = AuditLog(db, KEYS).entries(action="purge", newest_first=False)
    assert [(e.actor, e.object_id) for e in entries] == [("system:purge", "CAM-A"),
                                                        ("system:purge", "CAM-OLD")]
    assert entries[0].details["segments"] == 3 and AuditLog(db, KEYS).verify().ok
    # A second run finds nothing more to do.
    again = plan_purge(index.segments(), POLICY, HoldStore(db, KEYS).active(NOW), NOW)
    assert again.deletions == []


def test_quota_oldest_unprotected_first_young_last_never_held(db, footage):
    index, segs = footage
    size = segs["a1"].size_bytes
    # 12 segments; retention removes 4 → 8 left (2 held). A quota of 3 segments forces 5 more
    # out: the unheld ones older than the minimum first (b29, b20, a9, oldest first), then,
    # as a last resort, young CAM-B footage (b6); b2 and a1 are the newest and stay.
    policy = RetentionPolicy(cameras=POLICY.cameras, quota_bytes=3 * size)
    holds = HoldStore(db, KEYS).active(NOW)
    plan = plan_purge(index.segments(), policy, holds, NOW)
    order = [(d.segment.path, d.reason) for d in plan.deletions]
    assert order == [
        (segs["a40"].path, "retention"), (segs["gone"].path, "retention"),
        (segs["a11"].path, "retention"), (segs["a10"].path, "retention"),
        (segs["b29"].path, "quota"), (segs["b20"].path, "quota"), (segs["a9"].path, "quota"),
        (segs["a1"].path, "quota"),  # CAM-A sets no minimum: an ordinary candidate
        (segs["b6"].path, "quota_below_minimum"),  # last resort: b2, newer, stays
    ]
    assert plan.used_after == 3 * size
    assert [f.subject_id for f in plan.findings] == ["CAM-B"] and len(plan.alerts) == 1
    report = execute_purge(db, index.root, plan, actor=Actor.system("purge"), keys=KEYS)
    assert len(report.deleted) == 9
    assert {s.path for s in index.segments()} == {segs[n].path for n in ("a20", "b31", "b2")}


def test_quota_takes_held_never_and_alerts(db, footage, tmp_path):
    index, segs = footage
    policy = RetentionPolicy(cameras=POLICY.cameras, quota_bytes=1)
    plan = plan_purge(index.segments(), policy, HoldStore(db, KEYS).active(NOW), NOW)
    gone = {d.segment.path for d in plan.deletions}
    assert gone == {s.path for s in index.segments()} - {segs["a20"].path, segs["b31"].path}
    below = [d.segment.path for d in plan.deletions if d.reason == "quota_below_minimum"]
    assert below == [segs["b6"].path, segs["b2"].path]
    assert [(f.rule, f.subject_id, f.severity.value) for f in plan.findings] == [
        ("R10", "CAM-B", "violation")]
    assert plan.findings[0].evidence["minimum_days"] == 7
    assert len(plan.alerts) == 2 and "CAM-B" in plan.alerts[0]
    assert "still over quota" in plan.alerts[1]
    execute_purge(db, index.root, plan, actor=Actor.system("purge"), keys=KEYS)
    assert {s.path for s in index.segments()} == {segs["a20"].path, segs["b31"].path}
    assert (index.root / segs["a20"].path).exists() and (index.root / segs["b31"].path).exists()
    log = Logbook(db, AuditLog(db, KEYS)).entries()
    texts = [e.text for e in log]
    assert any("ALERTE purge" in t and "7 jours" in t for t in texts)
    assert any("still over quota" in t for t in texts)
    reasons = {r.camera_id: r.reason for r in DestructionRegister(db).rows()}
    assert reasons["CAM-B"] == "quota,quota_below_minimum"


def test_hold_placed_after_planning_is_respected(db, footage):
    index, segs = footage
    plan = plan_purge(index.segments(), POLICY, HoldStore(db, KEYS).active(NOW), NOW)
    assert segs["a10"].path in {d.segment.path for d in plan.deletions}
    HoldStore(db, KEYS).add("CAM-A", segs["a10"].start, segs["a10"].end, reason="urgent",
                            until=NOW + timedelta(days=1), actor=Actor.cli(),
                            now=NOW - timedelta(seconds=1))
    report = execute_purge(db, index.root, plan, actor=Actor.cli(), keys=KEYS)
    assert [s.path for s in report.skipped_now_held] == [segs["a10"].path]
    assert (index.root / segs["a10"].path).exists()


def test_dry_run_touches_nothing(db, footage):
    index, _ = footage
    plan = plan_purge(index.segments(), POLICY, HoldStore(db, KEYS).active(NOW), NOW)
    report = execute_purge(db, index.root, plan, actor=Actor.cli(), keys=KEYS, dry_run=True)
    assert report.deleted == [] and index.count() == 12 and index.verify().ok
    assert DestructionRegister(db).rows() == [] and AuditLog(db, KEYS).entries(action="purge") == []


def test_cli_purge_with_registry_quota_and_now(tmp_path, monkeypatch, place):
    home = tmp_path / "home"
    monkeypatch.setenv("SENTINELLE_HOME", str(home))
    monkeypatch.delenv("SENTINELLE_DATABASE_URL", raising=False)
    settings = Settings()
    settings.ensure_home()
    db = open_database(settings.url)
    keys = load_keys(settings)
    reg = Registry(db, keys=keys)
    reg.save_authorisations([Authorisation(reference="ARR-35-1", issued=NOW.date() - timedelta(
        days=400), max_retention_days=15, min_retention_days=5)])
    reg.save_cameras([
        Camera(id="REN-1", lon=-1.68, lat=48.11, retention_days=30, authorisation="ARR-35-1"),
        Camera(id="REN-2", lon=-1.67, lat=48.11, retention_days=3),
    ])
    index = SegmentIndex(db, home / "recordings")
    s1 = {d: place(index, "REN-1", ago(d)) for d in (20, 14, 4)}
    for d in (5, 2):
        place(index, "REN-2", ago(d))
    HoldStore(db, keys).add("REN-1", s1[20].start, s1[20].end, reason="PV-3",
                            until=NOW + timedelta(days=9), actor=Actor.cli(), now=ago(21))
    now = NOW.isoformat().replace("+00:00", "Z")

    res = runner.invoke(app, ["record", "purge", "--dry-run", "--now", now, "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    # REN-1 capped at its authorisation's 15 days; REN-2 at its own 3 days.
    assert {c["camera_id"]: c["segments"] for c in d["cameras"]} == {"REN-2": 1}
    assert d["dry_run"] and d["segments"] == 1 and index.count() == 5
    assert [h["path"] for h in d["held_past_limit"]] == [s1[20].path]

    # Quota of two segments: REN-1's 14-day footage, then REN-2's 2-day footage (no minimum)
    # go; REN-1's 4-day footage is under its 5-day minimum and stays.
    size = s1[4].size_bytes
    monkeypatch.setenv("SENTINELLE_RECORDINGS_QUOTA", str(size * 2 + 4096))
    res = runner.invoke(app, ["record", "purge", "--now", now, "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert {c["camera_id"]: c["reasons"] for c in d["cameras"]} == {
        "REN-1": ["quota"], "REN-2": ["quota", "retention"]}
    assert {s.path for s in index.segments()} == {s1[20].path, s1[4].path}
    assert d["findings"] == [] and d["alerts"] == []
    assert [e.actor for e in AuditLog(db, keys).entries(action="purge")] == [
        Actor.cli().name] * 2

    # Quota of one byte: the 4-day footage goes as a last resort, with R10 and an alert.
    monkeypatch.setenv("SENTINELLE_RECORDINGS_QUOTA", "1")
    res = runner.invoke(app, ["record", "purge", "--now", now])
    assert res.exit_code == 0, res.output
    assert "R10" in res.stdout and "ALERT" in res.output
    assert {s.path for s in index.segments()} == {s1[20].path}

    res = runner.invoke(app, ["record", "destructions", "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["destructions"]
    assert [(r["camera_id"], r["reason"]) for r in rows] == [
        ("REN-1", "quota"), ("REN-2", "quota,retention"), ("REN-1", "quota_below_minimum")]
    out = tmp_path / "destructions.csv"
    res = runner.invoke(app, ["record", "destructions", "--out", str(out)])
    assert res.exit_code == 0, res.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("run_id,camera_id,period_start") and len(lines) == 4

    monkeypatch.setenv("SENTINELLE_RECORDINGS_QUOTA", "lots")
    res = runner.invoke(app, ["record", "purge", "--now", now])
    assert res.exit_code == 2 and "SENTINELLE_RECORDINGS_QUOTA" in res.output
    db.dispose()


def test_a_file_that_cannot_be_deleted_stays_indexed_and_unregistered(db, footage):
    index, segs = footage
    plan = plan_purge(index.segments(), POLICY, HoldStore(db, KEYS).active(NOW), NOW)
    # Replace a40's file by a non-empty folder: unlink() fails on it (as root too).
    path = index.root / segs["a40"].path
    path.unlink()
    path.mkdir()
    (path / "x").write_text("x")
    report = execute_purge(db, index.root, plan, actor=Actor.cli(), keys=KEYS)
    assert [f.split(":")[0] for f in report.failed] == [segs["a40"].path]
    assert segs["a40"].path in {s.path for s in index.segments()}
    a = [r for r in DestructionRegister(db).rows() if r.camera_id == "CAM-A"][0]
    assert a.segments == 2 and a.period_start == segs["a11"].start
