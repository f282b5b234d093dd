"""Command-line interface: a typer root with one sub-app per domain (thin wrappers)."""
