"""Each event type fires on its synthetic scene and stays silent on the control scene."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from sentinelle.errors import InputError
from sentinelle.events.detectors import EventEngine, EventSettings, TrackBook
from sentinelle.events.synthetic import LAYOUT, SCENES, evaluate, run_scene
from sentinelle.events.types import AVAILABLE, UNAVAILABLE, parse_events
from sentinelle.vision.detections import Detections

EXPECTED = {"zone_entry": "zone_interdite", "wrong_way": "contresens",
            "left_bag": "objet_abandonne", "dense_group": "densite_excessive",
            "person_falling": "personne_au_sol", "flow_change": "mouvement_de_foule"}


@pytest.mark.parametrize("scene", sorted(EXPECTED))
def test_each_event_fires_on_its_scene_only(scene):
    sc = SCENES[scene]()
    hits = run_scene(sc)
    assert [h.type for h in hits] == [EXPECTED[scene]], hits
    (lab,) = sc.labels
    h = hits[0]
    t = (h.ts - sc.frames[0].ts).total_seconds()
    assert lab.start_s <= t <= lab.end_s
    if lab.tracks:
        assert set(h.tracks) == set(lab.tracks)
    assert all(0 <= v <= 1 for b in h.boxes for v in b)


def test_control_scene_is_silent():
    assert run_scene(SCENES["control"]()) == []


def test_only_the_allowed_types_run():
    hits = run_scene(SCENES["wrong_way"](), events=("zone_interdite",))
    assert hits == []


def test_synthetic_set_recall_and_precision():
    res = evaluate()["per_type"]
    assert set(res) == set(AVAILABLE)
    for e, c in res.items():
        assert (c["recall"], c["precision"]) == (1.0, 1.0), (e, c)


def test_stricter_thresholds_lose_events():
    # the measures are real: a tighter density maximum misses nothing, a looser one misses
    res = evaluate(EventSettings(density_max=10.0, abandon_s=40.0))["per_type"]
    assert res["densite_excessive"]["recall"] == 0.0
    assert res["objet_abandonne"]["recall"] == 0.0
    assert res["zone_interdite"]["recall"] == 1.0


def test_unavailable_types_are_listed_not_detected():
    assert set(UNAVAILABLE) == {"arme", "depart_de_feu"}
    assert not set(UNAVAILABLE) & set(AVAILABLE)
    engine = EventEngine("SYN-1", ["arme", "depart_de_feu"], LAYOUT)
    assert engine.detectors == []


def test_parse_events_names_the_bad_type():
    assert parse_events("contresens, zone_interdite") == ("contresens", "zone_interdite")
    with pytest.raises(InputError, match="`reconnaissance_faciale` not an event type"):
        parse_events("contresens,reconnaissance_faciale")


def test_tracks_never_cross_cameras():
    book = TrackBook("SYN-1")
    other = Detections("SYN-2", datetime(2026, 6, 21, tzinfo=UTC),
                       boxes=np.zeros((1, 4), np.float32), scores=np.ones(1, np.float32),
                       classes=np.zeros(1, np.int8), track_ids=np.ones(1, np.int64))
    with pytest.raises(ValueError, match="never cross cameras"):
        book.update(other)
    untracked = Detections("SYN-1", datetime(2026, 6, 21, tzinfo=UTC))
    with pytest.raises(ValueError, match="tracked"):
        book.update(untracked)


def test_synthetic_set_in_noisy_variants():
    res = evaluate(variants=5, noise=0.005)
    for e, c in res["per_type"].items():
        assert (c["labels"], c["recall"], c["precision"]) == (5, 1.0, 1.0), (e, c)
    assert all(res["scenes"][f"control#{v}"] == [] for v in range(5))
