"""Storage, staffing and per-site costs against hand computations."""

from __future__ import annotations

import numpy as np
import pytest

from sentinelle.plan.costing import SOURCES, csu_staffing, phasing_cost, storage_need
from sentinelle.plan.scenario import Csu, Storage, parse_scenario
from tests.plan.test_scenario import MINIMAL


def test_one_stream_for_thirty_days():
    # 4 Mbit/s = 500,000 B/s; × 86,400 s × 30 days = 1.296e12 B = 1.296 TB.
    s = storage_need(np.array([1]), np.array([4.0]), Storage(redundancy=1.0, cost_per_tb_eur=100))
    assert s.streams == 1
    assert s.useful_tb == pytest.approx(1.296)
    assert s.raw_tb == pytest.approx(1.296)
    assert s.cost_eur == pytest.approx(129.6)


def test_network_storage_with_redundancy_and_share():
    # 22 four-head units at 4 Mbit/s and 10 fixed cameras at 6 Mbit/s, 14 days, recorded
    # 50 % of the time, redundancy 1.25:
    # (88 × 4 + 10 × 6) Mbit/s = 412 Mbit/s = 51.5 MB/s; × 86,400 × 14 × 0.5 = 31.1472 TB;
    # raw 38.934 TB; at 250 €/TB: 9,733.5 €.
    streams = np.array([4] * 22 + [1] * 10)
    rate = np.array([4.0] * 22 + [6.0] * 10)
    st = Storage(retention_days=14, recording_share=0.5, redundancy=1.25, cost_per_tb_eur=250)
    s = storage_need(streams, rate, st)
    assert s.streams == 98
    assert s.useful_tb == pytest.approx(31.1472)
    assert s.raw_tb == pytest.approx(38.934)
    assert s.cost_eur == pytest.approx(9733.5)


def test_staffing_matches_the_public_benchmark():
    # 12 operators per 100 cameras watched 24/7: 160 cameras -> 19.2 FTE.
    s = csu_staffing(160, Csu(), fte_cost_eur=45_000)
    assert s.fte == pytest.approx(19.2)
    assert s.cost_eur == pytest.approx(19.2 * 45_000)
    assert s.hours_per_week == 168
    assert s.positions == 4  # ceil(160 / 40)


def test_staffing_scales_with_hours_and_live_share():
    # 16 h a day, 6 days a week, 75 % watched live: 12 × (100 × 0.75 / 100) × 96 / 168.
    csu = Csu(hours_per_day=16, days_per_week=6, live_share=0.75, cameras_per_position=30)
    s = csu_staffing(100, csu, fte_cost_eur=40_000)
    assert s.watched == pytest.approx(75)
    assert s.fte == pytest.approx(12 * 0.75 * 96 / 168)
    assert s.positions == 3  # ceil(75 / 30)
    assert csu_staffing(0, csu, fte_cost_eur=1).positions == 0


def test_phasing_cost_adds_storage_and_csu_shares():
    sc = parse_scenario(MINIMAL + "\n[storage]\nredundancy = 1.0\ncost_per_tb_eur = 100\n")
    # One 4-head unit at 4 Mbit/s: 4 × 1.296 TB × 100 € = 518.4 €; CSU share 15,000 / 40.
    cost = phasing_cost(np.array([10_000.0]), np.array([4]), np.array([4.0]), sc)
    assert cost[0] == pytest.approx(10_000 + 518.4 + 15_000 / 40)


def test_every_public_figure_has_its_source():
    for key in ("cdc2011", "mi2013", "maintenance", "csu", "csi"):
        assert key in SOURCES
    assert "36 600" in SOURCES["cdc2011"] and "7 400" in SOURCES["cdc2011"]
    assert "13 800" in SOURCES["mi2013"] and "8 650" in SOURCES["mi2013"]
    assert "2 à 8 %" in SOURCES["maintenance"]
