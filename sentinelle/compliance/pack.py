"""The inspection pack (LEGAL.md R29): one document for the prefecture, the CDVP or the CNIL.

In French, HTML and PDF: authorisations, camera inventory with a map, privacy masks, retention
settings, registers (file pieces, signs, prefect notifications), audit log summary and its
verification, habilitations with training, and the findings of every rule. Stream URLs and
secrets never enter it; agents appear by their account name, as the audit log records them.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

import numpy as np

from sentinelle.compliance.documents import LABELS_FR as DOC_LABELS
from sentinelle.compliance.findings import Finding, summary
from sentinelle.compliance.rules import RULES, run_rules
from sentinelle.compliance.signage import CHECKLIST_FR
from sentinelle.compliance.snapshot import Snapshot, load_snapshot
from sentinelle.registry.purposes import LABELS_FR as PURPOSE_LABELS

SEVERITY_FR = {"violation": "manquement", "warning": "avertissement", "info": "information"}


def _table(headers: list[str], rows: list[list[Any]], empty: str = "Aucun élément.") -> str:
    if not rows:
        return f"<p><em>{escape(empty)}</em></p>"
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape('' if v is None else str(v))}</td>"
                                    for v in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _map_html(s: Snapshot) -> str:
    """A static map of the cameras (and their masks), in a local metric frame."""
    import shapely

    from sentinelle.geo.crs import MetricFrame
    from sentinelle.reports import MapLayer, figure_img, static_map

    cams = [c for c in s.cameras if str(c.status) != "removed"]
    if not cams:
        return "<p><em>Aucune caméra.</em></p>"
    pts = np.array([shapely.Point(c.lon, c.lat) for c in cams], dtype=object)
    lon, lat = [c.lon for c in cams], [c.lat for c in cams]
    frame = MetricFrame.for_bounds((min(lon), min(lat), max(lon), max(lat)))
    layers = []
    if s.masks:
        layers.append(MapLayer(frame.project(np.array([m.geometry for m in s.masks], object)),
                               label="Masques de confidentialité", facecolor="#555555",
                               alpha=0.6))
    layers.append(MapLayer(frame.project(pts), label="Caméras", facecolor="#1f5fa8",
                           edgecolor="#1f5fa8", markersize=18, zorder=3))
    if len(layers) == 1:  # static_map takes the first layer as the base map
        layers.insert(0, MapLayer(frame.project(pts), label=None, edgecolor="none",
                                  markersize=0.1))
    import matplotlib.pyplot as plt

    fig = static_map(layers, title="Inventaire des caméras",
                     attribution="Positions : registre de la commune", size_in=(8.0, 6.0))
    html = figure_img(fig, alt="Carte des caméras du réseau et des masques de confidentialité",
                      caption="Caméras (points bleus) et masques de confidentialité (gris).")
    plt.close(fig)
    return html


def build_sections(s: Snapshot, findings: list[Finding], *, audit: dict[str, Any] | None
                   ) -> list[Any]:
    """The pack's sections, in French."""
    from sentinelle.reports import Section

    auths = [[a.reference, str(a.type), a.issued.isoformat(), a.expires.isoformat(),
              "oui" if a.in_force(s.today) else "non", a.authority,
              "; ".join(PURPOSE_LABELS[p] for p in a.purposes), a.max_retention_days,
              a.min_retention_days, len(a.cameras)] for a in s.authorisations]
    cams = [[c.id, c.name, {"in_service": "en service", "planned": "projetée",
                            "out_of_service": "hors service", "removed": "retirée"}
             .get(str(c.status), str(c.status)), f"{c.lon:.5f}", f"{c.lat:.5f}",
             ", ".join(f"{h.azimuth_deg:g}°" for h in c.heads if h.azimuth_deg is not None),
             "; ".join(PURPOSE_LABELS[p] for p in c.purposes), c.authorisation or "aucune",
             "oui" if c.assumed else "non"] for c in s.cameras]
    masks = [[m.id, m.camera_id, m.mode, m.geometry.geom_type, m.note,
              m.added_at.date().isoformat()] for m in s.masks]
    dw_rows = []
    for cid, views in sorted((s.dwellings or {}).items()):
        for v in views:
            dw_rows.append([cid, v.building_id, v.dwellings, f"{v.facade_m:.0f}"])
    retention = []
    for c in s.cameras:
        a = s.authorisation(c.authorisation)
        cfg = s.configs.get(c.id)
        retention.append([c.id, c.retention_days, a.max_retention_days if a else None,
                          a.min_retention_days if a else None,
                          cfg.retention_days if cfg else None,
                          cfg.observed_on.isoformat() if cfg else None])
    docs = [[d.authorisation or "réseau", DOC_LABELS[d.kind], d.title, d.version,
             d.doc_date.isoformat(), d.dpo_opinion_date.isoformat() if d.dpo_opinion_date
             else None] for d in s.documents]
    signs = [[g.id, g.name, f"{g.lon:.5f}", f"{g.lat:.5f}", ", ".join(g.camera_ids),
              ", ".join(CHECKLIST_FR[k] for k in g.missing_items()) or "complet",
              g.photo_date.isoformat() if g.photo_date else None] for g in s.signs]
    notes = [[n.camera_id, n.kind, n.notified_on.isoformat(), n.authorisation, n.reference]
             for n in s.notifications]
    habs = [[h.id, h.username, ", ".join(str(r) for r in h.rights),
             "toutes" if h.all_cameras else ", ".join(h.camera_ids + h.zones),
             h.authorisation, h.territory, h.valid_from.isoformat(),
             h.valid_until.isoformat(), h.training_date.isoformat(),
             h.refresher_due.isoformat(), h.state(s.today)] for h in s.habilitations]
    counts = summary(findings)
    by_rule = Counter((f.rule, str(f.severity)) for f in findings)
    rule_rows = [[code, r.title_fr, r.legal_ref, by_rule[(code, "violation")],
                  by_rule[(code, "warning")], by_rule[(code, "info")]]
                 for code, r in RULES.items()]
    finding_rows = [[f.rule, SEVERITY_FR[str(f.severity)], f"{f.subject_type} {f.subject_id}",
                     f.message, f.legal_ref] for f in findings]
    if audit is None:
        audit_html = "<p><em>Journal d'audit non lu.</em></p>"
    else:
        v = audit["verification"]
        state = "intègre" if v["ok"] else f"ALTÉRÉ ({escape(str(v.get('problem')))})"
        audit_html = (f"<p>Vérification de la chaîne d'empreintes : <strong>{state}</strong> "
                      f"({v['entries']} entrées).</p>"
                      + _table(["Action", "Résultat", "Entrées"],
                               [[a, o, n] for (a, o), n in sorted(audit["by_action"].items())]))
    return [
        Section("Synthèse",
                f"<p>État au {s.today.isoformat()} : <strong>{counts['violation']}</strong> "
                f"manquement(s), {counts['warning']} avertissement(s), {counts['info']} "
                "information(s). Les règles signalent ; elles ne bloquent aucune opération.</p>"
                + _table(["Règle", "Objet", "Référence", "Manquements", "Avertissements",
                          "Infos"], rule_rows)),
        Section("Autorisations préfectorales",
                _table(["Référence", "Type", "Délivrée", "Échéance", "En vigueur", "Autorité",
                        "Finalités", "Conservation max. (j)", "Conservation min. (j)",
                        "Caméras"], auths, "Aucune autorisation au dossier.")),
        Section("Inventaire des caméras",
                _map_html(s) + _table(["Caméra", "Nom", "Statut", "Longitude", "Latitude",
                                       "Orientation", "Finalités", "Autorisation",
                                       "Position supposée"], cams)),
        Section("Masques de confidentialité",
                _table(["N°", "Caméra", "Mode", "Géométrie", "Note", "Ajouté le"], masks,
                       "Aucun masque enregistré.")
                + "<h3>Habitations dans le champ des caméras</h3>"
                + (_table(["Caméra", "Bâtiment", "Logements", "Façade vue (m)"], dw_rows,
                          "Aucune habitation dans le champ des caméras.")
                   if s.dwellings is not None else
                   "<p><em>Non calculé : aucun fond de plan avec bâtiments.</em></p>")),
        Section("Durées de conservation",
                _table(["Caméra", "Registre (j)", "Maximum autorisé (j)", "Minimum (j)",
                        "Constaté sur l'équipement (j)", "Relevé le"], retention)),
        Section("Registres",
                "<h3>Pièces des dossiers</h3>"
                + _table(["Autorisation", "Pièce", "Titre", "Version", "Date", "Avis du DPD"],
                         docs, "Aucune pièce enregistrée.")
                + "<h3>Panneaux d'information</h3>"
                + _table(["N°", "Nom", "Longitude", "Latitude", "Caméras", "Contenu manquant",
                          "Photo"], signs, "Aucun panneau enregistré.")
                + "<h3>Notifications au préfet</h3>"
                + _table(["Caméra", "Objet", "Date", "Autorisation", "Référence"], notes,
                         "Aucune notification enregistrée.")),
        Section("Journal d'audit", audit_html),
        Section("Habilitations et formation",
                _table(["N°", "Compte", "Droits", "Caméras", "Autorisation", "Territoire",
                        "Du", "Au", "Formation", "Recyclage dû", "État"], habs,
                       "Aucune habilitation.")),
        Section("Constats", _table(["Règle", "Gravité", "Objet", "Constat", "Référence"],
                                   finding_rows, "Aucun constat.")),
    ]


def _audit_summary(db: Any, keys: Any) -> dict[str, Any]:
    from sentinelle.access.audit import AuditLog

    log = AuditLog(db, keys)
    by_action: Counter = Counter()
    for e in log.entries(limit=None):
        by_action[(e.action, e.outcome)] += 1
    return {"verification": log.verify().as_dict(), "by_action": dict(by_action)}


def write_pack(db: Any, keys: Any, out: str | Path, *, today: date, pdf: bool = True
               ) -> list[Path]:
    """Write ``dossier_inspection.html`` (and ``.pdf``) and ``constats.json`` into `out`."""
    from sentinelle.reports import render_page, render_pdf

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    snap = load_snapshot(db, keys, today=today)
    findings = run_rules(snap)
    html = render_page(
        "Dossier d'inspection de la vidéoprotection",
        build_sections(snap, findings, audit=_audit_summary(db, keys)),
        subtitle=f"État au {today.isoformat()} — pour la préfecture, la CDVP ou la CNIL",
        issued=today,
    )
    files = [out / "dossier_inspection.html", out / "constats.json"]
    files[0].write_text(html, encoding="utf-8")
    files[1].write_text(json.dumps({"today": today.isoformat(),
                                    "findings": [f.as_dict() for f in findings],
                                    "summary": summary(findings)}, ensure_ascii=False,
                                   indent=2), encoding="utf-8")
    if pdf:
        files.append(render_pdf(html, out / "dossier_inspection.pdf"))
    return files
