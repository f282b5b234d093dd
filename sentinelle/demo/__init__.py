"""The Rennes demo city, built from the data shipped in `sentinelle/data/rennes`."""
