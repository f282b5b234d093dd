"""R12, R13, R20, R22 on the register of transmissions and the audit log's exports."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from sentinelle.access.audit import AuditEntry
from sentinelle.compliance.findings import Severity
from sentinelle.compliance.rules import RULES, run_rules
from sentinelle.compliance.snapshot import Snapshot
from sentinelle.custody.requisitions import Requisition
from sentinelle.evidence.transmissions import Transmission

AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def tx(i=1, **kw) -> Transmission:
    base = dict(id=i, transmitted_at=AT, camera_id="C1", start=AT, end=AT, legal_basis=
                "requisition_judiciaire", requisition_ref="PV-1", recipient="OPJ Martin",
                exported_by="cli:root", out_dir="/tmp/x", manifest_sha256="a" * 64, files=3,
                size_bytes=10, reencoded=False, delete_by=None, audit_seq=i)
    base.update(kw)
    return Transmission(**base)


def entry(seq=1, **kw) -> AuditEntry:
    base = dict(seq=seq, ts=AT, actor="cli:root", role="cli", action="export", outcome="ok",
                object_type="camera", object_id="C1", time_range=None, purpose=None,
                legal_basis="requisition_judiciaire", requisition_ref="PV-1", recipient=None,
                details=None, prev_hash="0" * 64, hash="1" * 64)
    base.update(kw)
    return AuditEntry(**base)


def snap(**kw) -> Snapshot:
    return Snapshot(today=date(2026, 11, 25), transmissions=[tx()], export_entries=[entry()],
                    **kw)


def codes(s: Snapshot, rule: str):
    return [(f.severity, f.subject_type, f.subject_id) for f in run_rules(s, rules=[rule])]


def test_rules_registered_with_legal_refs():
    for code in ("R12", "R13", "R20", "R22"):
        assert code in RULES and RULES[code].legal_ref


def test_clean_register_has_no_finding():
    s = snap()
    for rule in ("R12", "R13", "R20", "R22"):
        assert codes(s, rule) == []


def test_r13_export_without_register_row_and_row_without_audit():
    s = replace(snap(), transmissions=[])
    assert codes(s, "R13") == [(Severity.violation, "audit_entry", "1")]
    s = replace(snap(), export_entries=[])
    assert codes(s, "R13") == [(Severity.violation, "transmission", "1")]
    # a refused export attempt needs no register row
    s = replace(snap(), transmissions=[], export_entries=[entry(outcome="denied")])
    assert codes(s, "R13") == []


def test_r20_reencoded_or_without_hash():
    s = replace(snap(), transmissions=[tx(reencoded=True), tx(2, manifest_sha256="")],
                export_entries=[entry(), entry(2)])
    assert codes(s, "R20") == [(Severity.violation, "transmission", "1"),
                               (Severity.violation, "transmission", "2")]


def test_r22_unlawful_bases():
    s = replace(snap(), transmissions=[
        tx(1, requisition_ref=None), tx(2, legal_basis="droit_acces_rgpd"),
        tx(3, legal_basis="none"), tx(4, legal_basis="destinataire_L252-3", recipient=None,
                                      delete_by=AT)],
        export_entries=[entry(i) for i in range(1, 5)] + [entry(5, legal_basis="none")])
    found = codes(s, "R22")
    assert (Severity.violation, "audit_entry", "5") in found
    assert {sid for _, t, sid in found if t == "transmission"} == {"1", "2", "3", "4"}


def test_right_of_access_export_must_be_reencoded_with_third_parties_blurred():
    blurred = tx(1, legal_basis="droit_acces_rgpd", reencoded=True)
    lossless = tx(2, legal_basis="droit_acces_rgpd")
    judicial = tx(3, reencoded=True)
    s = replace(snap(), transmissions=[blurred, lossless, judicial],
                export_entries=[entry(i) for i in range(1, 4)])
    assert codes(s, "R22") == [(Severity.violation, "transmission", "2")]
    assert codes(s, "R20") == [(Severity.violation, "transmission", "3")]


def test_r12_recipient_copy_reminder_and_missing_date():
    copy = tx(legal_basis="destinataire_L252-3", delete_by=datetime(2026, 12, 20, tzinfo=UTC))
    s = replace(snap(), transmissions=[copy])
    assert codes(s, "R12") == []
    assert codes(replace(s, today=date(2026, 12, 21)), "R12") == [
        (Severity.info, "transmission", "1")]
    s = replace(snap(), transmissions=[replace(copy, delete_by=None)])
    assert codes(s, "R12") == [(Severity.violation, "transmission", "1")]


def test_r22_warns_on_an_incomplete_requisition():
    req = Requisition(id=1, reference="PV-1", authority=None, officer=None, document=None,
                      procedure=None, category=None, incomplete=True)
    s = replace(snap(), export_requisitions={"PV-1": req})
    assert codes(s, "R22") == [(Severity.warning, "transmission", "1")]
    s = replace(snap(), export_requisitions={"PV-1": replace(req, incomplete=False,
                                                              authority="TJ Rennes")})
    assert codes(s, "R22") == []
