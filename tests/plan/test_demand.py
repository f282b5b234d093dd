"""Priorities: every cell's weight is the sum of explainable, hand-checkable contributions."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from sentinelle.errors import InputError
from sentinelle.plan.demand import build_demand, kernel_density
from sentinelle.plan.scenario import parse_scenario
from tests.plan import city


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("city")
    city.write_files(folder)
    return folder


@pytest.fixture(scope="module")
def basemap():
    return city.basemap()


def _scenario(folder, text=city.SCENARIO):
    return parse_scenario(text, base_dir=folder)


def _cell_at(demand, x, y):
    """Index of the cell whose midpoint is nearest (x, y)."""
    return int(np.argmin(np.hypot(demand.x - x, demand.y - y)))


def test_weights_are_the_sum_of_their_explained_contributions(files, basemap):
    d = build_demand(basemap, city.zones(), _scenario(files))
    assert d.length_m.sum() == pytest.approx(40 * 100.0, abs=0.01)  # 40 segments of 100 m
    assert d.length_m.max() <= 25 + 1e-6
    np.testing.assert_allclose(d.weights, d.contributions.sum(axis=1))
    expected = (d.length_m / 25.0)[:, None] * d.values * d.coefficients[None, :]
    np.testing.assert_allclose(d.contributions, expected)
    assert np.all((d.values >= 0) & (d.values <= 1))
    for i in (0, 17, 93):
        assert sum(d.explain(i).values()) == pytest.approx(d.weights[i])
    assert set(d.criteria) == {"base", "incidents", "qpv", "intersection", "traffic_signals",
                               "population", "metro"}


def test_weights_are_reproducible(files, basemap):
    a = build_demand(basemap, city.zones(), _scenario(files))
    b = build_demand(city.basemap(), city.zones(), _scenario(files))
    np.testing.assert_array_equal(a.contributions, b.contributions)


def test_criteria_by_hand(files, basemap):
    d = build_demand(basemap, city.zones(), _scenario(files))
    col = {c: k for k, c in enumerate(d.criteria)}
    x0, y0 = city.xy(0, 0)
    # Cell from node (0, 1) eastwards, first 25 m: midpoint 12.5 m east of the node.
    i = _cell_at(d, x0 + 12.5, y0 + 100)
    assert d.values[i, col["base"]] == 1
    assert d.values[i, col["qpv"]] == 1  # the west half is the QPV
    assert d.values[i, col["intersection"]] == 1  # node (0, 1) is an intersection
    assert d.values[i, col["traffic_signals"]] == 0
    # Population: square (0, 0) holds 100 residents; 95th percentile of 100..400 is 385.
    assert d.values[i, col["population"]] == pytest.approx(100 / 385)
    assert d.contributions[i, col["qpv"]] == pytest.approx(2.0 * 25 / 25)
    # Second cell of the same street (37.5 m from the node): no intersection within 15 m.
    k = _cell_at(d, x0 + 37.5, y0 + 100)
    assert d.values[k, col["intersection"]] == 0
    # Next to the traffic signal at node (2, 2), outside the QPV.
    x2, y2 = city.xy(2, 2)
    s = _cell_at(d, x2 + 12.5, y2)
    assert d.values[s, col["traffic_signals"]] == 1 and d.values[s, col["qpv"]] == 0
    # Metro station at node (3, 3): 12.5 m away, linear decay over 120 m.
    x3, y3 = city.xy(3, 3)
    m = _cell_at(d, x3 + 12.5, y3)
    assert d.values[m, col["metro"]] == pytest.approx(1 - 12.5 / 120)
    far = _cell_at(d, x0 + 12.5, y0)
    assert d.values[far, col["metro"]] == 0
    # Incidents cluster at (1, 3): the densest cells are there.
    top = int(np.argmax(d.values[:, col["incidents"]]))
    assert np.hypot(d.x[top] - city.xy(1, 3)[0], d.y[top] - city.xy(1, 3)[1]) < 30


def test_kernel_density_by_hand():
    # Two incidents of weight 1 at x = 0 and x = 100, bandwidth 50: at x = 0 the density is
    # 1 + exp(-100² / (2·50²)) = 1 + e^-2, at x = 50 it is 2·e^-0.5; normalised by the max.
    x = np.array([0.0, 50.0, 1000.0])
    y = np.zeros(3)
    dens = kernel_density(x, y, np.array([0.0, 100.0]), np.zeros(2), np.ones(2),
                          bandwidth_m=50.0)
    raw = np.array([1 + np.exp(-2), 2 * np.exp(-0.5), 0.0])
    np.testing.assert_allclose(dens, raw / raw.max())


def test_zone_rates_without_incidents(files, basemap):
    (files / "rates.csv").write_text("kind,name,rate\nqpv,Ouest,10\nquartier,Nord,5\n")
    text = city.SCENARIO.replace('incidents_file = "incidents.csv"',
                                 'zone_rates_file = "rates.csv"')
    d = build_demand(basemap, city.zones(), _scenario(files, text))
    col = d.criteria.index("incidents")
    west = _cell_at(d, city.xy(0, 0)[0] + 12.5, city.xy(0, 3)[1])
    north_east = _cell_at(d, city.xy(3, 0)[0] + 12.5, city.xy(0, 3)[1])
    south_east = _cell_at(d, city.xy(3, 0)[0] + 12.5, city.xy(0, 1)[1])
    assert d.values[west, col] == 1.0
    assert d.values[north_east, col] == 0.5
    assert d.values[south_east, col] == 0.0


def test_no_incident_data_is_said(files, basemap):
    text = city.SCENARIO.replace('incidents_file = "incidents.csv"\n', "")
    d = build_demand(basemap, city.zones(), _scenario(files, text))
    assert np.all(d.values[:, d.criteria.index("incidents")] == 0)
    assert any("faits" in n for n in d.notes)


def test_bad_incident_file_names_line_and_column(files, basemap):
    (files / "bad.csv").write_text("lon,lat\n-1.6,48.1\nabc,48.1\n")
    text = city.SCENARIO.replace('"incidents.csv"', '"bad.csv"')
    with pytest.raises(InputError, match=r"bad.csv, line 3, field `lon`: not a number"):
        build_demand(basemap, city.zones(), _scenario(files, text))


def test_cells_are_at_most_the_cell_length(files, basemap):
    text = city.SCENARIO.replace("[demand]\n", "[demand]\ncell_length_m = 10\n")
    d = build_demand(basemap, city.zones(), _scenario(files, text))
    assert shapely.length(d.cells).max() <= 10 + 1e-9
