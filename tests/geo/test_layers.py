import json

import numpy as np
import osmium
import pytest

from sentinelle.errors import InputError
from sentinelle.geo.layers import OSM_ATTRIBUTION, read_buildings, read_streets


def _fc(features):
    return {"type": "FeatureCollection", "features": features}


def _feat(geom_type, coords, **props):
    return {"type": "Feature", "properties": props,
            "geometry": {"type": geom_type, "coordinates": coords}}


def test_streets_from_osm_geojson_keep_class_name_and_tagged_nodes(tmp_path):
    path = tmp_path / "streets.geojson"
    path.write_text(json.dumps(_fc([
        _feat("LineString", [[-1.68, 48.11], [-1.679, 48.11]], highway="residential",
              name="Rue de la Motte"),
        _feat("MultiLineString", [[[-1.68, 48.11], [-1.68, 48.111]],
                                  [[-1.68, 48.112], [-1.68, 48.113]]], highway="primary"),
        _feat("LineString", [[-1.6, 48.1], [-1.61, 48.1]], railway="rail"),
        _feat("Point", [-1.68, 48.11], highway="traffic_signals"),
        _feat("Point", [-1.68, 48.12], source="cadastre"),
    ])))
    st = read_streets(path)
    assert st.highway.tolist() == ["residential", "primary", "primary"]
    assert st.name.tolist() == ["Rue de la Motte", None, None]
    assert st.point_highway.tolist() == ["traffic_signals"]
    assert st.attribution == OSM_ATTRIBUTION


def test_streets_from_osm_pbf(tmp_path):
    path = tmp_path / "streets.osm.pbf"
    w = osmium.SimpleWriter(str(path))
    w.add_node(osmium.osm.mutable.Node(id=1, location=(-1.68, 48.11),
                                       tags={"highway": "traffic_signals"}))
    w.add_node(osmium.osm.mutable.Node(id=2, location=(-1.679, 48.11)))
    w.add_node(osmium.osm.mutable.Node(id=3, location=(-1.679, 48.111)))
    w.add_way(osmium.osm.mutable.Way(id=10, nodes=[1, 2, 3],
                                     tags={"highway": "residential", "name": "Rue X"}))
    w.add_way(osmium.osm.mutable.Way(id=11, nodes=[2, 3], tags={"building": "yes"}))
    w.close()
    st = read_streets(path)
    assert st.highway.tolist() == ["residential"]
    assert st.name.tolist() == ["Rue X"]
    assert len(st.lines[0].coords) == 3
    assert st.point_highway.tolist() == ["traffic_signals"]


def test_a_layer_without_highway_is_refused_by_name(tmp_path):
    path = tmp_path / "roads.geojson"
    path.write_text(json.dumps(_fc([_feat("LineString", [[0, 0], [1, 1]], kind="road")])))
    with pytest.raises(InputError, match=r"roads.geojson, field `highway`"):
        read_streets(path)


def test_buildings_keep_height_usage_and_dwellings(tmp_path):
    sq = [[[-1.68, 48.11], [-1.6799, 48.11], [-1.6799, 48.1101], [-1.68, 48.1101],
           [-1.68, 48.11]]]
    path = tmp_path / "b.geojson"
    path.write_text(json.dumps(_fc([
        _feat("Polygon", sq, gml_id="b1", nb_maison=1.0, nb_appart=0.0, hauteur="7,5"),
        _feat("Polygon", sq, gml_id="b2", nb_maison=None, nb_appart=None),
        _feat("Polygon", sq, gml_id="b3", nb_maison=0.0, nb_appart=12.0),
    ])))
    b = read_buildings(path)
    assert b.source_id.tolist() == ["b1", "b2", "b3"]
    assert b.height_m[0] == 7.5 and np.isnan(b.height_m[1])
    assert b.dwellings[0] == 1 and np.isnan(b.dwellings[1]) and b.dwellings[2] == 12
    assert b.is_dwelling.tolist() == [True, False, True]
    assert b.properties[2]["nb_appart"] == 12.0


def test_residential_usage_makes_a_dwelling(tmp_path):
    sq = [[[0, 45], [0.001, 45], [0.001, 45.001], [0, 45]]]
    path = tmp_path / "b.geojson"
    path.write_text(json.dumps(_fc([_feat("Polygon", sq, usage="Résidentiel"),
                                    _feat("Polygon", sq, usage="Commercial")])))
    assert read_buildings(path).is_dwelling.tolist() == [True, False]


def test_bad_building_field_names_file_feature_and_field(tmp_path):
    sq = [[[0, 45], [0.001, 45], [0.001, 45.001], [0, 45]]]
    path = tmp_path / "b.geojson"
    path.write_text(json.dumps(_fc([_feat("Polygon", sq, height="12"),
                                    _feat("Polygon", sq, height="tall")])))
    with pytest.raises(InputError, match=r"b.geojson, line 2, field `height`: 'tall' is not"):
        read_buildings(path)
    path.write_text(json.dumps(_fc([_feat("Point", [0, 45])])))
    with pytest.raises(InputError, match=r"line 1, field `geometry`.*\(Point\)"):
        read_buildings(path)
    with pytest.raises(InputError, match="file not found"):
        read_buildings(tmp_path / "missing.geojson")
