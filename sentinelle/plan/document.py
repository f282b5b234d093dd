"""The Schéma Directeur de vidéoprotection as an HTML page and a PDF (WeasyPrint), in French.

Sections: synthesis; diagnosis of the existing network; priorities; proposed sites with their
justification; coverage before and after; phasing; technology; storage; CSU organisation;
budget; indicators to collect from day one; compliance pre-check (views reaching dwellings);
method, limits and sources. Maps and charts are PNG data URIs (nothing is fetched).
"""

from __future__ import annotations

import html
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from sentinelle.geo.dori import PPM
from sentinelle.plan import doc_figures as figs
from sentinelle.plan.costing import BENCHMARKS, SOURCES
from sentinelle.plan.masterplan import MasterPlan
from sentinelle.reports import figure_to_data_uri, render_pdf

__all__ = ["render_document", "write_document"]

LEVEL_FR = {"detect": "détecter", "observe": "observer", "recognise": "reconnaître",
            "identify": "identifier"}
KIND_FR = {"fixed": "fixe", "ptz": "dôme mobile (PTZ)", "multisensor": "multicapteur 360°"}
PLACE_FR = {"intersection": "carrefour", "street": "rue", "user": "site de la ville",
            "existing": "existant"}
STATUS_FR = {"optimal": "optimum prouvé", "time_limit": "limite de temps atteinte (écart prouvé)",
             "infeasible": "infaisable"}
NBSP = "\u202f"


def fr(x: float | None, digits: int = 0) -> str:
    """A number the French way: narrow spaces between thousands, decimal comma."""
    if x is None:
        return "—"
    s = f"{x:,.{digits}f}"
    return s.replace(",", NBSP).replace(".", ",")


def eur(x: float | None) -> str:
    """Euros, rounded to the euro."""
    return "—" if x is None else f"{fr(x)}{NBSP}€"


def pct(x: float | None, digits: int = 1) -> str:
    """A percentage from a value already in percent."""
    return "—" if x is None else f"{fr(x, digits)}{NBSP}%"


def esc(v: Any) -> str:
    """HTML-escaped text."""
    return html.escape("" if v is None else str(v))


def _img(fig, alt: str, cls: str = "figure") -> str:
    if fig is None:
        return ""
    fig.tight_layout()  # keeps the legends drawn outside the axes inside the image
    uri = figure_to_data_uri(fig, dpi=170)
    return f'<img class="{cls}" src="{uri}" alt="{esc(alt)}">'


def _table(head: list[str], rows: list[list[str]], cls: str = "") -> str:
    th = "".join(f"<th>{h}</th>" for h in head)
    def td(c: str) -> str:
        return f'<td class="n">{c}</td>' if c.startswith('<span class="n">') else f"<td>{c}</td>"

    body = "".join("<tr>" + "".join(td(c) for c in r) + "</tr>" for r in rows)
    return f'<table class="{cls}"><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>'


CSS = """
@page { size: A4; margin: 16mm 15mm 18mm 15mm;
  @bottom-left { content: string(doctitle); font-size: 8pt; color: #555; }
  @bottom-right { content: "Page " counter(page) " / " counter(pages); font-size: 8pt;
                  color: #555; } }
@page :first { @bottom-left { content: none; } }
@page wide { size: A4 landscape; margin: 12mm 12mm 15mm 12mm; }
section.wide { page: wide; }
html { font-family: "DejaVu Sans", "Liberation Sans", sans-serif; font-size: 10pt;
       color: #1a1a1a; line-height: 1.35; }
h1 { font-size: 17pt; color: #0d3b66; margin: 0 0 6pt 0; page-break-before: always;
     border-bottom: 2px solid #0d3b66; padding-bottom: 3pt; }
h1.first, h1.flow { page-break-before: avoid; margin-top: 16pt; }
h2 { font-size: 12.5pt; color: #0d3b66; margin: 12pt 0 4pt 0; }
p { margin: 3pt 0 6pt 0; }
.cover { text-align: left; }
.cover .title { font-size: 26pt; font-weight: bold; color: #0d3b66; margin-top: 40mm;
                string-set: doctitle content(); }
.cover .city { font-size: 16pt; margin-top: 6pt; }
.cover .sub { font-size: 11pt; color: #444; margin-top: 4pt; }
.keyfigs { display: flex; flex-wrap: wrap; gap: 6pt; margin: 18pt 0; }
.kf { border: 1px solid #0d3b66; border-radius: 4pt; padding: 6pt 8pt; width: 52mm; }
.kf b { display: block; font-size: 16pt; color: #0d3b66; }
.kf span { font-size: 9pt; color: #333; }
.honesty { border-left: 4px solid #e65100; background: #fff3e0; padding: 6pt 8pt;
           font-size: 9.5pt; margin: 8pt 0; }
.note { font-size: 9pt; color: #444; }
img.figure { display: block; width: 100%; max-height: 132mm; object-fit: contain; margin: 4pt 0; }
img.chart { display: block; width: 100%; margin: 2pt 0; }
img.big { display: block; width: 100%; max-height: 185mm; object-fit: contain; margin: 4pt 0; }
img.tall { display: block; width: 100%; max-height: 240mm; object-fit: contain; margin: 4pt 0; }
table { border-collapse: collapse; width: 100%; font-size: 8.8pt; margin: 4pt 0 8pt 0; }
thead { display: table-header-group; }
th { background: #0d3b66; color: white; text-align: left; padding: 2.5pt 4pt;
     font-weight: bold; }
td { border-bottom: 0.5pt solid #bbb; padding: 2pt 4pt; vertical-align: top; }
tr { page-break-inside: avoid; }
td.n, th.n { text-align: right; white-space: nowrap; }
table.sites { font-size: 7.6pt; }
table.sites td { padding: 1.2pt 3pt; }
table.sites td:nth-child(3) { max-width: 70mm; }
table.sites .note { font-size: inherit; }
.tot td { font-weight: bold; border-top: 1pt solid #333; }
ul { margin: 2pt 0 6pt 0; padding-left: 14pt; }
li { margin: 1.5pt 0; }
.formula { font-family: "DejaVu Sans Mono", monospace; font-size: 9pt; background: #f3f3f3;
           padding: 4pt 6pt; margin: 4pt 0 8pt 0; }
.src { font-size: 8.5pt; }
.two { display: flex; gap: 10pt; } .two > div { flex: 1; }
"""


def _n(x: float | None, digits: int = 0) -> str:
    return f'<span class="n">{fr(x, digits)}</span>'


def render_document(mp: MasterPlan, *, today: date | None = None) -> str:
    """The whole document as one HTML string (self-contained).

    Parameters
    ----------
    mp
        The master plan.
    today
        Date printed on the cover (default: today).
    """
    today = today or date.today()
    parts = [
        _cover(mp, today),
        _synthesis(mp),
        _diagnosis(mp),
        _priorities(mp),
        _sites(mp),
        _coverage(mp),
        _phasing(mp),
        _technology(mp),
        _storage_csu(mp),
        _budget(mp),
        _indicators(mp),
        _compliance(mp),
        _method(mp),
    ]
    title = esc(mp.scenario.scenario.name)
    return (
        f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{CSS}</style></head><body>{''.join(parts)}</body></html>"
    )


def write_document(mp: MasterPlan, folder: str | Path, *, pdf: bool = True,
                   today: date | None = None) -> tuple[Path, Path | None]:
    """Write ``schema-directeur.html`` (and ``schema-directeur.pdf``) in `folder`."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    text = render_document(mp, today=today)
    html_path = out / "schema-directeur.html"
    html_path.write_text(text, encoding="utf-8")
    pdf_path = render_pdf(text, out / "schema-directeur.pdf") if pdf else None
    return html_path, pdf_path


# --- helpers on the plan ------------------------------------------------------------------


def _honesty(mp: MasterPlan) -> str:
    notes = list(mp.scenario.scenario.notes)
    if any(c.assumed for c in mp.cameras):
        notes.insert(0, "Le réseau existant comporte des caméras dont la position ou le modèle "
                        "est supposé (marquées « assumed » dans le registre) : les chiffres "
                        "« avant » en dépendent.")
    if not notes:
        return ""
    return '<div class="honesty">' + "<br>".join(esc(n) for n in notes) + "</div>"


def _zone_rows(mp: MasterPlan, kind: str) -> list[tuple[dict, dict]]:
    before = {z["name"]: z for z in mp.before["zones"] if z["kind"] == kind}
    after = {z["name"]: z for z in mp.after["zones"] if z["kind"] == kind}
    return [(before[n], after[n]) for n in before if before[n]["street_m"] > 0]


def _share(mp: MasterPlan, kind: str, name: str) -> dict[str, Any] | None:
    for r in mp.weight_share:
        if r["kind"] == kind and r["name"] == name:
            return r
    return None


def _top_criteria(mp: MasterPlan, j: int, k: int = 3) -> str:
    just = mp.justification.get(j, {})
    total = sum(just.values())
    if total <= 0:
        return "—"
    label = dict(zip(mp.demand.criteria, mp.demand.labels, strict=True))
    top = sorted(((v, c) for c, v in just.items() if v > 0), reverse=True)[:k]
    return ", ".join(f"{esc(label[c])} {fr(100 * v / total)}{NBSP}%" for v, c in top)


# --- sections -----------------------------------------------------------------------------


def _cover(mp: MasterPlan, today: date) -> str:
    s = mp.scenario.scenario
    net_b, net_a = mp.before["network"], mp.after["network"]
    n_before = mp.candidates.n_existing
    n_after = n_before + len(mp.new_sites)
    b = mp.budget
    total_share = mp.weight_share[0]
    kf = [
        (f"{n_before} → {n_after}", "caméras (un multicapteur compte pour une)"),
        (f"{pct(net_b['covered_pct'])} → {pct(net_a['covered_pct'])}",
         "des rues vues (longueur)"),
        (f"{pct(100 * total_share['before'])} → {pct(100 * total_share['after'])}",
         "du poids de priorité couvert"),
        (eur(b["total_eur"]), f"coût total sur {len(b['years'])} ans"),
        (eur(b["full_cost_per_camera_year_eur"]), "coût complet par caméra et par an"),
        (STATUS_FR.get(mp.result.status.value, mp.result.status.value),
         f"écart à l'optimum ≤ {pct(100 * (mp.result.gap or 0), 2)}"),
    ]
    boxes = "".join(f'<div class="kf"><b>{esc(v)}</b><span>{esc(t)}</span></div>' for v, t in kf)
    return (
        '<section class="cover">'
        f'<div class="title">{esc(s.name)}</div>'
        f'<div class="city">{esc(s.city)}</div>'
        f'<div class="sub">{esc(s.author)} — {today.strftime("%d/%m/%Y")}</div>'
        f'<div class="keyfigs">{boxes}</div>'
        f"{_honesty(mp)}"
        '<p class="note">Document produit par Sentinelle à partir du scénario et des données '
        "du registre ; chaque chiffre est recalculable (plan.json, sites.geojson). Les coûts "
        "par défaut sont des chiffres publics cités en fin de document ou des hypothèses "
        "signalées comme telles.</p>"
        "</section>"
    )


def _synthesis(mp: MasterPlan) -> str:
    r = mp.result
    qpv = _zone_rows(mp, "qpv")
    qpv_txt = "; ".join(
        f"{esc(b['name'])} {pct(b['covered_pct'])} → {pct(a['covered_pct'])}" for b, a in qpv
    )
    b = mp.budget
    years = mp.programme.years
    items = [
        f"<b>{len(mp.new_sites)} nouvelles caméras</b> proposées s'ajoutent aux "
        f"{mp.candidates.n_existing} existantes, choisies parmi "
        f"{fr(mp.candidates.n_columns - mp.candidates.n_existing)} "
        f"possibilités (emplacement × modèle × orientation) pour couvrir le plus de rues "
        "prioritaires.",
        f"Choix <b>{STATUS_FR.get(r.status.value, r.status.value)}</b> : la solution couvre "
        f"{fr(r.objective, 1)} points de priorité, la meilleure possible au plus "
        f"{fr(r.bound, 1)} (écart {pct(100 * (r.gap or 0), 2)}).",
        f"Couverture des rues des QPV (avant → après) : {qpv_txt}." if qpv else "",
        f"Programme {years[0].year}–{years[-1].year} : "
        + ", ".join(f"{y.year} : {len(y.sites)}" for y in years)
        + (f" ; {len(mp.programme.left_over)} site(s) au-delà de l'horizon budgétaire"
           if mp.programme.left_over else "") + ".",
        f"Coût sur la période : {eur(b['capex_total_eur'])} d'investissement et "
        f"{eur(b['opex_total_eur'])} de fonctionnement ; coût complet "
        f"{eur(b['full_cost_per_camera_year_eur'])} par caméra et par an en fin de programme.",
        f"Centre de supervision : {fr(mp.staffing_after.fte, 1)} opérateurs (ETP) pour "
        f"{mp.staffing_after.cameras} caméras ({fr(mp.staffing_after.hours_per_week)} h par "
        f"semaine) ; stockage {fr(mp.storage_after.raw_tb, 1)} To bruts pour "
        f"{mp.scenario.storage.retention_days} jours de conservation.",
    ]
    dw = sum(1 for v in mp.dwellings.values() if v["buildings"] > 0)
    blocks = sum(1 for v in mp.dwellings.values() if v["derived_blocks"] and v["buildings"] == 0)
    items.append(
        f"Conformité : {dw} site(s) voient des façades d'immeubles d'habitation connus "
        f"(masquage à prévoir) ; {blocks} autre(s) font face à des îlots dont l'usage n'est pas "
        "connu (à vérifier sur place)."
    )
    lis = "".join(f"<li>{i}</li>" for i in items if i)
    return f'<h1>Synthèse</h1><ul>{lis}</ul>'


def _diagnosis(mp: MasterPlan) -> str:
    net = mp.before["network"]
    rows = []
    for kind, title in (("qpv", "Quartiers prioritaires (QPV)"), ("quartier", "Quartiers")):
        zr = _zone_rows(mp, kind)
        if not zr:
            continue
        body = []
        for b, _a in zr:
            sh = _share(mp, kind, b["name"])
            body.append([
                esc(b["name"]), _n(b["street_m"] / 1000, 1), _n(b["covered_m"]),
                _n(b["covered_pct"], 1), _n(b["cameras"]),
                _n(100 * sh["before"], 1) if sh else "—",
            ])
        rows.append(f"<h2>{title}</h2>" + _table(
            ["Zone", "Rues (km)", "Rues vues (m)", "Couverture (%)", "Caméras",
             "Priorité couverte (%)"], body))
    return (
        "<h1>1. Diagnostic du réseau existant</h1>"
        f"<p>Le réseau compte <b>{mp.candidates.n_existing} caméras</b>. Elles voient "
        f"{fr(net['covered_m'] / 1000, 1)} km de rues sur {fr(net['street_m'] / 1000, 1)} km "
        f"({pct(net['covered_pct'], 2)}) et {net['intersections_covered']} carrefours sur "
        f"{net['intersections']}. La vue de chaque caméra tient compte des bâtiments qui la "
        f"masquent (source de l'occultation : {esc(mp.basemap.source)}) et s'arrête à la "
        "distance où l'image permet encore d'observer (norme EN 62676-4).</p>"
        + _img(figs.existing_map(mp), "Carte du réseau existant")
        + _honesty(mp) + "".join(rows)
    )


def _priorities(mp: MasterPlan) -> str:
    d = mp.demand
    totals = d.totals()
    whole = sum(totals.values()) or 1.0
    sens = {s.name: s for s in mp.scenario.demand.sensitive}
    rows = []
    for name, label, coef in zip(d.criteria, d.labels, d.coefficients, strict=True):
        how = {
            "base": "chaque tronçon de rue",
            "incidents": "densité des faits géolocalisés (noyau gaussien) ou taux de la zone",
            "qpv": "tronçon situé dans un QPV",
            "intersection": f"carrefour à moins de {fr(mp.scenario.demand.near_m)} m",
            "traffic_signals": f"feux à moins de {fr(mp.scenario.demand.near_m)} m",
            "population": "habitants du carreau INSEE de 200 m (rapportés au 95e centile)",
        }.get(name)
        if how is None and name in sens:
            how = f"décroît linéairement jusqu'à {fr(sens[name].radius_m)} m du site"
        rows.append([esc(label), esc(how), _n(coef, 2), _n(totals[name], 0),
                     _n(100 * totals[name] / whole, 1)])
    notes = "".join(f"<li>{esc(n)}</li>" for n in d.notes)
    return (
        "<h1>2. Priorités</h1>"
        f"<p>Les {fr(d.n_cells)} tronçons de rue de {fr(mp.scenario.demand.cell_length_m)} m au "
        "plus reçoivent chacun un poids, somme de critères documentés. Chaque poids est "
        "explicable critère par critère (plan.json et le tableau ci-dessous), et les mêmes "
        "données redonnent les mêmes poids.</p>"
        '<div class="formula">poids = (longueur / '
        f"{fr(mp.scenario.demand.cell_length_m)} m) × Σ coefficient × valeur du critère "
        "(valeur entre 0 et 1)</div>"
        + _table(["Critère", "Valeur", "Coefficient", "Poids total", "Part (%)"], rows)
        + (f'<ul class="note">{notes}</ul>' if notes else "")
        + _img(figs.priority_map(mp), "Carte des priorités")
    )


def _model_short(r: dict[str, Any]) -> str:
    kind = {"fixed": "fixe", "ptz": "PTZ", "multisensor": "multicapteur"}.get(r["kind"], r["kind"])
    if r["azimuth_deg"] is not None:
        kind += f" {fr(r['azimuth_deg'])}°"
    return esc(kind)


def _sites(mp: MasterPlan) -> str:
    rows = []
    for r in sorted(mp.site_rows(), key=lambda r: r["rank"] or 10**9):
        j = r["column"]
        zones = r["zones"]
        where = zones.get("qpv") or zones.get("quartier") or ""
        place = esc(r["name"] or PLACE_FR.get(r["place_kind"], ""))
        if where:
            place += f' <span class="note">({esc(where)})</span>'
        rows.append([
            _n(r["rank"]), esc(r["site_id"]) + ("*" if r["forced"] else ""), place,
            _model_short(r),
            esc(LEVEL_FR.get(r["dori_level"], r["dori_level"])) + ", " + esc(r["resolution"]),
            esc(r["transmission"]), _n(r["cost_eur"]), esc(r["year"] or "hors prog."),
            _top_criteria(mp, j),
        ])
    forced = ("<p class='note'>* site imposé par le scénario.</p>" if mp.forced else "")
    return (
        "<h1>3. Sites proposés</h1>"
        f"<p>{len(mp.new_sites)} sites, numérotés dans l'ordre du programme : d'abord ceux qui "
        "ajoutent le plus de priorité couverte par euro. Les cartes de détail des QPV portent "
        "ces numéros (carré noir : caméra existante) ; le tableau qui suit donne pour chaque "
        "site son modèle, son niveau "
        "d'observation, sa liaison, son coût, son année et sa justification (part de chaque "
        "critère dans la priorité que le site ajoute à son tour).</p>"
        + _img(figs.sites_map(mp), "Carte des sites proposés", "big")
        + _img(figs.zone_zooms(mp), "Sites proposés dans chaque QPV", "tall")
        + '<section class="wide"><h2>Liste des sites proposés</h2>'
        + _table(["N°", "Site", "Emplacement", "Modèle, axe", "Niveau DORI, résolution",
                  "Liaison", "Coût (€)", "Année", "Justification"], rows, cls="sites")
        + forced + "</section>"
    )


def _coverage(mp: MasterPlan) -> str:
    out = ["<h1>4. Couverture avant et après</h1>",
           "<p>Couverture : part de la longueur des rues que voit au moins une caméra. Priorité "
           "couverte : part du poids de priorité des tronçons de la zone dont la moitié au "
           "moins est vue.</p>"]
    for kind, title in (("qpv", "Quartiers prioritaires (QPV)"), ("quartier", "Quartiers")):
        zr = _zone_rows(mp, kind)
        if not zr:
            continue
        body = []
        for b, a in zr:
            sh = _share(mp, kind, b["name"])
            body.append([
                esc(b["name"]), _n(b["covered_pct"], 1), _n(a["covered_pct"], 1),
                _n(b["cameras"]), _n(a["cameras"]),
                _n(100 * sh["before"], 1) if sh else "—", _n(100 * sh["after"], 1) if sh else "—",
            ])
        out.append(f"<h2>{title}</h2>")
        if kind == "qpv":
            out.append(_img(figs.coverage_bars(mp, kind), "Couverture par QPV", "chart"))
        out.append(_table(["Zone", "Couverture avant (%)", "après (%)", "Caméras avant",
                           "après", "Priorité avant (%)", "après (%)"], body))
    nb, na = mp.before["network"], mp.after["network"]
    out.append(
        f"<p>Réseau entier : {pct(nb['covered_pct'], 2)} → {pct(na['covered_pct'], 2)} des "
        f"rues ; carrefours vus {nb['intersections_covered']} → "
        f"{na['intersections_covered']} sur {na['intersections']}.</p>"
    )
    return "".join(out)


def _phasing(mp: MasterPlan) -> str:
    p = mp.programme
    ph = mp.scenario.phasing
    rows = []
    for y, brow in zip(p.years, mp.budget["years"], strict=True):
        rows.append([
            esc(y.year), _n(len(y.sites)), _n(len(y.replacements)), _n(y.spent_eur),
            eur(y.budget_eur) if y.budget_eur is not None else "—", _n(brow["cameras"]),
        ])
    extra = []
    if p.left_over:
        extra.append(f"{len(p.left_over)} site(s) proposés ne tiennent pas dans le budget "
                     "annuel de l'horizon : à reporter au-delà ou à financer autrement.")
    if p.replacements_left:
        extra.append(f"{len(p.replacements_left)} remplacement(s) dus n'ont pu être financés.")
    if p.unknown_age:
        extra.append(f"{len(p.unknown_age)} caméra(s) existante(s) sans date de mise en "
                     "service : remplacement non programmé.")
    budget_txt = (f"un budget d'investissement de {eur(ph.yearly_budget_eur)} par an"
                  if ph.yearly_budget_eur is not None else "aucun plafond annuel")
    return (
        "<h1>5. Phasage</h1>"
        f"<p>Programme sur {ph.years} ans à partir de {ph.start_year}, avec {budget_txt}. "
        "Chaque année finance d'abord le remplacement des caméras atteignant "
        f"{ph.replacement_age_years} ans, puis les nouveaux sites dans l'ordre qui gagne le "
        "plus de priorité couverte par euro, tant que le budget le permet. Le coût d'un site "
        "au phasage comprend sa part de stockage et de poste CSU.</p>"
        + _img(figs.phasing_chart(mp), "Phasage", "chart")
        + _table(["Année", "Nouveaux sites", "Remplacements", "Dépense (€)", "Budget",
                  "Caméras en service"], rows)
        + "".join(f"<p class='note'>{esc(e)}</p>" for e in extra)
    )


def _technology(mp: MasterPlan) -> str:
    c = mp.candidates
    sc = mp.scenario
    used = Counter((int(c.model[j]), int(c.resolution[j]), str(c.level[j])) for j in mp.new_sites)
    rows = []
    for (mi, ri, lv), n in sorted(used.items(), key=lambda kv: -kv[1]):
        m = sc.models[mi]
        res = m.resolutions[ri]
        dist = m.focal_mm * res.width_px / (m.sensor_width_mm * PPM[lv])
        rows.append([esc(m.label), esc(LEVEL_FR[lv]), esc(res.label), _n(res.width_px),
                     _n(dist, 0), _n(m.range_m), _n(n)])
    models = []
    for m in sc.models:
        models.append([esc(m.label), esc(KIND_FR[m.kind.value]), _n(m.heads),
                       f"{fr(m.hfov_deg)}°", f"{fr(m.focal_mm, 1)} mm",
                       ", ".join(esc(r.label) for r in m.resolutions),
                       _n(sc.costs.camera_installed_eur * m.price_factor)])
    trans = Counter(str(c.transmission[j]) for j in mp.new_sites)
    chosen = {int(c.model[j]) for j in mp.new_sites}
    unused = [m.label for k, m in enumerate(sc.models) if k not in chosen]
    unused_txt = (
        "<p>Modèle(s) proposé(s) mais non retenu(s) par l'optimisation, car un autre couvre "
        f"plus de priorité par caméra aux mêmes emplacements : {esc(', '.join(unused))}.</p>"
        if unused else ""
    )
    t = sc.transmission
    levels = "".join(f"<li>{esc(LEVEL_FR[k.value])} : {fr(v, 1)} pixels par mètre</li>"
                     for k, v in PPM.items())
    return (
        "<h1>6. Choix technologiques</h1>"
        "<h2>Modèles proposés</h2>"
        + _table(["Modèle", "Type", "Têtes", "Champ", "Focale", "Résolutions",
                  "Coût installé (€)"], models)
        + "<h2>Niveau d'observation requis et résolution</h2>"
        "<p>Le niveau DORI exigé en chaque lieu (par défaut "
        f"« {esc(LEVEL_FR[sc.dori.default.value])} », plus élevé là où une règle du scénario "
        "le demande) fixe la résolution : la plus petite dont la distance DORI atteint la "
        "portée de conception du modèle. Sinon la plus grande, et la portée est réduite.</p>"
        f"<ul>{levels}</ul>"
        '<div class="formula">distance DORI = focale × largeur d\'image (px) / (largeur du '
        "capteur × densité requise)</div>"
        + _table(["Modèle", "Niveau", "Résolution", "Largeur (px)", "Distance DORI (m)",
                  "Portée visée (m)", "Sites"], rows)
        + unused_txt
        + "<h2>Transmission</h2>"
        f"<p>Fibre lorsque le site est à moins de {fr(t.fibre_reach_m)} m du réseau (les "
        f"caméras existantes y sont raccordées) et qu'elle revient moins cher sur "
        f"{sc.costs.amortisation_years} ans : {fr(t.fibre_per_m_eur)} € par mètre de "
        f"tranchée et {eur(t.fibre_opex_eur)} par an ; sinon faisceau radio "
        f"({eur(t.radio_link_eur)} par liaison et {eur(t.radio_opex_eur)} par an). Sites en "
        f"fibre : {trans.get('fibre', 0)} ; en radio : {trans.get('radio', 0)}.</p>"
    )


def _storage_csu(mp: MasterPlan) -> str:
    st = mp.scenario.storage
    sb, sa = mp.storage_before, mp.storage_after
    csu = mp.scenario.csu
    fb, fa = mp.staffing_before, mp.staffing_after
    return (
        "<h1>7. Stockage des images</h1>"
        f"<p>Conservation {st.retention_days} jours (au plus un mois, art. L252-5 du code de "
        f"la sécurité intérieure), enregistrement {pct(100 * st.recording_share, 0)} du temps, "
        f"redondance × {fr(st.redundancy, 2)}. Un multicapteur enregistre un flux par tête.</p>"
        '<div class="formula">volume = débit (Mbit/s) × 10⁶ / 8 × 86 400 s × jours × part '
        "enregistrée × flux ; capacité brute = volume × redondance</div>"
        + _table(["", "Flux", "Volume utile (To)", "Capacité brute (To)", "Coût (€)"], [
            ["Réseau existant", _n(sb.streams), _n(sb.useful_tb, 1), _n(sb.raw_tb, 1),
             _n(sb.cost_eur)],
            ["Après le programme", _n(sa.streams), _n(sa.useful_tb, 1), _n(sa.raw_tb, 1),
             _n(sa.cost_eur)],
        ])
        + '<h1 class="flow">8. Organisation du centre de supervision urbain (CSU)</h1>'
        f"<p>Repère public : environ {fr(csu.operators_per_100_24_7)} opérateurs (ETP) pour "
        "100 caméras visionnées 24 h/24 et 7 j/7, ajusté aux heures d'ouverture du CSU "
        f"({fr(csu.hours_per_day)} h par jour, {fr(csu.days_per_week)} jours par semaine) et "
        f"à la part des caméras visionnées en direct ({pct(100 * csu.live_share, 0)}). Un "
        f"poste suit {csu.cameras_per_position} caméras.</p>"
        '<div class="formula">ETP = opérateurs pour 100 × caméras visionnées / 100 × heures '
        "hebdomadaires / 168</div>"
        + _table(["", "Caméras", "Heures / semaine", "Opérateurs (ETP)", "Postes",
                  "Coût annuel (€)"], [
            ["Aujourd'hui", _n(fb.cameras), _n(fb.hours_per_week), _n(fb.fte, 1),
             _n(fb.positions), _n(fb.cost_eur)],
            ["Après le programme", _n(fa.cameras), _n(fa.hours_per_week), _n(fa.fte, 1),
             _n(fa.positions), _n(fa.cost_eur)],
        ])
        + "<p>Organisation recommandée : un chef de salle par vacation, une procédure écrite de "
        "levée de doute et de transmission aux forces de l'ordre, un registre des "
        "réquisitions d'images, une formation des opérateurs à la protection des données et "
        "un contrôle régulier des masques de confidentialité.</p>"
    )


def _budget(mp: MasterPlan) -> str:
    b = mp.budget
    c = mp.scenario.costs
    rows = []
    for y in b["years"]:
        rows.append([esc(y["year"]), _n(y["cameras"]), _n(y["capex_eur"]),
                     _n(y["maintenance_eur"]), _n(y["transmission_eur"]),
                     _n(y["staffing_fte"], 1), _n(y["staffing_eur"]), _n(y["total_eur"])])
    rows.append(["Total", "", _n(b["capex_total_eur"]), "", "", "", "", _n(b["total_eur"])])
    bench = []
    ours = {
        "cdc2011_capex": b["capex_per_new_camera_eur"],
        "cdc2011_opex": b["opex_per_camera_year_eur"],
        "mi2013_police": b["capex_per_new_camera_eur"],
        "mi2013_gendarmerie": b["capex_per_new_camera_eur"],
    }
    labels = {
        "cdc2011_capex": "Investissement par caméra installée",
        "cdc2011_opex": "Fonctionnement par caméra et par an",
        "mi2013_police": "Coût moyen d'une caméra, zone police",
        "mi2013_gendarmerie": "Coût moyen d'une caméra, zone gendarmerie",
    }
    for key, (value, unit, src) in BENCHMARKS.items():
        bench.append([esc(labels[key]), _n(value), esc(unit), _n(ours[key]),
                      f"[{esc(src)}]"])
    conv = "".join(f"<li>{esc(x)}</li>" for x in b["conventions"])
    return (
        "<h1>9. Budget</h1>"
        + _img(figs.budget_chart(mp), "Budget par année", "chart")
        + _table(["Année", "Caméras", "Investissement", "Maintenance", "Transmission",
                  "ETP CSU", "Opérateurs", "Total (€)"], rows)
        + "<h2>Indicateurs de coût</h2><ul>"
        f"<li>Investissement par nouvelle caméra (site, stockage et poste CSU compris) : "
        f"<b>{eur(b['capex_per_new_camera_eur'])}</b></li>"
        f"<li>Fonctionnement par caméra et par an en fin de programme : "
        f"<b>{eur(b['opex_per_camera_year_eur'])}</b></li>"
        f"<li>Coût complet par caméra et par an (investissement amorti sur "
        f"{b['amortisation_years']} ans + fonctionnement) : "
        f"<b>{eur(b['full_cost_per_camera_year_eur'])}</b></li></ul>"
        "<h2>Comparaison avec les chiffres publics</h2>"
        + _table(["Repère", "Valeur publique", "Unité", "Ce programme", "Source"], bench)
        + "<h2>Hypothèses de coût</h2><ul>"
        f"<li>Caméra installée : {eur(c.camera_installed_eur)} [mi2013], pondérée par modèle "
        "(coefficient du scénario) [hypothèse].</li>"
        f"<li>Maintenance : {pct(100 * c.maintenance_rate, 1)} de l'investissement par an "
        "[maintenance].</li>"
        f"<li>Remplacement : {pct(100 * c.replacement_share, 0)} du coût d'une caméra neuve ; "
        f"opérateur : {eur(c.fte_cost_eur)} par ETP et par an ; poste CSU : "
        f"{eur(c.csu_position_eur)} [hypothèse].</li></ul>"
        f'<ul class="note">{conv}</ul>'
    )


INDICATORS = [
    ("Faits constatés géolocalisés", "adresse, date, heure et nature de chaque fait dans et "
     "autour des zones équipées (et dans des zones témoins comparables), sur les 3 ans qui "
     "précèdent chaque mise en service et ensuite"),
    ("Zones tampons", "les mêmes faits dans un anneau de 100 à 500 m autour des zones "
     "équipées, pour mesurer un déplacement de la délinquance"),
    ("Réquisitions d'images", "nombre de demandes des enquêteurs, délai de réponse, images "
     "disponibles ou non (caméra en panne, hors champ, délai de conservation dépassé)"),
    ("Apport aux enquêtes", "affaires où les images ont servi : identification, élucidation, "
     "suite judiciaire"),
    ("Activité du CSU", "détections par les opérateurs, signalements transmis aux forces de "
     "l'ordre, interventions qui en découlent, délais"),
    ("Disponibilité du parc", "taux de disponibilité de chaque caméra, pannes et délais de "
     "réparation"),
    ("Coûts réels", "investissement, maintenance, liaisons, stockage et heures d'opérateur "
     "par caméra, pour comparer au présent schéma"),
    ("Date de mise en service", "date exacte de chaque caméra et de chaque changement "
     "(orientation, masque), pour les évaluations avant/après"),
    ("Droits des personnes", "demandes d'accès aux images, plaintes, avis de la commission "
     "départementale et contrôles de la CNIL"),
]


def _indicators(mp: MasterPlan) -> str:
    rows = [[f"<b>{esc(a)}</b>", esc(b)] for a, b in INDICATORS]
    return (
        "<h1>10. Indicateurs à collecter dès le premier jour</h1>"
        "<p>Sans données collectées avant et après chaque mise en service, l'efficacité du "
        "réseau ne pourra pas être évaluée. Sentinelle sait mener l'évaluation (comparaison "
        "avant/après avec zones témoins, déplacement, apport aux enquêtes) si ces données "
        "existent.</p>"
        + _table(["Indicateur", "Ce qu'il faut enregistrer"], rows)
    )


def _compliance(mp: MasterPlan) -> str:
    rank = {j: k + 1 for k, j in enumerate(mp.programme.order)}
    known = [(j, v) for j, v in mp.dwellings.items() if v["buildings"] > 0]
    blocks = [j for j, v in mp.dwellings.items() if v["derived_blocks"] and v["buildings"] == 0]
    c = mp.candidates
    rows = [[_n(rank.get(j)), esc(c.places.site_id[c.place[j]]), _n(v["buildings"]),
             _n(v["dwellings"])] for j, v in sorted(known, key=lambda kv: rank.get(kv[0], 0))]
    block_ids = ", ".join(f"{rank.get(j)}" for j in sorted(blocks, key=lambda j: rank.get(j, 0)))
    return (
        '<h1 class="flow">11. Pré-contrôle de conformité</h1>'
        "<p>Les caméras filment la voie publique ; elles ne doivent pas visualiser l'intérieur "
        "des immeubles d'habitation ni, de façon spécifique, leurs entrées (art. L251-3 du code "
        "de la sécurité intérieure). Chaque installation demande une autorisation préfectorale "
        "après avis de la commission départementale (art. L252-1), pour cinq ans renouvelables "
        "(L252-4), l'information du public, et une conservation d'un mois au plus (L252-5).</p>"
        "<h2>Vues atteignant des façades d'habitation connues</h2>"
        + (_table(["N° du site", "Site", "Bâtiments d'habitation vus", "Logements"], rows)
           + "<p>Ces sites auront besoin de masques de confidentialité sur les façades "
             "vues.</p>" if rows else "<p>Aucun site proposé ne voit de façade d'habitation "
           "parmi les bâtiments connus.</p>")
        + "<h2>Vues atteignant des îlots bâtis d'usage inconnu</h2>"
        + (f"<p>{len(blocks)} site(s) sur {len(mp.new_sites)} voient des îlots bâtis déduits "
           "des rues, dont on ne sait pas s'ils abritent des logements"
           + (f" (n° {esc(block_ids)})" if len(blocks) <= 30 else "")
           + ". Pour eux, l'orientation et les masques seront vérifiés sur place avant la "
           "demande d'autorisation ; fournir les emprises des bâtiments (avec le nombre de "
           "logements) permet de faire ce contrôle ici.</p>" if blocks else "<p>Aucun.</p>")
    )


def _method(mp: MasterPlan) -> str:
    r = mp.result
    s = mp.scenario
    c_new = mp.candidates.places.n - mp.candidates.n_existing
    srcs = "".join(f"<li>[{esc(k)}] {esc(v)}</li>" for k, v in SOURCES.items())
    timing = ", ".join(f"{esc(k)} {fr(v, 1)} s" for k, v in mp.timings.items())
    return (
        "<h1>12. Méthode, limites et sources</h1>"
        "<h2>Méthode</h2><ul>"
        f"<li>Tronçons de rue de {fr(s.demand.cell_length_m)} m au plus, pondérés (section "
        "2).</li>"
        f"<li>Emplacements candidats : carrefours"
        + (f", points tous les {fr(s.candidates.street_spacing_m)} m le long des rues"
           if s.candidates.street_spacing_m > 0 else "")
        + (", sites fournis par la ville" if s.candidates.user_sites_file else "")
        + f" ; {fr(c_new)} emplacements, "
        f"{fr(mp.candidates.n_columns - mp.candidates.n_existing)} possibilités avec les "
        f"modèles et orientations.</li>"
        "<li>Vue de chaque possibilité calculée avec l'occultation par les bâtiments (ligne de "
        "vue en 2D) ; un tronçon est couvert quand au moins "
        f"{pct(100 * s.candidates.min_fraction, 0)} de sa longueur est vue.</li>"
        "<li>Choix des sites : problème de couverture maximale résolu exactement (HiGHS) avec "
        "une borne prouvée ; les caméras existantes sont conservées.</li>"
        f"<li>Résultat : {esc(STATUS_FR.get(r.status.value, r.status.value))}, objectif "
        f"{fr(r.objective, 1)}, borne {fr(r.bound, 1)}, écart {pct(100 * (r.gap or 0), 3)}, "
        f"glouton {fr(r.greedy_objective, 1)}, en {fr(r.seconds, 1)} s.</li>"
        f"<li>Temps de calcul : {timing}.</li></ul>"
        "<h2>Limites</h2><ul>"
        "<li>Visibilité au sol en deux dimensions : un mur masque tout ce qui est derrière, "
        "quelle que soit la hauteur de la caméra.</li>"
        "<li>Là où les bâtiments ne sont pas connus, les îlots sont déduits des rues.</li>"
        "<li>Un dôme mobile (PTZ) est compté comme voyant tout son champ de rotation, alors "
        "qu'il n'en regarde qu'une partie à la fois.</li>"
        "<li>Les coûts par défaut sont des ordres de grandeur à remplacer par les prix de la "
        "ville.</li>"
        + (f"<li>L'optimum est celui des {fr(c_new)} emplacements examinés : un pas plus fin "
           "le long des rues ou des sites proposés par la ville peuvent faire mieux.</li>"
           if c_new else "")
        + "</ul>"
        f"<h2>Sources</h2><ul class='src'>{srcs}</ul>"
    )
