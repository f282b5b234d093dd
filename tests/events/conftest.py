"""Event detection fixtures: keys, two cameras in a database, a basis helper."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sentinelle.access.audit import Actor
from sentinelle.access.keys import Keys, load_keys
from sentinelle.events.basis import EventBases
from sentinelle.registry.camera import Camera
from sentinelle.registry.store import Registry
from sentinelle.settings import Settings

START = datetime(2026, 6, 21, 16, 0, tzinfo=UTC)
END = datetime(2026, 6, 22, 2, 0, tzinfo=UTC)


@pytest.fixture
def keys(tmp_path) -> Keys:
    home = tmp_path / "keyhome"
    home.mkdir(exist_ok=True)
    return load_keys(Settings(home=home))


@pytest.fixture
def cameras(db, keys) -> list[str]:
    Registry(db, keys=keys).save_cameras([
        Camera(id="SYN-1", lon=-1.68, lat=48.11, name="Parvis", retention_days=15),
        Camera(id="SYN-2", lon=-1.681, lat=48.111, name="Quai")])
    return ["SYN-1", "SYN-2"]


@pytest.fixture
def basis(db, keys, cameras):
    """A basis for SYN-1 only, on the evening of 21 June 2026, every detectable type."""
    return EventBases(db, keys).add(
        text="loi 2023-380 art. 10 ; décret 2023-828", decision="AP 35-2026-06-0042",
        cameras="SYN-1", start=START, end=END,
        events="zone_interdite,contresens,densite_excessive,mouvement_de_foule,"
               "personne_au_sol,objet_abandonne,arme", actor=Actor.cli(),
        now=datetime(2026, 6, 1, tzinfo=UTC))
