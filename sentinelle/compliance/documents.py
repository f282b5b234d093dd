"""The pieces of an authorisation file (LEGAL.md R06, R27, R28).

Each piece is recorded with its kind, title, version and date; the AIPD carries the date of the
DPO's opinion. A piece with no authorisation belongs to the whole network (a network-wide AIPD,
the record-of-processing entry of the commune).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class DocumentKind(StrEnum):
    """Kinds of file pieces (French names are the prefecture's)."""

    rapport_presentation = "rapport_presentation"
    plan_masse = "plan_masse"
    plan_detail = "plan_detail"
    description_technique = "description_technique"
    personnes_habilitees = "personnes_habilitees"
    modele_signalisation = "modele_signalisation"
    aipd = "aipd"
    engagement_conformite = "engagement_conformite"
    registre_traitements = "registre_traitements"


LABELS_FR: dict[DocumentKind, str] = {
    DocumentKind.rapport_presentation: "Rapport de présentation",
    DocumentKind.plan_masse: "Plan de masse (bâtiments tiers et ouvertures)",
    DocumentKind.plan_detail: "Plan de détail (nombre, emplacement et zones couvertes)",
    DocumentKind.description_technique: "Description technique du système",
    DocumentKind.personnes_habilitees: "Qualité des personnes ayant accès aux images",
    DocumentKind.modele_signalisation: "Modèle de panneau d'information",
    DocumentKind.aipd: "Analyse d'impact relative à la protection des données (AIPD)",
    DocumentKind.engagement_conformite: "Engagement de conformité (CNIL)",
    DocumentKind.registre_traitements: "Fiche du registre des activités de traitement",
}

#: Pieces every authorisation file needs (R06: R252-3 2013 numbering; instruction of
#: 20 March 2024 for the AIPD and the compliance undertaking).
REQUIRED_PIECES: tuple[DocumentKind, ...] = (
    DocumentKind.rapport_presentation,
    DocumentKind.plan_masse,
    DocumentKind.plan_detail,
    DocumentKind.description_technique,
    DocumentKind.personnes_habilitees,
    DocumentKind.modele_signalisation,
    DocumentKind.aipd,
    DocumentKind.engagement_conformite,
)


@dataclass(frozen=True)
class Document:
    """One file piece, as stored."""

    id: int
    authorisation: str | None
    kind: DocumentKind
    title: str
    version: str | None
    doc_date: date
    dpo_opinion_date: date | None
    location: str | None
    added_at: datetime
    added_by: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "authorisation": self.authorisation,
            "kind": str(self.kind),
            "kind_fr": LABELS_FR[self.kind],
            "title": self.title,
            "version": self.version,
            "doc_date": self.doc_date.isoformat(),
            "dpo_opinion_date": self.dpo_opinion_date.isoformat()
            if self.dpo_opinion_date else None,
            "location": self.location,
            "added_at": self.added_at.isoformat(),
            "added_by": self.added_by,
        }


def pieces_for(documents: list[Document], authorisation: str | None) -> list[Document]:
    """The pieces of one authorisation's file (network-wide pieces included)."""
    return [d for d in documents if d.authorisation in (authorisation, None)]


def missing_pieces(documents: list[Document], authorisation: str) -> list[DocumentKind]:
    """Required kinds with no piece in `authorisation`'s file (network-wide ones count)."""
    have = {d.kind for d in pieces_for(documents, authorisation)}
    return [k for k in REQUIRED_PIECES if k not in have]
