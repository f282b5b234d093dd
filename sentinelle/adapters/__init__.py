"""Glue between the registry, the database and `geo`.

`geo` works on arrays and geometries and knows nothing of cameras or tables; these modules
turn registry cameras into head arrays, store and load the base map, and assemble the
coverage report that the CLI, the web app and the master plan share.
"""
