"""The signage register: sign positions and their content checklist (LEGAL.md R23).

The public is told "clearly and permanently" of the system and of who runs it (CSI L251-3).
Each sign's content is checked against the two-level information of the instruction of
20 March 2024: camera pictogram, controller identity, purposes, rights and contact (and a link
to the full notice, recommended).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

#: checklist item → French label; the first four are required, the link is recommended.
CHECKLIST_FR: dict[str, str] = {
    "pictogram": "pictogramme de caméra",
    "controller": "identité du responsable du traitement",
    "purposes": "finalités",
    "rights_contact": "droits et contact (nom/qualité, téléphone)",
    "notice_link": "lien vers l'information complète",
}
REQUIRED_ITEMS: tuple[str, ...] = ("pictogram", "controller", "purposes", "rights_contact")

#: A camera counts as signed when a sign names it, or stands within this distance (metres).
DEFAULT_SIGN_RADIUS_M = 150.0


@dataclass(frozen=True)
class Sign:
    """One sign of the register."""

    id: int
    name: str
    lon: float
    lat: float
    camera_ids: tuple[str, ...] = ()
    pictogram: bool = False
    controller: bool = False
    purposes: bool = False
    rights_contact: bool = False
    notice_link: bool = False
    photo_date: date | None = None

    def missing_items(self) -> list[str]:
        """Required checklist items this sign lacks."""
        return [k for k in REQUIRED_ITEMS if not getattr(self, k)]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "lon": self.lon, "lat": self.lat,
            "camera_ids": list(self.camera_ids),
            **{k: getattr(self, k) for k in CHECKLIST_FR},
            "photo_date": self.photo_date.isoformat() if self.photo_date else None,
            "missing": self.missing_items(),
        }


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine; enough at city scale)."""
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def signs_for_camera(
    signs: list[Sign], camera_id: str, lon: float, lat: float, *,
    radius_m: float = DEFAULT_SIGN_RADIUS_M,
) -> list[Sign]:
    """Signs that inform the public of one camera: named on the sign, or within `radius_m`."""
    return [s for s in signs
            if camera_id in s.camera_ids or distance_m(lon, lat, s.lon, s.lat) <= radius_m]
