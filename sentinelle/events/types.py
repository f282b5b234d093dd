"""The eight event types of décret 2023-828 art. 3, with the names R31 uses."""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    """An event type of the décret (the spelling of LEGAL.md R31)."""

    objet_abandonne = "objet_abandonne"
    arme = "arme"
    contresens = "contresens"
    zone_interdite = "zone_interdite"
    personne_au_sol = "personne_au_sol"
    mouvement_de_foule = "mouvement_de_foule"
    densite_excessive = "densite_excessive"
    depart_de_feu = "depart_de_feu"


ALL_EVENTS: tuple[str, ...] = tuple(e.value for e in EventType)

#: Types this version cannot detect, and why: they are listed, never faked.
UNAVAILABLE: dict[str, str] = {
    EventType.arme: "no weapon-detection model ships with Sentinelle (COCO has no weapon "
                    "class); not detected",
    EventType.depart_de_feu: "no fire or smoke model ships with Sentinelle; not detected",
}

#: Types detected on tracks by `sentinelle.events.detectors`.
AVAILABLE: tuple[str, ...] = tuple(e for e in ALL_EVENTS if e not in UNAVAILABLE)

LABELS_FR: dict[str, str] = {
    EventType.objet_abandonne: "Objet abandonné",
    EventType.arme: "Présence ou usage d'arme",
    EventType.contresens: "Personne ou véhicule à contresens",
    EventType.zone_interdite: "Intrusion en zone interdite ou sensible",
    EventType.personne_au_sol: "Personne au sol",
    EventType.mouvement_de_foule: "Mouvement de foule",
    EventType.densite_excessive: "Densité excessive",
    EventType.depart_de_feu: "Départ de feu",
}


def parse_events(value: str | list[str], *, where: str = "--events") -> tuple[str, ...]:
    """`"zone_interdite,contresens"` → the event types, each checked against the décret's list.

    Raises InputError naming the unknown type(s).
    """
    from sentinelle.errors import InputError

    items = value.split(",") if isinstance(value, str) else list(value)
    names = [i.strip() for i in items if i.strip()]
    if not names:
        raise InputError(f"{where}: give at least one event type among {', '.join(ALL_EVENTS)}")
    bad = [n for n in names if n not in ALL_EVENTS]
    if bad:
        raise InputError(f"{where}: `{'`, `'.join(bad)}` not an event type of décret 2023-828 "
                         f"(allowed: {', '.join(ALL_EVENTS)})")
    return tuple(dict.fromkeys(names))
