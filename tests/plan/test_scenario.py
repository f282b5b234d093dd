"""Scenario files: defaults, validation errors that name the file, the line and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentinelle.errors import InputError
from sentinelle.plan.scenario import load_scenario, parse_scenario, resolve_path
from tests.plan import city

ROOT = Path(__file__).resolve().parents[2]

MINIMAL = """
[[models]]
name = "multi"
label = "Multicapteur"
kind = "multisensor"
heads = 4
hfov_deg = 90
focal_mm = 2.8
sensor_width_mm = 5.37
range_m = 20
resolutions = [{ label = "4 MP", width_px = 2560, bitrate_mbps = 4.0 }]

[siting]
new_cameras = 10
"""


def test_minimal_scenario_takes_the_documented_defaults():
    sc = parse_scenario(MINIMAL)
    assert sc.siting.new_cameras == 10
    assert sc.demand.cell_length_m == 25
    assert sc.storage.retention_days == 30
    assert sc.costs.camera_installed_eur == 13_800
    assert sc.csu.operators_per_100_24_7 == 12
    assert sc.phasing.start_year == 2026 and sc.phasing.years == 5
    assert sc.dori.default.value == "observe"


def test_rennes_example_is_valid():
    sc = load_scenario(ROOT / "examples" / "rennes.toml")
    assert sc.siting.new_cameras == 138
    assert {m.kind.value for m in sc.models} == {"multisensor", "fixed", "ptz"}
    assert resolve_path("rennes:metro_stations", None).exists()
    assert sc.path(sc.demand.population_file).exists()


def test_test_city_scenario_is_valid(tmp_path):
    sc = parse_scenario(city.SCENARIO, base_dir=tmp_path)
    assert sc.path("metro.geojson") == tmp_path / "metro.geojson"


def _error(text: str, tmp_path: Path) -> InputError:
    p = tmp_path / "bad.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scenario(p)
    return info.value


def test_unknown_key_names_file_line_and_key(tmp_path):
    text = MINIMAL.replace("new_cameras = 10", "new_cameras = 10\nnew_camera = 3")
    err = _error(text, tmp_path)
    e = err.errors[0]
    assert e.file.endswith("bad.toml")
    assert e.field == "siting.new_camera"
    assert e.line == text.splitlines().index("new_camera = 3") + 1
    assert "unknown key" in e.reason


def test_bad_value_in_an_array_of_tables(tmp_path):
    text = MINIMAL.replace('kind = "multisensor"', 'kind = "drone"')
    err = _error(text, tmp_path)
    assert err.errors[0].field == "models[0].kind"
    assert err.errors[0].line == text.splitlines().index('kind = "drone"') + 1


def test_retention_beyond_one_month_is_refused(tmp_path):
    err = _error(MINIMAL + "\n[storage]\nretention_days = 45\n", tmp_path)
    assert err.errors[0].field == "storage.retention_days"
    assert "30" in err.errors[0].reason


def test_toml_syntax_error_gives_the_line(tmp_path):
    err = _error(MINIMAL + "\n[siting\n", tmp_path)
    assert err.errors[0].line is not None and "not valid TOML" in err.errors[0].reason


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (MINIMAL.replace("new_cameras = 10", "time_limit_s = 5"), "give new_cameras"),
        (MINIMAL.replace("heads = 4", "heads = 1"), "at least 2 heads"),
        (MINIMAL + '\n[dori]\n[[dori.rules]]\nsensitive = "metro"\nlevel = "identify"\n',
         "not in demand.sensitive"),
        (MINIMAL + '\n[[siting.minimums]]\nzone_kind = "qpv"\nshare = 1.5\n', "less than or"),
        (MINIMAL.replace("[siting]", "[siting]\nexcluded_zones = ['Centre']"), "kind:name"),
    ],
)
def test_invalid_scenarios_are_explained(text, words, tmp_path):
    assert words in str(_error(text, tmp_path))


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        load_scenario(tmp_path / "nope.toml")


def test_packaged_rennes_scenario_is_the_example():
    packaged = ROOT / "sentinelle" / "data" / "scenarios" / "rennes.toml"
    example = ROOT / "examples" / "rennes.toml"
    assert packaged.read_text(encoding="utf-8") == example.read_text(encoding="utf-8")
