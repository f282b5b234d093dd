"""The compliance rules on exports and transmissions of footage (LEGAL.md R12, R13, R20, R22).

Pure functions of a `Snapshot`, like those of `compliance.rules` (which lists them in
``RULES``). They read the register of transmissions (``snapshot.transmissions``) and the
``export`` entries of the audit log (``snapshot.export_entries``). Retention under legal holds
(R11) belongs with the holds.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from sentinelle.compliance.findings import Finding, Severity
from sentinelle.compliance.snapshot import Snapshot

V, W, I = Severity.violation, Severity.warning, Severity.info  # noqa: E741

LEGAL_REFS = {
    "R12": "CSI L252-3",
    "R13": "CSI R252-11 al. 1 (numérotation 2013)",
    "R20": "Arrêté du 3 août 2007, art. 3",
    "R22": "CSI L252-3, L252-5 ; Cass. crim. (réquisition ou habilitation)",
}
LAWFUL_BASES = ("requisition_judiciaire", "destinataire_L252-3")
#: A right-of-access export is re-encoded with third parties blurred (never lossless).
REDACTED_BASIS = "droit_acces_rgpd"


def _f(rule: str, sev: Severity, stype: str, sid: str, msg: str, **ev: object) -> Finding:
    return Finding(rule=rule, legal_ref=LEGAL_REFS[rule], severity=sev, subject_type=stype,
                   subject_id=sid, message=msg, evidence=dict(ev))


def r12_recipient_copies(s: Snapshot) -> list[Finding]:
    """A designated recipient's copy is kept one month at most: remind once the date passed."""
    out = []
    end_of_day = datetime.combine(s.today, time.max, tzinfo=UTC)
    for t in s.transmissions:
        if t.legal_basis == "destinataire_L252-3" and t.delete_by is None:
            out.append(_f("R12", V, "transmission", str(t.id),
                          "Transmission à un destinataire L252-3 sans date de destruction de "
                          "la copie.", camera=t.camera_id, recipient=t.recipient))
        elif t.delete_by is not None and t.delete_by <= end_of_day:
            out.append(_f("R12", I, "transmission", str(t.id),
                          f"La copie remise à « {t.recipient} » devait être détruite au plus "
                          f"tard le {t.delete_by.date().isoformat()} : obtenir la confirmation "
                          "du destinataire (sauf procédure pénale).",
                          camera=t.camera_id, delete_by=t.delete_by.isoformat()))
    return out


def r13_register_of_transmissions(s: Snapshot) -> list[Finding]:
    """Every export is in the register of transmissions, and every row has its audit entry."""
    out = []
    by_seq = {t.audit_seq: t for t in s.transmissions if t.audit_seq is not None}
    seqs = {e.seq for e in s.export_entries}
    for e in s.export_entries:
        if e.outcome == "ok" and e.seq not in by_seq:
            out.append(_f("R13", V, "audit_entry", str(e.seq),
                          "Export inscrit au journal d'audit mais absent du registre des "
                          "transmissions.", camera=e.object_id, actor=e.actor,
                          at=e.ts.isoformat()))
    for t in s.transmissions:
        if t.audit_seq is None or t.audit_seq not in seqs:
            out.append(_f("R13", V, "transmission", str(t.id),
                          "Transmission au registre sans entrée « export » correspondante au "
                          "journal d'audit.", camera=t.camera_id, audit_seq=t.audit_seq))
    return out


def r20_lossless(s: Snapshot) -> list[Finding]:
    """Exports are lossless (no re-encoding) and their manifest hash is registered; only a
    right-of-access export is re-encoded (third parties blurred, R22)."""
    out = []
    for t in s.transmissions:
        if t.reencoded and t.legal_basis != REDACTED_BASIS:
            out.append(_f("R20", V, "transmission", str(t.id),
                          "Export réencodé : perte de qualité interdite pour la police ou la "
                          "justice.", camera=t.camera_id, legal_basis=t.legal_basis))
        if not t.manifest_sha256 or len(t.manifest_sha256) != 64:
            out.append(_f("R20", V, "transmission", str(t.id),
                          "Empreinte SHA-256 du manifeste absente du registre.",
                          camera=t.camera_id))
    return out


def r22_lawful_recipients(s: Snapshot) -> list[Finding]:
    """Exports only on a lawful basis: requisition (with its number), designated recipient,
    or an access request with third parties blurred."""
    out = []
    for t in s.transmissions:
        ev = {"camera": t.camera_id, "legal_basis": t.legal_basis,
              "at": t.transmitted_at.isoformat()}
        if t.legal_basis == REDACTED_BASIS and not t.reencoded:
            out.append(_f("R22", V, "transmission", str(t.id),
                          "Export au titre du droit d'accès sans floutage des tiers.", **ev))
        elif t.legal_basis == REDACTED_BASIS:
            continue
        elif t.legal_basis not in LAWFUL_BASES:
            out.append(_f("R22", V, "transmission", str(t.id),
                          f"Export sans base légale admise (« {t.legal_basis} »).", **ev))
        elif t.legal_basis == "requisition_judiciaire" and not t.requisition_ref:
            out.append(_f("R22", V, "transmission", str(t.id),
                          "Export judiciaire sans numéro de réquisition.", **ev))
        elif t.legal_basis == "destinataire_L252-3" and not t.recipient:
            out.append(_f("R22", V, "transmission", str(t.id),
                          "Export à un destinataire L252-3 non nommé.", **ev))
        elif t.legal_basis == "requisition_judiciaire":
            req = s.export_requisitions.get(t.requisition_ref or "")
            if req is not None and getattr(req, "incomplete", False):
                out.append(_f("R22", W, "transmission", str(t.id),
                              f"Réquisition « {t.requisition_ref} » incomplète (autorité, "
                              "officier ou pièce manquants) : compléter le dossier.",
                              requisition=t.requisition_ref, **ev))
    for e in s.export_entries:
        if e.outcome == "ok" and e.legal_basis not in (*LAWFUL_BASES, "droit_acces_rgpd"):
            out.append(_f("R22", V, "audit_entry", str(e.seq),
                          f"Export au journal sans base légale admise (« {e.legal_basis} »).",
                          camera=e.object_id, actor=e.actor))
    return out
