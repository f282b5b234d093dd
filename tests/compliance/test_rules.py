"""Each rule: one case where it holds, one where it fires (pure snapshots, no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
import shapely

from sentinelle.access.habilitations import Habilitation, Right
from sentinelle.compliance.documents import REQUIRED_PIECES, Document, DocumentKind
from sentinelle.compliance.findings import Severity, summary
from sentinelle.compliance.masks import DwellingView, Mask
from sentinelle.compliance.rules import RULES, add_months, run_rules
from sentinelle.compliance.signage import Sign
from sentinelle.compliance.snapshot import Snapshot, UserInfo
from sentinelle.compliance.store import CameraConfig, Notification
from sentinelle.registry.camera import Camera
from sentinelle.registry.zone import Authorisation

TODAY = date(2026, 6, 1)
T0 = datetime(2024, 1, 1, tzinfo=UTC)
LON, LAT = -1.68, 48.11


def cam(cid: str = "C1", **kw) -> Camera:
    base = dict(id=cid, lon=LON, lat=LAT, purposes=["PREVENTION_ATTEINTES_PERSONNES_BIENS"],
                retention_days=15, authorisation="A-1",
                heads=[{"azimuth_deg": 90, "hfov_deg": 60}])
    base.update(kw)
    return Camera.model_validate(base)


def auth(**kw) -> Authorisation:
    base = dict(reference="A-1", issued=date(2024, 1, 1),
                purposes=["PREVENTION_ATTEINTES_PERSONNES_BIENS"], max_retention_days=20,
                cameras=["C1"])
    base.update(kw)
    return Authorisation(**base)


def doc(kind: DocumentKind, i: int = 1, **kw) -> Document:
    base = dict(id=i, authorisation="A-1", kind=kind, title=str(kind), version="1",
                doc_date=date(2023, 12, 1), dpo_opinion_date=date(2023, 12, 10),
                location=None, added_at=T0, added_by="dpo")
    base.update(kw)
    return Document(**base)


def hab(**kw) -> Habilitation:
    base = dict(id=1, username="op", rights=(Right.live,), all_cameras=True, camera_ids=(),
                zones=(), territory="commune:Rennes", authorisation="A-1",
                valid_from=date(2025, 1, 1), valid_until=date(2027, 1, 1),
                training_date=date(2024, 12, 1), refresher_due=date(2026, 12, 1),
                granted_by="maire", granted_at=T0, revoked_at=None, revoked_by=None, note=None)
    base.update(kw)
    return Habilitation(**base)


def history(*versions: tuple[str, float]) -> list[dict]:
    """Versions as (ISO time, lon)."""
    return [{"version": i + 1, "change": "create" if i == 0 else "update", "recorded_at": ts,
             "source": None, "data": {"lon": lon, "lat": LAT,
                                      "heads": [{"azimuth_deg": 90, "hfov_deg": 60}]}}
            for i, (ts, lon) in enumerate(versions)]


def good() -> Snapshot:
    """A network where every rule holds."""
    return Snapshot(
        today=TODAY, cameras=[cam()], authorisations=[auth()],
        histories={"C1": history(("2023-11-20T10:00:00+00:00", LON))},
        documents=[doc(k, i) for i, k in enumerate(
            (*REQUIRED_PIECES, DocumentKind.registre_traitements), start=1)],
        signs=[Sign(id=1, name="P1", lon=LON, lat=LAT + 0.0005, pictogram=True,
                    controller=True, purposes=True, rights_contact=True, notice_link=True)],
        habilitations=[hab()], users={"op": UserInfo("op", "operator", True)},
        configs={"C1": CameraConfig("C1", 15, False, False, None, None, TODAY, "vms")},
        settings={"controller": "Ville de Rennes", "service": "Police municipale"},
        dwellings={"C1": []},
    )


def fired(s: Snapshot, rule: str) -> list:
    return [f for f in run_rules(s, rules=[rule])]


@pytest.mark.parametrize("rule", list(RULES))
def test_every_rule_holds_on_a_compliant_network(rule):
    assert fired(good(), rule) == []


def test_good_network_has_no_finding_at_all():
    assert summary(run_rules(good())) == {"violation": 0, "warning": 0, "info": 0}


def only(findings, severity=Severity.violation):
    assert findings, "expected a finding"
    assert all(f.severity is severity for f in findings), findings
    return findings


# R01
def test_r01_fires_without_authorisation_or_when_expired_or_unknown():
    s = good()
    f = only(fired(replace(s, cameras=[cam(authorisation=None)]), "R01"))
    assert f[0].subject_id == "C1" and f[0].legal_ref == "CSI L252-1"
    only(fired(replace(s, cameras=[cam(authorisation="NOPE")]), "R01"))
    only(fired(replace(s, today=date(2029, 1, 2)), "R01"))
    # a planned camera without authorisation: info only
    only(fired(replace(s, cameras=[cam(authorisation=None, status="planned")]), "R01"),
         Severity.info)


# R02
def test_r02_warns_at_six_and_four_months_and_fires_once_expired():
    s = good()  # expires 2029-01-01
    assert fired(replace(s, today=date(2028, 6, 30)), "R02") == []
    six = only(fired(replace(s, today=date(2028, 7, 2)), "R02"), Severity.warning)
    assert "6 mois" in six[0].message
    four = only(fired(replace(s, today=date(2028, 9, 2)), "R02"), Severity.warning)
    assert "4 mois" in four[0].message
    only(fired(replace(s, today=date(2029, 1, 2)), "R02"))
    only(fired(replace(s, authorisations=[auth(expires=date(2029, 6, 1))]), "R02"))


# R03
def test_r03_provisional_longer_than_four_months_fires():
    s = good()
    ok = replace(s, authorisations=[auth(type="provisional", issued=date(2026, 4, 1),
                                         expires=date(2026, 8, 1))])
    assert fired(ok, "R03") == []
    bad = replace(s, authorisations=[auth(type="provisional", issued=date(2026, 4, 1),
                                          expires=date(2026, 8, 15))])
    only(fired(bad, "R03"))


# R04
def test_r04_purpose_missing_or_outside_the_authorisation():
    s = good()
    only(fired(replace(s, cameras=[cam(purposes=[])]), "R04"))
    f = only(fired(replace(s, cameras=[cam(purposes=["TERRORISME"])]), "R04"))
    assert f[0].evidence["purposes"] == ["TERRORISME"]


# R05
def test_r05_added_or_moved_camera_needs_a_prefect_notification():
    s = good()
    added = replace(s, authorisations=[auth(cameras=["C9"])])
    f = only(fired(added, "R05"))
    assert "ajoutée" in f[0].message
    note = Notification(1, "C1", "A-1", "ajout", date(2024, 2, 1), "courrier 12")
    assert fired(replace(added, notifications=[note]), "R05") == []
    moved = replace(s, histories={"C1": history(("2023-11-20T10:00:00+00:00", LON),
                                                ("2025-03-01T10:00:00+00:00", LON + 0.001))})
    only(fired(moved, "R05"))
    late = Notification(2, "C1", "A-1", "deplacement", date(2025, 4, 1), None)
    only(fired(replace(moved, notifications=[late]), "R05"), Severity.warning)
    on_time = Notification(3, "C1", "A-1", "deplacement", date(2025, 2, 15), None)
    assert fired(replace(moved, notifications=[on_time]), "R05") == []
    box = shapely.box(LON + 0.01, LAT + 0.01, LON + 0.02, LAT + 0.02)
    only(fired(replace(s, authorisations=[auth(perimeter=box)]), "R05"))


# R06
def test_r06_missing_pieces():
    s = good()
    docs = [d for d in s.documents if d.kind is not DocumentKind.plan_masse]
    f = only(fired(replace(s, documents=docs), "R06"))
    assert f[0].evidence["missing"] == ["plan_masse"]


# R07
def _view() -> DwellingView:
    facade = shapely.LineString([(LON + 0.0003, LAT), (LON + 0.0003, LAT + 0.0002)])
    building = shapely.box(LON + 0.0003, LAT, LON + 0.0005, LAT + 0.0002)
    return DwellingView("C1", "B1", 12.0, 22.0, facade, building)


def test_r07_dwelling_seen_without_mask_fires_and_a_covering_mask_clears_it():
    s = replace(good(), dwellings={"C1": [_view()]})
    f = only(fired(s, "R07"))
    assert f[0].evidence["buildings"][0]["building"] == "B1"
    mask = Mask(1, "C1", _view().suggested_mask(), "on_camera", None, T0, "dpo")
    assert fired(replace(s, masks=[mask]), "R07") == []
    # a mask of another camera does not count
    other = Mask(2, "C2", _view().suggested_mask(), "on_camera", None, T0, "dpo")
    only(fired(replace(s, masks=[other]), "R07"))
    # an overlay-only mask: warned (not irreversible)
    overlay = replace(mask, mode="overlay")
    only(fired(replace(s, masks=[overlay]), "R07"), Severity.warning)
    # no base map: not checked (info)
    only(fired(replace(s, dwellings=None), "R07"), Severity.info)


# R09 / R10
def test_r09_retention_above_the_authorisation_or_observed_above_it():
    s = good()
    f = only(fired(replace(s, cameras=[cam(retention_days=25)]), "R09"))
    assert f[0].evidence["limit_days"] == 20
    cfg = CameraConfig("C1", 45, False, False, None, None, TODAY, "vms")
    only(fired(replace(s, configs={"C1": cfg}), "R09"))
    only(fired(replace(s, cameras=[cam(retention_days=None)]), "R09"), Severity.warning)


def test_r10_retention_below_the_minimum():
    s = replace(good(), authorisations=[auth(min_retention_days=10)])
    assert fired(s, "R10") == []
    only(fired(replace(s, cameras=[cam(retention_days=7)]), "R10"))


# R14 / R15
def test_r14_habilitation_of_a_non_video_role_or_outside_an_authorisation():
    s = good()
    only(fired(replace(s, users={"op": UserInfo("op", "dpo", True)}), "R14"))
    only(fired(replace(s, habilitations=[hab(authorisation="GONE")]), "R14"))
    only(fired(replace(s, users={"op": UserInfo("op", "operator", False)}), "R14"),
         Severity.warning)
    revoked = hab(revoked_at=T0, revoked_by="admin")
    assert fired(replace(s, habilitations=[revoked],
                         users={"op": UserInfo("op", "dpo", True)}), "R14") == []


def test_r15_training_after_access_refresher_overdue_no_territory():
    s = good()
    only(fired(replace(s, habilitations=[hab(training_date=date(2025, 2, 1))]), "R15"))
    only(fired(replace(s, habilitations=[hab(refresher_due=date(2026, 5, 1))]), "R15"),
         Severity.warning)
    only(fired(replace(s, habilitations=[hab(territory=None)]), "R15"), Severity.warning)
    only(fired(replace(s, habilitations=[hab(refresher_due=date(2026, 6, 20))]), "R15"),
         Severity.info)


# R23
def test_r23_camera_without_sign_and_incomplete_sign():
    s = good()
    far = replace(s.signs[0], lat=LAT + 0.01)
    only(fired(replace(s, signs=[far]), "R23"))
    named = replace(far, camera_ids=("C1",))
    assert fired(replace(s, signs=[named]), "R23") == []
    incomplete = replace(s.signs[0], rights_contact=False)
    f = only(fired(replace(s, signs=[incomplete]), "R23"))
    assert f[0].subject_type == "sign" and f[0].evidence["missing"] == ["rights_contact"]


# R24
def test_r24_public_register_needs_the_responsible_service():
    only(fired(replace(good(), settings={"controller": "Ville de Rennes"}), "R24"),
         Severity.warning)


# R27
def test_r27_no_dpia_or_no_dpo_opinion_or_changes_since():
    s = good()
    without = [d for d in s.documents if d.kind is not DocumentKind.aipd]
    f = fired(replace(s, documents=without), "R27")
    assert {x.subject_type for x in f} == {"network"} and f[0].severity is Severity.violation
    no_opinion = [replace(d, dpo_opinion_date=None) if d.kind is DocumentKind.aipd else d
                  for d in s.documents]
    only(fired(replace(s, documents=no_opinion), "R27"))
    changed = replace(s, histories={"C1": history(("2023-11-20T10:00:00+00:00", LON),
                                                  ("2025-03-01T10:00:00+00:00", LON + 1e-3))})
    only(fired(changed, "R27"), Severity.warning)


# R28
def test_r28_record_of_processing_and_controller():
    s = good()
    docs = [d for d in s.documents if d.kind is not DocumentKind.registre_traitements]
    only(fired(replace(s, documents=docs), "R28"))
    assert fired(replace(s, documents=docs, settings={**s.settings, "ropa_entry": "T-12"}),
                 "R28") == []
    only(fired(replace(s, settings={}), "R28"))


# R30
def test_r30_audio_or_analytics_without_legal_basis():
    s = good()
    audio = CameraConfig("C1", 15, True, False, None, None, TODAY, "vms")
    only(fired(replace(s, configs={"C1": audio}), "R30"))
    vsa = CameraConfig("C1", 15, False, True, None, None, TODAY, "vms")
    only(fired(replace(s, configs={"C1": vsa}), "R30"))
    lawful = CameraConfig("C1", 15, False, True, "arrêté 2026-12", date(2026, 12, 31), TODAY,
                          "vms")
    assert fired(replace(s, configs={"C1": lawful}), "R30") == []


# R37
def test_r37_drift_between_equipment_and_registry():
    s = good()
    drift = CameraConfig("C1", 12, False, False, None, None, TODAY, "vms")
    f = only(fired(replace(s, configs={"C1": drift}), "R37"), Severity.warning)
    assert f[0].evidence == {"observed_days": 12, "registry_days": 15,
                             "observed_on": TODAY.isoformat()}
    only(fired(replace(s, configs={}), "R37"), Severity.info)


def test_add_months_clips_the_day():
    assert add_months(date(2024, 8, 31), -6) == date(2024, 2, 29)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2029, 1, 1), -4) == date(2028, 9, 1)


def test_findings_are_json_able():
    import json

    s = replace(good(), cameras=[cam(authorisation=None)], dwellings={"C1": [_view()]})
    json.dumps([f.as_dict() for f in run_rules(s)])
