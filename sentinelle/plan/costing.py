"""Storage, control-room staffing and costs: formulas a reader can redo by hand.

Storage (per stream: one per head, a multi-sensor unit of four heads records four streams)::

    useful bytes = bitrate_Mbps × 10⁶ / 8 × 86,400 s × retention_days × recording_share
    raw bytes    = useful bytes × redundancy        (1 TB = 10¹² bytes)

CSU staffing (full-time equivalents, FTE), from the public benchmark of about 12 operators per
100 cameras watched 24 hours a day, 7 days a week, scaled to the hours of operation::

    FTE = operators_per_100_24_7 × (cameras × live_share / 100) × (hours/day × days/week / 168)

Live positions (workstations) = ceil(cameras × live_share / cameras_per_position).

Costs: every default is either a public French figure (`SOURCES`, cited in the document) or an
assumption said as such, to be replaced by the city's own prices.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sentinelle.plan.scenario import Csu, Scenario, Storage

__all__ = [
    "BENCHMARKS",
    "SOURCES",
    "Staffing",
    "StorageNeed",
    "csu_staffing",
    "storage_need",
]

SECONDS_PER_DAY = 86_400
HOURS_PER_WEEK = 168
BYTES_PER_TB = 1e12

SOURCES: dict[str, str] = {
    "cdc2011": (
        "Cour des comptes (2011), « L'organisation et la gestion des forces de sécurité "
        "publique », rapport public thématique : 36 600 € par caméra installée et 7 400 € par "
        "caméra et par an de fonctionnement."
    ),
    "mi2013": (
        "Ministère de l'Intérieur (2013) : coût moyen d'une caméra de 13 800 € en zone police "
        "et de 8 650 € en zone gendarmerie."
    ),
    "maintenance": (
        "Maintenance : de 2 à 8 % de l'investissement par an (fourchette des chiffres publics "
        "français)."
    ),
    "csu": (
        "Repère public : environ 12 opérateurs (équivalents temps plein) pour 100 caméras "
        "visionnées 24 h/24 et 7 j/7."
    ),
    "csi": (
        "Code de la sécurité intérieure, art. L252-5 : les enregistrements sont détruits dans "
        "un délai maximum d'un mois (30 jours retenus au plus)."
    ),
    "dori": (
        "NF EN 62676-4:2015 : densités de pixels DORI — détecter 25, observer 62,5, reconnaître "
        "125, identifier 250 pixels par mètre."
    ),
    "assumption": (
        "Hypothèse Sentinelle (prix indicatif), à remplacer par les prix du marché de la ville."
    ),
}
"""Sources of the default figures, in French, as cited in the Schéma Directeur."""

BENCHMARKS: dict[str, tuple[float, str, str]] = {
    "cdc2011_capex": (36_600.0, "€ par caméra installée", "cdc2011"),
    "cdc2011_opex": (7_400.0, "€ par caméra et par an", "cdc2011"),
    "mi2013_police": (13_800.0, "€ par caméra, zone police", "mi2013"),
    "mi2013_gendarmerie": (8_650.0, "€ par caméra, zone gendarmerie", "mi2013"),
}
"""Public figures the plan's own costs are compared with: (value, unit, source key)."""


@dataclass(frozen=True)
class StorageNeed:
    """Recording capacity for a set of streams.

    Attributes
    ----------
    streams
        Number of video streams recorded.
    useful_tb
        Capacity the recordings fill (TB, 10¹² bytes).
    raw_tb
        Capacity to install, redundancy included.
    cost_eur
        Raw capacity × cost per TB.
    """

    streams: int
    useful_tb: float
    raw_tb: float
    cost_eur: float


def storage_need(streams: NDArray, bitrate_mbps: NDArray, storage: Storage) -> StorageNeed:
    """Storage for streams at their bitrates (see the module docstring for the formula).

    Parameters
    ----------
    streams
        Streams of each camera.
    bitrate_mbps
        Bitrate of each camera's streams.
    storage
        Retention, recording share, redundancy, cost per TB.

    Examples
    --------
    One 4 Mbit/s stream for 30 days: 4e6 / 8 × 86,400 × 30 = 1.296 TB.

    >>> from sentinelle.plan.scenario import Storage
    >>> s = storage_need(np.array([1]), np.array([4.0]), Storage(redundancy=1.0))
    >>> round(s.useful_tb, 3)
    1.296
    """
    streams = np.asarray(streams, float)
    rate = np.asarray(bitrate_mbps, float)
    bytes_per_s = float(np.sum(streams * rate)) * 1e6 / 8
    useful = bytes_per_s * SECONDS_PER_DAY * storage.retention_days * storage.recording_share
    useful_tb = useful / BYTES_PER_TB
    raw_tb = useful_tb * storage.redundancy
    return StorageNeed(
        streams=int(streams.sum()),
        useful_tb=useful_tb,
        raw_tb=raw_tb,
        cost_eur=raw_tb * storage.cost_per_tb_eur,
    )


@dataclass(frozen=True)
class Staffing:
    """CSU staffing for a number of cameras.

    Attributes
    ----------
    cameras
        Cameras of the network.
    watched
        Cameras watched live (cameras × live share).
    hours_per_week
        Hours of operation per week.
    fte
        Operators, in full-time equivalents.
    positions
        Live positions (workstations) needed.
    cost_eur
        Yearly cost of the operators.
    """

    cameras: int
    watched: float
    hours_per_week: float
    fte: float
    positions: int
    cost_eur: float


def csu_staffing(cameras: int, csu: Csu, *, fte_cost_eur: float) -> Staffing:
    """Operators and positions for `cameras` (see the module docstring for the formula).

    Examples
    --------
    160 cameras watched 24/7 at 12 per 100: 19.2 FTE.

    >>> from sentinelle.plan.scenario import Csu
    >>> csu_staffing(160, Csu(), fte_cost_eur=45_000).fte
    19.2
    """
    watched = cameras * csu.live_share
    hours = csu.hours_per_day * csu.days_per_week
    fte = csu.operators_per_100_24_7 * watched / 100 * hours / HOURS_PER_WEEK
    fte = round(fte, 6)
    positions = math.ceil(watched / csu.cameras_per_position - 1e-9) if watched > 0 else 0
    return Staffing(
        cameras=int(cameras),
        watched=watched,
        hours_per_week=hours,
        fte=fte,
        positions=positions,
        cost_eur=fte * fte_cost_eur,
    )


def phasing_cost(site_cost: NDArray, streams: NDArray, bitrate_mbps: NDArray,
                 scenario: Scenario) -> NDArray:
    """Cost of adding each site in the programme: the site, its storage and its CSU share.

    The storage share is the site's raw capacity × cost per TB; the CSU share is a live
    position's cost over the cameras it follows (× the live share). Linear, so a year's spend
    is the sum of its sites'.
    """
    st = scenario.storage
    per_stream_tb = (
        np.asarray(bitrate_mbps, float) * 1e6 / 8 * SECONDS_PER_DAY * st.retention_days
        * st.recording_share / BYTES_PER_TB * st.redundancy
    )
    storage = np.asarray(streams, float) * per_stream_tb * st.cost_per_tb_eur
    csu = scenario.costs.csu_position_eur * scenario.csu.live_share / (
        scenario.csu.cameras_per_position
    )
    return np.asarray(site_cost, float) + storage + csu
