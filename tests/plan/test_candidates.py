"""Candidate places, models, orientations, technology, cost, and their coverage matrix."""

from __future__ import annotations

import numpy as np
import pytest

from sentinelle.errors import InputError
from sentinelle.plan.candidates import build_candidates, choose_resolution, compute_coverage
from sentinelle.plan.demand import build_demand
from sentinelle.plan.scenario import parse_scenario
from tests.plan import city


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    folder = tmp_path_factory.mktemp("city")
    city.write_files(folder)
    (folder / "sites.csv").write_text(
        "id,lon,lat,name\n"
        + "P1,{:.7f},{:.7f},Mât mairie\n".format(*city.lonlat(2.5, 0.5))
        + "P2,{:.7f},{:.7f},Toit école\n".format(*city.lonlat(3.5, 3.5))
    )
    bm = city.basemap()
    return folder, bm


def _build(setup, extra: str = ""):
    folder, bm = setup
    text = city.SCENARIO.replace("[candidates]\n", f"[candidates]\n{extra}")
    sc = parse_scenario(text, base_dir=folder)
    zones = city.zones()
    demand = build_demand(bm, zones, sc)
    return sc, demand, build_candidates(bm, zones, city.existing(), demand, sc)


def test_places_models_and_orientations(setup):
    sc, _, c = _build(setup)
    kinds = c.places.kind
    assert c.n_existing == 1 and kinds[0] == "existing"
    # 25 nodes, 4 corners of degree 2: 21 intersections, one taken by the existing camera.
    assert np.sum(kinds == "intersection") == 20
    # Points at 25 m and 75 m along each of the 40 segments.
    assert np.sum(kinds == "street") == 80
    # multi and PTZ at intersections, fixed everywhere with 2 orientations.
    assert c.n_columns == 1 + 20 + 20 + 2 * 100
    fixed = np.flatnonzero(c.model == 1)
    for p in np.unique(c.place[fixed]):
        az = np.sort(c.azimuth_deg[fixed][c.place[fixed] == p])
        assert az[1] - az[0] == pytest.approx(180)
        bearing = c.places.bearing_deg[p] % 180
        assert min(abs(az[0] % 180 - bearing), 180 - abs(az[0] % 180 - bearing)) < 1e-6
    assert np.all(np.isnan(c.azimuth_deg[c.model == 0]))  # all-around units
    assert c.streams[c.model == 0].tolist() == [4] * 20
    heads_per_col = np.bincount(c.heads.group, minlength=c.n_columns)
    assert heads_per_col[0] == 4 and np.all(heads_per_col[c.model == 1] == 1)


def test_dori_level_sets_resolution_and_range(setup):
    sc, _, c = _build(setup)
    # Multi-sensor, 2.8 mm, 5.37 mm sensor, 30 m design range.
    # observe: 30 × 5.37 × 62.5 / 2.8 = 3596 px -> the 8 MP option (3840 px) reaches 32 m.
    assert choose_resolution(0, "observe", sc) == (1, 30.0)
    # recognise: 7192 px needed, none is enough -> 3840 px, watched to 2.8×3840/(5.37×125).
    k, rng = choose_resolution(0, "recognise", sc)
    assert k == 1 and rng == pytest.approx(2.8 * 3840 / (5.37 * 125))
    # PTZ, 20 mm: recognise at 25 m needs 839 px, 1920 px will do.
    assert choose_resolution(2, "recognise", sc) == (0, 25.0)
    near_metro = np.hypot(c.places.x - city.xy(3, 3)[0], c.places.y - city.xy(3, 3)[1]) <= 120
    assert set(c.level[np.isin(c.place, np.flatnonzero(near_metro))]) == {"recognise"}
    assert set(c.level[np.isin(c.place, np.flatnonzero(~near_metro))]) == {"observe"}


def test_cost_and_transmission(setup):
    sc, _, c = _build(setup)
    # Fibre when it is cheaper over 5 years: 90 €/m × d + 5 × 150 <= 4,000 + 5 × 400,
    # i.e. within 58.3 m of the existing camera at node (1, 1).
    new = np.arange(c.n_existing, c.n_columns)
    fibre = new[c.transmission[new] == "fibre"]
    radio = new[c.transmission[new] == "radio"]
    assert fibre.size and radio.size
    assert np.all(c.link_m[fibre] <= 58.34)
    j = fibre[0]
    m = sc.models[c.model[j]]
    expected = 13_800 * m.price_factor + m.resolutions[c.resolution[j]].extra_eur + 90 * c.link_m[j]
    assert c.cost_eur[j] == pytest.approx(expected)
    k = radio[0]
    m = sc.models[c.model[k]]
    expected = 13_800 * m.price_factor + m.resolutions[c.resolution[k]].extra_eur + 4_000
    assert c.cost_eur[k] == pytest.approx(expected)
    assert c.cost_eur[0] == 0 and c.transmission[0] == "existing"


def test_user_sites_and_exclusions(setup):
    _, _, c = _build(setup, 'user_sites_file = "sites.csv"\n')
    assert set(c.places.site_id[c.places.kind == "user"]) == {"P1", "P2"}
    text = city.SCENARIO.replace("[candidates]\n", '[candidates]\nuser_sites_file = "sites.csv"\n')
    text = text.replace("new_cameras = 6", 'new_cameras = 6\nexcluded = ["P2"]\n'
                        'excluded_zones = ["quartier:Nord"]')
    folder, bm = setup
    sc = parse_scenario(text, base_dir=folder)
    demand = build_demand(bm, city.zones(), sc)
    c2 = build_candidates(bm, city.zones(), city.existing(), demand, sc)
    assert "P2" not in set(c2.places.site_id)
    assert "P1" in set(c2.places.site_id)
    north = c2.places.y[c2.places.kind != "existing"] > city.xy(0, 2)[1] - 1
    assert not north.any()
    bad = text.replace('excluded = ["P2"]', 'excluded = ["P9"]')
    with pytest.raises(InputError, match="no user site with id 'P9'"):
        sc3 = parse_scenario(bad, base_dir=folder)
        build_candidates(bm, city.zones(), city.existing(), demand, sc3)


def test_coverage_matrix_rows_are_cells_columns_are_candidates(setup):
    sc, demand, c = _build(setup)
    folder, bm = setup
    cov = compute_coverage(bm, c, demand, sc)
    assert cov.matrix.n_demand == demand.n_cells and cov.matrix.n_sites == c.n_columns
    np.testing.assert_allclose(cov.matrix.weights, demand.weights)
    # The existing unit at node (1, 1) sees the cells next to it.
    seen = cov.matrix.covered_rows([0])
    near = np.hypot(demand.x - city.xy(1, 1)[0], demand.y - city.xy(1, 1)[1]) < 13
    assert near.any() and seen[near].all()
    # A covered cell is seen over at least half its length.
    rows, cols = cov.matrix.matrix.nonzero()
    seen_m = cov.seen_m.toarray()[rows, cols]
    assert np.all(seen_m >= 0.5 * demand.length_m[rows] - 1e-6)
    assert len(cov.visibility) == c.n_columns
