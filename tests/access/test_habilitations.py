"""Habilitations: scope by camera, zone and territory; periods, refresher, revocation."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import shapely

from sentinelle.access.audit import Actor
from sentinelle.access.habilitations import Habilitations
from sentinelle.access.users import Users
from sentinelle.errors import AccessDenied, InputError
from sentinelle.registry.store import Registry
from sentinelle.registry.zone import Zone
from tests.registry.factories import full_cameras

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
PW = "correct horse battery staple"
CLI = Actor.cli()
PERIOD = {"valid_from": date(2026, 1, 1), "valid_until": date(2026, 12, 31),
          "training_date": date(2025, 12, 1), "refresher_due": date(2026, 12, 1)}


@pytest.fixture
def habs(db, keys) -> Habilitations:
    reg = Registry(db, keys=keys)
    reg.save_cameras(full_cameras())  # REN-001 Sainte-Anne (north), REN-002 Colombier (south)
    north = shapely.box(-1.70, 48.110, -1.66, 48.13)
    city = shapely.box(-1.75, 48.07, -1.62, 48.15)
    reg.save_zones([Zone(kind="quartier", name="Nord", geometry=north),
                    Zone(kind="custom", name="Rennes", geometry=city)])
    users = Users(db, keys)
    for name, role in (("op", "operator"), ("dpo", "dpo"), ("boss", "admin")):
        users.add(username=name, password=PW, role=role, actor=CLI)
    return Habilitations(db, keys)


def test_no_habilitation_no_access_even_for_admin(habs):
    boss = Users(habs.db, habs.keys).get("boss")
    assert not habs.can(boss, "live", "REN-001", now=NOW)
    with pytest.raises(AccessDenied, match="no habilitation"):
        habs.require(boss, "live", "REN-001", now=NOW)


def test_scope_by_camera_and_right(habs):
    op = Users(habs.db, habs.keys).get("op")
    h = habs.grant(username="op", rights="live", cameras=["REN-001"], actor=CLI, now=NOW,
                   **PERIOD)
    assert habs.can(op, "live", "REN-001", now=NOW).habilitation_id == h.id
    assert not habs.can(op, "live", "REN-002", now=NOW)
    assert not habs.can(op, "replay", "REN-001", now=NOW)
    assert not habs.can(op, "live", "NOPE", now=NOW)


def test_scope_by_zone_and_territory(habs):
    op = Users(habs.db, habs.keys).get("op")
    habs.grant(username="op", rights="replay", zones=["quartier:Nord"], actor=CLI, now=NOW,
               **PERIOD)
    assert habs.can(op, "replay", "REN-001", now=NOW)
    assert not habs.can(op, "replay", "REN-002", now=NOW)
    habs.grant(username="op", rights="live", all_cameras=True, territory="quartier:Nord",
               actor=CLI, now=NOW, **PERIOD)
    assert habs.can(op, "live", "REN-001", now=NOW)
    decision = habs.can(op, "live", "REN-002", now=NOW)
    assert not decision and "outside the territory" in decision.reason


@pytest.mark.parametrize("when, state", [
    (datetime(2025, 12, 31, 12, tzinfo=UTC), "not yet"),
    (datetime(2027, 1, 1, 12, tzinfo=UTC), "expired"),
    (datetime(2026, 12, 2, 12, tzinfo=UTC), "refresher overdue"),
])
def test_refused_outside_the_period_or_with_refresher_overdue(habs, when, state):
    op = Users(habs.db, habs.keys).get("op")
    habs.grant(username="op", rights="live", all_cameras=True, actor=CLI, now=NOW, **PERIOD)
    decision = habs.can(op, "live", "REN-001", now=when)
    assert not decision and state in decision.reason


def test_days_are_paris_days(habs):
    op = Users(habs.db, habs.keys).get("op")
    habs.grant(username="op", rights="live", all_cameras=True, actor=CLI, now=NOW,
               **{**PERIOD, "refresher_due": date(2027, 6, 1)})
    # 2026-12-31 23:30 UTC is already 2027-01-01 in Paris: expired.
    assert not habs.can(op, "live", "REN-001", now=datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
    assert habs.can(op, "live", "REN-001", now=datetime(2026, 12, 31, 22, 30, tzinfo=UTC))


def test_revocation_and_audit(habs):
    op = Users(habs.db, habs.keys).get("op")
    h = habs.grant(username="op", rights="live,replay", cameras=["REN-001"], actor=CLI,
                   now=NOW, **PERIOD)
    habs.revoke(h.id, actor=CLI, reason="left the service", now=NOW)
    assert not habs.can(op, "live", "REN-001", now=NOW)
    entries = habs.audit.entries(action="habilitation_change", newest_first=False)
    assert [e.details["change"] for e in entries] == ["grant", "revoke"]
    assert entries[0].details["camera_ids"] == ["REN-001"] and entries[0].object_id == str(h.id)
    assert habs.list()[0].state(date(2026, 6, 15)) == "revoked"


def test_disabled_user_is_refused(habs):
    habs.grant(username="op", rights="live", all_cameras=True, actor=CLI, now=NOW, **PERIOD)
    Users(habs.db, habs.keys).disable("op", actor=CLI)
    assert not habs.can(Users(habs.db, habs.keys).get("op"), "live", "REN-001", now=NOW)


@pytest.mark.parametrize("kwargs, message", [
    ({"username": "dpo", "rights": "live", "all_cameras": True}, "may not be given"),
    ({"username": "op", "rights": "export", "all_cameras": True}, "may not be given"),
    ({"username": "op", "rights": "watch", "all_cameras": True}, "not one of"),
    ({"username": "op", "rights": "live"}, "needs a scope"),
    ({"username": "op", "rights": "live", "cameras": ["X-9"]}, "unknown camera"),
    ({"username": "op", "rights": "live", "zones": ["quartier:Sud"]}, "unknown zone"),
    ({"username": "op", "rights": "live", "all_cameras": True,
      "training_date": date(2026, 7, 1)}, "in the future"),
    ({"username": "op", "rights": "live", "all_cameras": True,
      "valid_until": date(2025, 1, 1)}, "before"),
])
def test_bad_grants_are_refused(habs, kwargs, message):
    args = {**PERIOD, **kwargs}
    with pytest.raises(InputError, match=message):
        habs.grant(actor=CLI, now=NOW, **args)
    assert habs.list() == []
