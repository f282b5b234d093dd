"""The closed list of purposes (finalités) of CSI L251-2 (LEGAL.md R04).

A camera's purposes are codes of this list; an authorisation lists those it allows.
"""

from __future__ import annotations

from enum import StrEnum


class Purpose(StrEnum):
    """The 11 purposes of CSI L251-2, 1° to 11°."""

    PROTECTION_BATIMENTS_PUBLICS = "PROTECTION_BATIMENTS_PUBLICS"
    DEFENSE_NATIONALE = "DEFENSE_NATIONALE"
    REGULATION_FLUX_TRANSPORT = "REGULATION_FLUX_TRANSPORT"
    INFRACTIONS_CIRCULATION = "INFRACTIONS_CIRCULATION"
    PREVENTION_ATTEINTES_PERSONNES_BIENS = "PREVENTION_ATTEINTES_PERSONNES_BIENS"
    TERRORISME = "TERRORISME"
    RISQUES_NATURELS_TECHNO = "RISQUES_NATURELS_TECHNO"
    SECOURS_INCENDIE = "SECOURS_INCENDIE"
    PARCS_ATTRACTION = "PARCS_ATTRACTION"
    ASSURANCE_VEHICULE = "ASSURANCE_VEHICULE"
    DEPOTS_DECHETS = "DEPOTS_DECHETS"


LABELS_FR: dict[Purpose, str] = {
    Purpose.PROTECTION_BATIMENTS_PUBLICS: (
        "Protection des bâtiments et installations publics et de leurs abords"
    ),
    Purpose.DEFENSE_NATIONALE: "Sauvegarde des installations utiles à la défense nationale",
    Purpose.REGULATION_FLUX_TRANSPORT: "Régulation des flux de transport",
    Purpose.INFRACTIONS_CIRCULATION: "Constatation des infractions aux règles de la circulation",
    Purpose.PREVENTION_ATTEINTES_PERSONNES_BIENS: (
        "Prévention des atteintes à la sécurité des personnes et des biens"
    ),
    Purpose.TERRORISME: "Prévention des actes de terrorisme",
    Purpose.RISQUES_NATURELS_TECHNO: "Prévention des risques naturels ou technologiques",
    Purpose.SECOURS_INCENDIE: "Secours aux personnes et défense contre l'incendie",
    Purpose.PARCS_ATTRACTION: (
        "Sécurité des installations accueillant du public dans les parcs d'attraction"
    ),
    Purpose.ASSURANCE_VEHICULE: "Respect de l'obligation d'être assuré pour circuler",
    Purpose.DEPOTS_DECHETS: (
        "Prévention et constatation des infractions relatives aux dépôts d'ordures"
    ),
}


def parse_purposes(value: str | list[str] | None) -> list[Purpose]:
    """Purposes from a list or a text separated by `;`, `,` or `|`.

    Raises ValueError naming the unknown code and listing the valid ones.
    """
    if value is None:
        return []
    if isinstance(value, str):
        for sep in ",|":
            value = value.replace(sep, ";")
        items = [v.strip() for v in value.split(";")]
    else:
        items = [str(v).strip() for v in value]
    out: list[Purpose] = []
    for item in items:
        if not item:
            continue
        try:
            p = Purpose(item.upper())
        except ValueError:
            valid = ", ".join(p.value for p in Purpose)
            msg = f"'{item}' is not a purpose of CSI L251-2; valid codes: {valid}"
            raise ValueError(msg) from None
        if p not in out:
            out.append(p)
    return out
