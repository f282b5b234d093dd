"""Sentinelle: plan, operate, account for and evaluate a city's video-protection network."""

__version__ = "0.1.0"
