"""Visibility against GDAL's raster viewshed, preview latency, and city-scale throughput.

Run from the repository root (needs Debian gdal-bin: ``apt-get install -y gdal-bin``)::

    .venv/bin/python bench/visibility_vs_gdal.py [--cameras 200] [--city 1000] [--seed 1]

1. Accuracy and speed against ``gdal_viewshed`` on the real La Motte Brûlon buildings: the
   buildings are rasterised at 0.5 m (10 m high; ground 0), each camera is a 6 m high
   observer with a target height of 9.9 m (just below the roofs, where 2D line of sight and
   GDAL's 3D test agree; with a target height of 0 GDAL widens shadows behind corners).
   GDAL's visible cells are counted inside the head's sector and outside the footprints;
   ours are the polygon areas. GDAL's time includes the rasterisation and one
   ``gdal_viewshed`` run per camera (as an analyst would run it); ours includes building the
   obstacles (dissolve, edges, indexes) and the vectorised visibility of all cameras.
2. Preview latency: one camera (a four-head 360° unit at the detect distance) recomputed
   at a time over Rennes, as the planner's map does during a drag.
3. Throughput: 1,000 such units on Rennes streets over the mixed base map (derived blocks
   except in La Motte Brûlon), and the coverage report on top.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import shutil
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import shapely

from sentinelle.adapters.coverage_report import coverage_report
from sentinelle.geo.basemap import Basemap
from sentinelle.geo.crs import MetricFrame
from sentinelle.geo.dori import PPM, Level, dori_distance_m
from sentinelle.geo.layers import read_buildings, read_streets
from sentinelle.geo.visibility import Heads, Obstacles, compute_visibility, preview_visibility
from sentinelle.registry.camera import Camera

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "rennes"
CELL = 0.5
BUILDING_H, OBSERVER_H, TARGET_H = 10.0, 6.0, 9.9
LENS = {"focal_mm": 2.8, "sensor_width_mm": 5.37, "image_width_px": 2560}


def _envi_window(hdr: Path) -> tuple[float, float, int, int]:
    text = hdr.read_text()
    info = re.search(r"map info = \{([^}]*)\}", text).group(1).split(",")
    ulx, uly = float(info[3]), float(info[4])
    samples = int(re.search(r"samples = (\d+)", text).group(1))
    lines = int(re.search(r"lines\s*= (\d+)", text).group(1))
    return ulx, uly, samples, lines


def cameras_among_buildings(buildings: np.ndarray, n: int, rng: np.random.Generator):
    """Camera positions on open ground among the buildings (≥ 1 m from any footprint)."""
    union = shapely.union_all(buildings)
    minx, miny, maxx, maxy = shapely.total_bounds(buildings)
    blocked = shapely.buffer(union, 1.0)
    shapely.prepare(blocked)
    pts = []
    while len(pts) < n:
        xy = rng.uniform([minx + 40, miny + 40], [maxx - 40, maxy - 40], size=(4 * n, 2))
        ok = ~shapely.contains_xy(blocked, xy[:, 0], xy[:, 1])
        pts.extend(xy[ok].tolist())
    xy = np.array(pts[:n])
    az = rng.uniform(0, 360, n)
    fov = rng.choice([60.0, 90.0, 120.0], n)
    rng_m = rng.uniform(20, 50, n)
    return xy, az, fov, rng_m


def bench_gdal(n: int, seed: int) -> dict:
    frame = MetricFrame.from_crs(2154)
    b = read_buildings(DATA / "rennes_buildings_la_motte_brulon_rm.geojson")
    polys = frame.project(b.polygons)
    rng = np.random.default_rng(seed)
    xy, az, fov, rng_m = cameras_among_buildings(polys, n, rng)

    # Ours: obstacles + all cameras, grid bearings (GDAL works in the grid too).
    t0 = time.perf_counter()
    obs = Obstacles.from_footprints(polys)
    t1 = time.perf_counter()
    heads = Heads.build(xy[:, 0], xy[:, 1], azimuth_deg=az, hfov_deg=fov, range_m=rng_m)
    vis = compute_visibility(obs, heads)
    t2 = time.perf_counter()
    ours_area = vis.areas_m2
    single = []
    for i in range(min(n, 50)):
        s = time.perf_counter()
        compute_visibility(obs, heads.take([i]))
        single.append(time.perf_counter() - s)

    # GDAL: rasterise the buildings at 0.5 m, then one gdal_viewshed per camera.
    tmp = Path(tempfile.mkdtemp(prefix="bench-viewshed-"))
    try:
        src = tmp / "buildings.geojson"
        feats = [{"type": "Feature", "properties": {"h": BUILDING_H},
                  "geometry": json.loads(shapely.to_geojson(p))} for p in polys]
        src.write_text(json.dumps({
            "type": "FeatureCollection", "features": feats,
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2154"}},
        }))
        minx, miny, maxx, maxy = shapely.total_bounds(polys)
        minx, miny = np.floor([minx - 60, miny - 60])
        maxx, maxy = np.ceil([maxx + 60, maxy + 60])
        dsm = tmp / "dsm.tif"
        g0 = time.perf_counter()
        subprocess.run(
            ["gdal_rasterize", "-q", "-a", "h", "-init", "0", "-ot", "Float32",
             "-tr", str(CELL), str(CELL), "-te", str(minx), str(miny), str(maxx), str(maxy),
             str(src), str(dsm)],
            check=True,
        )
        g1 = time.perf_counter()
        # The footprint mask, read from the DSM through a raw copy.
        raw = tmp / "dsm.bin"
        subprocess.run(["gdal_translate", "-q", "-of", "ENVI", str(dsm), str(raw)], check=True)
        width = int(round((maxx - minx) / CELL))
        height = int(round((maxy - miny) / CELL))
        dsm_arr = np.fromfile(raw, dtype=np.float32).reshape(height, width)
        gdal_area = np.zeros(n)
        gdal_times = np.zeros(n)
        for i in range(n):
            out = tmp / f"vs{i}.bin"
            s = time.perf_counter()
            subprocess.run(
                ["gdal_viewshed", "-q", "-f", "ENVI", "-ox", f"{xy[i, 0]:.3f}",
                 "-oy", f"{xy[i, 1]:.3f}", "-oz", str(OBSERVER_H), "-tz", str(TARGET_H),
                 "-md", f"{rng_m[i]:.3f}", "-vv", "1", "-iv", "0", "-ov", "0",
                 str(dsm), str(out)],
                check=True,
            )
            ulx, uly, w, h = _envi_window(out.with_suffix(".hdr"))
            v = np.fromfile(out, dtype=np.uint8).reshape(h, w)
            gdal_times[i] = time.perf_counter() - s
            cx = ulx + (np.arange(w) + 0.5) * CELL
            cy = uly - (np.arange(h) + 0.5) * CELL
            gx, gy = np.meshgrid(cx - xy[i, 0], cy - xy[i, 1])
            bearing = np.degrees(np.arctan2(gx, gy)) % 360
            in_sector = (((bearing - (az[i] - fov[i] / 2)) % 360) <= fov[i]) & (
                np.hypot(gx, gy) <= rng_m[i]
            )
            col0 = int(round((ulx - minx) / CELL))
            row0 = int(round((maxy - uly) / CELL))
            ground = dsm_arr[row0 : row0 + h, col0 : col0 + w] == 0
            gdal_area[i] = ((v == 1) & in_sector & ground).sum() * CELL * CELL
            out.unlink()
            out.with_suffix(".hdr").unlink()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    rel = np.abs(ours_area - gdal_area) / np.maximum(gdal_area, 1e-9)
    ours_per = (t2 - t0) / n
    gdal_per = ((g1 - g0) + gdal_times.sum()) / n
    return {
        "cameras": n,
        "buildings": int(len(polys)),
        "ours_obstacles_s": t1 - t0,
        "ours_visibility_s": t2 - t1,
        "ours_per_camera_ms": 1000 * ours_per,
        "ours_single_call_ms_median": 1000 * float(np.median(single)),
        "gdal_rasterize_s": g1 - g0,
        "gdal_viewshed_s": float(gdal_times.sum()),
        "gdal_per_camera_ms": 1000 * gdal_per,
        "speed_ratio": gdal_per / ours_per,
        "speed_ratio_single_call": gdal_per / float(np.median(single)),
        "area_ours_m2": float(ours_area.sum()),
        "area_gdal_m2": float(gdal_area.sum()),
        "area_total_diff_pct": 100 * float(ours_area.sum() / gdal_area.sum() - 1),
        "area_rel_diff_median_pct": 100 * float(np.median(rel)),
        "area_rel_diff_p95_pct": 100 * float(np.percentile(rel, 95)),
        "within_3pct_share": float((rel <= 0.03).mean()),
        "_worst": [
            (int(i), float(xy[i, 0]), float(xy[i, 1]), float(az[i]), float(fov[i]),
             float(rng_m[i]), float(ours_area[i]), float(gdal_area[i]))
            for i in np.argsort(-rel)[:8]
        ],
    }


def rennes_units(bm: Basemap, n: int, rng: np.random.Generator) -> list[Camera]:
    """`n` four-head 360° units at random points of Rennes streets."""
    lines = bm.public_streets
    lengths = shapely.length(lines)
    pick = rng.choice(lines.size, n, p=lengths / lengths.sum())
    pts = shapely.line_interpolate_point(lines[pick], rng.uniform(0, 1, n), normalized=True)
    lon, lat = bm.frame.to_wgs84(shapely.get_x(pts), shapely.get_y(pts))
    heads = [{"azimuth_deg": a, "hfov_deg": 90, **LENS} for a in (0, 90, 180, 270)]
    return [
        Camera.from_record({"id": f"U{i}", "lon": lon[i], "lat": lat[i], "heads": heads})
        for i in range(n)
    ]


def bench_city(n: int, seed: int, previews: int = 200) -> dict:
    t0 = time.perf_counter()
    bm = Basemap.from_layers(
        read_streets(DATA / "rennes_osm_highways_2013.geojson"),
        read_buildings(DATA / "rennes_buildings_la_motte_brulon_rm.geojson"),
    )
    obs = bm.obstacles
    t1 = time.perf_counter()
    rng = np.random.default_rng(seed)
    detect = float(dori_distance_m(LENS["focal_mm"], LENS["image_width_px"],
                                   LENS["sensor_width_mm"], PPM[Level.detect]))
    # Preview: one unit at a time (4 heads, detect distance).
    cams = rennes_units(bm, previews, rng)
    heads = [{"azimuth_deg": a, "hfov_deg": 90} for a in (0, 90, 180, 270)]
    lat_ms = []
    for c in cams:
        s = time.perf_counter()
        preview_visibility(obs, bm.frame, lon=c.lon, lat=c.lat, heads=heads, range_m=detect)
        lat_ms.append(1000 * (time.perf_counter() - s))
    # Throughput: n units, observe (default) and detect distances.
    cams = rennes_units(bm, n, rng)
    out = {"basemap_build_s": t1 - t0, "blocks": int(bm.blocks.size),
           "obstacle_edges": obs.n_edges, "preview_ms_p50": float(np.percentile(lat_ms, 50)),
           "preview_ms_p95": float(np.percentile(lat_ms, 95)),
           "preview_ms_max": float(np.max(lat_ms))}
    for level in (Level.observe, Level.detect):
        s = time.perf_counter()
        rep = coverage_report(cams, bm, [], level=level)
        el = time.perf_counter() - s
        out[f"city_{level.value}_s"] = el
        out[f"city_{level.value}_cameras_per_s"] = n / el
        out[f"city_{level.value}_covered_pct"] = rep.network.covered_pct
    # Visibility alone (no coverage figures), detect distance.
    from sentinelle.adapters.camera_heads import heads_from_cameras

    ch = heads_from_cameras(cams, bm.frame, level=Level.detect)
    s = time.perf_counter()
    vis = compute_visibility(obs, ch.heads)
    vis.by_camera(n)
    out["city_detect_visibility_only_cameras_per_s"] = n / (time.perf_counter() - s)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cameras", type=int, default=200)
    ap.add_argument("--city", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if shutil.which("gdal_viewshed") is None:
        raise SystemExit("gdal_viewshed not found: apt-get install -y gdal-bin")
    print(f"# {datetime.now(UTC).isoformat(timespec='seconds')}  {platform.platform()}  "
          f"python {platform.python_version()}")
    print(subprocess.run(["gdalinfo", "--version"], capture_output=True, text=True)
          .stdout.strip())
    g = bench_gdal(args.cameras, args.seed)
    print(f"\n## Visibility vs gdal_viewshed, {g['cameras']} cameras, "
          f"{g['buildings']} La Motte Brûlon buildings, {CELL} m raster")
    worst = g.pop("_worst")
    for k, v in g.items():
        print(f"{k:34s} {v:.4g}" if isinstance(v, float) else f"{k:34s} {v}")
    print("largest differences (i, x, y, azimuth, hfov, range, ours m², gdal m²):")
    for w in worst:
        print("  " + "  ".join(f"{v:.1f}" if isinstance(v, float) else str(v) for v in w))
    print(f"\nper camera: sentinelle {g['ours_per_camera_ms']:.2f} ms, gdal "
          f"{g['gdal_per_camera_ms']:.1f} ms → {g['speed_ratio']:.0f}× faster "
          f"(single calls: {g['speed_ratio_single_call']:.0f}×)")
    c = bench_city(args.city, args.seed)
    print(f"\n## Rennes, {args.city} four-head units, mixed base map")
    for k, v in c.items():
        print(f"{k:42s} {v:.4g}" if isinstance(v, float) else f"{k:42s} {v}")


if __name__ == "__main__":
    main()
