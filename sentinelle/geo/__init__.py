"""Geometry of the network: metric frame, base map, fields of view, visibility, DORI, coverage.

Works on numpy arrays of shapely geometries in a metric CRS; depends on nothing else of
Sentinelle's (the glue from cameras and tables lives in `sentinelle.adapters`).
"""
