import numpy as np
import pytest
import shapely
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from sentinelle.adapters.basemap_store import BasemapStore
from sentinelle.db.tables import Base
from sentinelle.geo.basemap import Basemap
from sentinelle.geo.crs import MetricFrame
from sentinelle.geo.layers import BuildingsLayer, StreetsLayer

FRAME = MetricFrame.from_crs(2154)
X0, Y0 = 351_000.0, 6_790_000.0  # Rennes, Lambert-93


def small_basemap() -> tuple[Basemap, list[dict]]:
    lines = []
    for v in (0, 100, 200):
        lines.append(shapely.LineString([(X0 + v, Y0), (X0 + v, Y0 + 100), (X0 + v, Y0 + 200)]))
        lines.append(shapely.LineString([(X0, Y0 + v), (X0 + 100, Y0 + v), (X0 + 200, Y0 + v)]))
    streets = StreetsLayer(
        lines=FRAME.unproject(np.array(lines, dtype=object)),
        highway=np.array(["residential"] * 5 + ["primary"], dtype=object),
        name=np.array(["Rue A", None, None, None, None, "Boulevard B"], dtype=object),
        points=FRAME.unproject(np.array([shapely.Point(X0 + 100, Y0 + 100)], dtype=object)),
        point_highway=np.array(["traffic_signals"], dtype=object),
    )
    home = shapely.box(X0 + 20, Y0 + 20, X0 + 40, Y0 + 40)
    props = [{"gml_id": "b1", "nb_appart": 12.0}]
    buildings = BuildingsLayer(
        polygons=FRAME.unproject(np.array([home], dtype=object)),
        source_id=np.array(["b1"], dtype=object),
        height_m=np.array([np.nan]),
        usage=np.array([None], dtype=object),
        dwellings=np.array([12.0]),
        properties=props,
        attribution="Ville, bâtiments",
    )
    return Basemap.from_layers(streets, buildings, frame=FRAME), props


def test_base_map_round_trip(db):
    bm, props = small_basemap()
    assert bm.source == "mixed"
    store = BasemapStore(db)
    assert store.load() is None
    counts = store.replace(
        bm, source_files={"streets": "s.geojson", "buildings": "b.geojson"},
        attributions={"streets": "© OpenStreetMap contributors (ODbL)",
                      "buildings": "Ville, bâtiments"},
        building_properties=props,
    )
    assert counts == {"streets": 6, "intersections": 5, "traffic_signals": 1, "buildings": 1,
                      "blocks": 3}
    back = store.load()
    assert back.frame.epsg == 2154
    assert back.source == "mixed"
    assert back.highway.tolist() == bm.highway.tolist()
    assert back.street_name.tolist() == ["Rue A", None, None, None, None, "Boulevard B"]
    assert shapely.length(back.streets).sum() == pytest.approx(1200, abs=0.1)
    # WGS84 stored to 1e-7° (about 1 cm).
    assert shapely.area(back.blocks).sum() == pytest.approx(shapely.area(bm.blocks).sum(), rel=1e-4)
    assert back.building_dwellings.tolist() == [12.0]
    assert back.is_dwelling.tolist() == [True]
    assert len(back.intersections) == 5 and len(back.traffic_signals) == 1
    assert back.attributions == ("© OpenStreetMap contributors (ODbL)", "Ville, bâtiments")
    layers = {lay.layer: lay for lay in store.layers()}
    assert layers["streets"].source_file == "s.geojson"
    assert layers["blocks"].feature_count == 3
    # A second import replaces the first one whole.
    store.replace(bm)
    assert store.load().streets.size == 6


def test_migrations_match_the_tables(db):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
