"""The evaluation report, in French: HTML and PDF, with its figures and its JSON.

Sections: summary, what is measured, areas (maps and table), method, assumptions, the average
effect and the event study, area by area (forest plot), displacement, power, usefulness to
investigations, caveats, data and reproducibility. A synthetic data set is said in a banner on
every printed page, in the summary and in every figure.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import shapely

from sentinelle.errors import InputError
from sentinelle.evaluate.areas import BUFFER, CONTROL, TREATED
from sentinelle.evaluate.displacement import WDQReading
from sentinelle.evaluate.plots import SYNTHETIC_BANNER_FR, event_study_plot, forest_plot
from sentinelle.evaluate.staggered import StaggeredResult
from sentinelle.evaluate.study import EvaluationStudy, area_rows
from sentinelle.evaluate.usefulness import REFERENCE_GENDARMERIE, Share
from sentinelle.reports import (
    MapLayer,
    Section,
    fr_date,
    fr_eur,
    fr_number,
    fr_percent,
    render_page,
    render_pdf,
    static_map,
)
from sentinelle.reports import figure_img as embed

WDQ_FR: dict[WDQReading, str] = {
    WDQReading.undefined: "non défini (un compte témoin ou l'évolution de la zone équipée est nul)",
    WDQReading.no_success: "non interprétable : la délinquance n'a pas baissé dans les zones "
    "équipées par rapport aux témoins",
    WDQReading.diffusion_greater_than_effect: "diffusion des bénéfices à l'anneau, plus forte "
    "que l'effet dans la zone équipée",
    WDQReading.diffusion: "diffusion des bénéfices à l'anneau",
    WDQReading.no_displacement: "ni déplacement ni diffusion",
    WDQReading.displacement: "déplacement vers l'anneau, plus faible que l'effet qu'il compense",
    WDQReading.displacement_greater_than_effect: "déplacement vers l'anneau plus fort que la "
    "baisse dans la zone équipée (bilan négatif)",
}


@dataclass(frozen=True)
class ReportFiles:
    """What `write_report` wrote."""

    html: Path
    pdf: Path | None
    json: Path
    figures: tuple[Path, ...]


def _e(text: object) -> str:
    return html.escape(str(text))


def _pct_ci(lo: float, hi: float) -> str:
    return f"{fr_percent(lo, signed=True)} à {fr_percent(hi, signed=True)}"


def _verdict(res: StaggeredResult) -> tuple[str, str]:
    att = res.att
    if att.ci_high < 1:
        return "good", "baisse significative"
    if att.ci_low > 1:
        return "bad", "hausse significative"
    return "muted", "pas de conclusion possible (l'intervalle contient l'absence d'effet)"


def _share(s: Share) -> str:
    if s.share is None:
        return "–"
    lo, hi = s.interval or (0.0, 0.0)
    return (f"{s.count} / {fr_number(s.total)} = {fr_percent(s.share, 1, share=True)} "
            f"<span class='muted'>({fr_percent(lo, 1, share=True)} – "
            f"{fr_percent(hi, 1, share=True)})</span>")


def _month(label: str) -> str:
    return fr_date(label)


def pretrend_fr(res: StaggeredResult) -> str:
    """The pre-trend test in a French sentence."""
    pt = res.pretrend
    if pt.p_value is None:
        if pt.n_treated:
            return (f"test impossible : {pt.n_treated} zone(s) équipée(s) seulement ont assez "
                    "de mois avant installation")
        return "test impossible : aucune zone équipée n'a assez de mois avant son installation"
    df = pt.df if isinstance(pt.df, tuple) else (pt.df, 0)
    kind = (
        f"test conjoint des {pt.n_bins} périodes avant installation" if pt.kind == "F"
        else f"test d'une tendance linéaire avant installation (trop peu de zones équipées, "
        f"{pt.n_treated}, pour un test conjoint des {pt.n_bins} périodes)"
    )
    flag = ("<span class='bad'>tendance détectée : l'effet estimé est douteux</span>"
            if pt.p_value < 0.05 else "pas de tendance détectée")
    return (f"{kind} : F({df[0]}, {df[1]}) = {fr_number(pt.statistic, 2)}, "
            f"p = {fr_number(pt.p_value, 3)} — {flag}")


def _summary(study: EvaluationStudy) -> str:
    res = study.staggered
    cls, verdict = _verdict(res)
    att = res.att
    lo, hi = att.percent_change_interval
    pct = round((1 - res.alpha) * 100)
    parts = []
    if study.synthetic:
        parts.append(f"<p class='bad'>{_e(study.synthetic_note_fr or SYNTHETIC_BANNER_FR)}</p>")
    parts.append(
        f"<p><strong>Effet moyen des caméras sur les faits dans les zones équipées : "
        f"{fr_percent(att.percent_change, signed=True)}</strong> par rapport à ce qui se serait "
        f"passé sans caméras (intervalle de confiance à {pct} % : {_pct_ci(lo, hi)}) — "
        f"<span class='{cls}'>{verdict}</span>. {res.n_treated} zones équipées, "
        f"{res.n_areas - res.n_treated} zones témoins, de {_month(res.first_month)} à "
        f"{_month(res.last_month)}.</p>"
    )
    if study.truth is not None:
        planted = (study.truth.effect - 1) * 100
        found = (
            "le contient" if lo <= planted <= hi else
            "ne le contient pas (intervalles trop étroits avec si peu de zones : voir les limites)"
        )
        parts.append(
            f"<p>Contrôle sur données simulées : l'effet planté est de "
            f"{fr_percent(planted, signed=True)} ; l'intervalle {found}.</p>"
        )
    pt = res.pretrend
    if pt.p_value is None:
        parts.append(f"<p>Tendances avant installation : {pretrend_fr(res)}.</p>")
    elif pt.p_value < 0.05:
        parts.append(
            f"<p class='bad'>Avant l'installation, les zones équipées évoluaient déjà autrement que"
            f" les témoins (p = {fr_number(pt.p_value, 3)}) : l'effet estimé est douteux.</p>"
        )
    else:
        parts.append(
            f"<p>Avant l'installation, zones équipées et témoins évoluaient de façon comparable "
            f"(p = {fr_number(pt.p_value, 3)}).</p>"
        )
    if study.power is not None:
        p = study.power.random
        parts.append(
            f"<p>Puissance : avec ces comptes, seule une baisse d'au moins "
            f"{fr_percent(p.mde_reduction_pct)} serait détectée 8 fois sur 10 (méthode avant/"
            "après)" + (" ; une baisse de l'ordre de celles publiées "
                        f"({fr_percent(study.power.target_reduction_pct)}) "
                        + ("est détectable." if p.can_answer else "ne l'est pas.")) + "</p>"
        )
    if study.usefulness is not None:
        u = study.usefulness.overall
        parts.append(
            f"<p>Enquêtes : les images ont aidé à élucider "
            f"{fr_percent(u.solved_helped.share or 0, 1, share=True)} des affaires élucidées "
            f"({u.solved_helped.count} sur {u.solved}) ; référence gendarmerie : "
            f"{fr_percent(REFERENCE_GENDARMERIE['share'], 2, share=True)} (22 sur 1 939).</p>"
        )
    return "\n".join(parts)


def _maps(study: EvaluationStudy, *, dpi: int = 150) -> list[tuple[str, str, object]]:
    """(HTML, file name, figure) of the overview map and one map per treated area."""

    def figure_img(fig, **kw) -> str:  # noqa: ANN001, ANN003
        return embed(fig, dpi=dpi, **kw)

    a = study.area_set
    if a is None:
        return []
    treated = a.of_role(TREATED)
    buffers = a.of_role(BUFFER)
    controls = a.of_role(CONTROL)
    streets = study.streets if study.streets is not None else np.empty(0, dtype=object)
    base = MapLayer(streets, edgecolor="#b5b5b5", linewidth=0.35, zorder=1)
    layers = [
        base,
        MapLayer([b.geometry for b in buffers], label="anneaux (déplacement)",
                 facecolor="#f2c14e", edgecolor="#c99a1c", alpha=0.45, linewidth=0.5),
        MapLayer([c.geometry for c in controls], label="zones témoins",
                 facecolor="#9ecae1", edgecolor="#3182bd", alpha=0.7),
        MapLayer([t.geometry for t in treated], label="zones équipées (vues des caméras)",
                 facecolor="#b03a2e", edgecolor="#7b241c", alpha=0.9, linewidth=1.2, zorder=4),
    ]
    if not shapely.is_empty(a.excluded):
        layers.insert(1, MapLayer([a.excluded], label="exclu (caméras non datées)",
                                  facecolor="#dddddd", edgecolor="#999999", alpha=0.6))
    attribution = "Fond : © contributeurs OpenStreetMap (ODbL)" if len(streets) else None
    out = []
    fig = static_map(layers, title="Zones de l'évaluation", attribution=attribution,
                     size_in=(9.0, 7.5))
    out.append((figure_img(fig, alt="Carte des zones équipées, des anneaux et des zones témoins",
                           caption="Zones équipées (rouge), anneaux de déplacement (jaune), "
                           "zones témoins (bleu)."), "carte_zones.png", fig))
    for k, t in enumerate(treated, start=1):
        own = [c.geometry for c in controls if c.site == t.name]
        ring = [b.geometry for b in buffers if b.site == t.name]
        x0, y0, x1, y1 = shapely.bounds(shapely.buffer(t.geometry, 220))
        fig = static_map(
            [base,
             MapLayer(ring, facecolor="#f2c14e", edgecolor="#c99a1c", alpha=0.45),
             MapLayer([t.geometry], facecolor="#b03a2e", edgecolor="#7b241c", alpha=0.9,
                      zorder=4)],
            title=t.name, attribution=attribution, extent=(x0, y0, x1, y1), size_in=(4.4, 4.0),
        )
        out.append((figure_img(fig, alt=f"Zone équipée : {t.name}", css_class="fig small",
                               caption=f"Installation : {fr_date(_lbl(t.treated_from))} ; "
                               f"caméras {', '.join(t.camera_ids)} ; {len(own)} témoins."),
                    f"carte_zone_{k}.png", fig))
    return out


def _lbl(month: int | None) -> str:
    return "" if month is None else f"{month // 12:04d}-{month % 12 + 1:02d}"


def _areas_section(study: EvaluationStudy, maps: list) -> str:
    rows = area_rows(study)
    parts = []
    if study.area_set is not None:
        aset = study.area_set
        parts.append(
            f"<p>Chaque <strong>zone équipée</strong> réunit ce que voient les caméras d'un même "
            f"site installées le même mois ({_e(aset.viewsheds)}). Autour, un <strong>anneau"
            f"</strong> de {fr_number(aset.params.get('buffer_m', 0))} m mesure un éventuel "
            "déplacement de la délinquance. Les <strong>zones témoins</strong> montrent ce qui se "
            "serait passé sans caméras.</p>"
        )
    if maps:
        parts.append(maps[0][0])
        parts.append("<div class='grid'>" + "".join(m[0] for m in maps[1:]) + "</div>")
    if rows:
        body = "".join(
            f"<tr><td>{_e(r['name'])}</td><td>{_e(fr_date(r['treated_from']))}</td>"
            f"<td>{_e(r['cameras'])}</td><td class='num'>{fr_number(r['area_m2'])}</td>"
            f"<td class='num'>{fr_number(r['incidents'])}</td>"
            f"<td class='num'>{r['controls']}</td></tr>" for r in rows)
        parts.append(
            "<table><thead><tr><th>Zone équipée</th><th>Installation</th><th>Caméras</th>"
            "<th class='num'>Surface (m²)</th><th class='num'>Faits (période)</th>"
            f"<th class='num'>Témoins</th></tr></thead><tbody>{body}</tbody></table>"
        )
    if study.incidents is not None:
        parts.append(f"<p>{fr_number(study.incidents)} faits au total dans les données.</p>")
    if study.incidents_from_zones:
        parts.append(
            f"<p class='warning'>{study.incidents_from_zones} faits n'étaient connus qu'à la "
            "zone (IRIS, quartier) : placés en un point de leur zone, ce qui n'est juste que si "
            "la zone tient dans une seule zone d'évaluation.</p>"
        )
    return "\n".join(parts)


METHOD_HTML = """
<h3>Différence de différences échelonnée</h3>
<p>Les caméras arrivent par vagues. Pour chaque zone et chaque mois, on compte les faits. Les
zones sans caméras, et les zones équipées avant leur installation, servent à estimer
l'évolution « normale » : un niveau propre à chaque zone et une évolution commune à toutes les
zones, mois par mois (saisons, tendance de la ville). On en déduit, pour chaque zone équipée
et chaque mois après l'installation, le nombre de faits attendu sans caméras, puis on le
compare aux faits observés.</p>
<p>L'<strong>effet moyen</strong> est le rapport entre les faits observés et les faits attendus
sans caméras dans les zones équipées, après installation :
RR = Σ faits observés / Σ faits attendus ; « −20 % » signifie 20 % de faits en moins que sans
caméras. L'<strong>étude d'événement</strong> fait le même calcul mois par mois (ou trimestre
par trimestre) depuis l'installation, et, avant l'installation, vérifie que les zones
équipées évoluaient comme les témoins.</p>
<p>Cette méthode (imputation de Poisson : Borusyak, Jaravel et Spiess, 2024 ; Wooldridge,
2023) évite le biais de la régression classique à effets fixes lorsque les effets varient
selon la vague ou le temps écoulé (Goodman-Bacon, 2021 ; Sun et Abraham, 2021) : une zone
déjà équipée ne sert jamais de témoin. Les intervalles de confiance tiennent compte de la
corrélation des mois d'une même zone (erreurs groupées par zone).</p>
<h3>Avant / après zone par zone</h3>
<p>Méthode des revues Campbell (Welsh et Farrington) : pour chaque zone, les faits des 12 mois
avant et des 12 mois après l'installation, dans la zone et dans ses témoins, donnent un
rapport de cotes relatif (RC &gt; 1 : baisse dans la zone équipée) ; les zones sont ensuite
regroupées (effet fixe et effets aléatoires).</p>
<h3>Déplacement</h3>
<p>Dans l'anneau autour de chaque zone, la même méthode dit si la délinquance s'y est déplacée
(hausse) ou si les bénéfices s'y sont diffusés (baisse) ; la différence pondérée de
déplacement (Wheeler et Ratcliffe, 2018) et le quotient (Bowers et Johnson, 2003) complètent.</p>
"""

ASSUMPTIONS_HTML = """
<ul>
<li><strong>Tendances parallèles</strong> : sans caméras, les faits auraient évolué dans les
zones équipées dans la même proportion que dans les témoins.</li>
<li><strong>Pas d'anticipation</strong> : rien ne change avant le mois d'installation.</li>
<li><strong>Dates d'installation connues</strong> ; les caméras sans date sont exclues.</li>
<li><strong>Zones indépendantes</strong> : les témoins ne subissent ni déplacement ni diffusion
(ils sont tenus à distance des zones équipées et de leurs anneaux).</li>
<li><strong>Faits enregistrés</strong> : ils dépendent aussi de l'activité de la police ; des
caméras peuvent faire <em>augmenter</em> les faits constatés (plus de détection).</li>
</ul>
"""


def _effect_section(study: EvaluationStudy, fig_html: str) -> str:
    res = study.staggered
    att = res.att
    lo, hi = att.percent_change_interval
    pct = round((1 - res.alpha) * 100)
    rows = "".join(
        f"<tr><td class='num'>{e.rel_period}</td><td>{'avant' if e.pre else 'après'}</td>"
        f"<td class='num'>{fr_percent(e.estimate.percent_change, signed=True)}</td>"
        f"<td class='num'>{_pct_ci(*e.estimate.percent_change_interval)}</td>"
        f"<td class='num'>{e.estimate.n_areas}</td></tr>" for e in res.event_study)
    unit = {1: "mois", 3: "trimestres", 12: "années"}.get(res.bin_months,
                                                          f"périodes de {res.bin_months} mois")
    test = pretrend_fr(res)
    observed = fr_number(att.observed)
    expected = fr_number(att.expected)
    return (
        f"<p>Dans les zones équipées, après installation : {observed} faits observés pour "
        f"{expected} attendus sans caméras, soit <strong>"
        f"{fr_percent(att.percent_change, signed=True)}</strong> (IC {pct} % : "
        f"{_pct_ci(lo, hi)} ; p = {fr_number(att.p_value, 3)}).</p>"
        f"<p>Test de pré-tendance (les zones équipées évoluaient-elles déjà autrement avant ?) : "
        f"{test}.</p>{fig_html}"
        f"<h3>Étude d'événement ({unit} depuis l'installation)</h3>"
        "<table><thead><tr><th class='num'>Écart</th><th>Période</th>"
        f"<th class='num'>Évolution</th><th class='num'>IC {pct} %</th>"
        f"<th class='num'>Zones</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _forest_section(study: EvaluationStudy, fig_html: str) -> str:
    if study.effects is None:
        return ("<p>Pas de comptes avant/après : l'évaluation part directement d'un panel "
                "zone × mois.</p>")
    r = study.effects
    i2 = "non défini" if r.i2 is None else fr_percent(r.i2)
    rnd = r.random
    lo, hi = rnd.percent_change_interval
    return (
        f"<p>Regroupement par effets aléatoires : {fr_percent(rnd.percent_change, signed=True)} "
        f"dans les zones équipées par rapport à leurs témoins (IC : {_pct_ci(lo, hi)}) ; "
        f"RC = {fr_number(rnd.odds_ratio, 2)}. Hétérogénéité entre zones : I² = {i2}.</p>"
        f"{fig_html}"
    )


def _displacement_section(study: EvaluationStudy) -> str:
    parts = []
    b = study.buffer_staggered
    if b is not None:
        lo, hi = b.att.percent_change_interval
        reading = ("une hausse : signe de déplacement" if b.att.ci_low > 1 else
                   "une baisse : signe de diffusion des bénéfices" if b.att.ci_high < 1 else
                   "ni hausse ni baisse démontrée")
        parts.append(
            f"<p>Dans les anneaux, après installation : "
            f"{fr_percent(b.att.percent_change, signed=True)} par rapport aux témoins "
            f"(IC : {_pct_ci(lo, hi)}), {reading}.</p>"
        )
    d = study.displacement
    if d is not None:
        parts.append(
            f"<p>Différence pondérée de déplacement (12 mois avant / après, zone et anneau "
            f"ensemble) : WDD = {fr_number(d.wdd, 0, signed=True)} faits "
            f"(IC : {fr_number(d.ci_low, 0, signed=True)} à "
            f"{fr_number(d.ci_high, 0, signed=True)}) ; négatif = baisse nette.</p>"
        )
        if d.has_buffer and d.wdq_reading is not None:
            wdq = "non défini" if d.wdq is None else fr_number(d.wdq, 2)
            parts.append(f"<p>Quotient pondéré de déplacement : WDQ = {wdq} — "
                         f"{_e(WDQ_FR[d.wdq_reading])}.</p>")
    return "\n".join(parts) or "<p>Pas d'anneau : le déplacement n'est pas mesuré.</p>"


def _power_section(study: EvaluationStudy) -> str:
    p = study.power
    if p is None:
        return "<p>Pas de comptes avant/après : puissance non calculée.</p>"
    rows = "".join(
        f"<tr><td>{_e(a.label)}</td><td class='num'>{fr_percent(a.mde_reduction_pct)}</td>"
        f"<td class='num'>{fr_percent(a.power_at_target * 100)}</td>"
        f"<td>{'oui' if a.can_answer else 'non'}</td></tr>" for a in p.areas)
    r = p.random
    target = fr_percent(p.target_reduction_pct)
    verdict = (
        f"Ces données peuvent dire si les caméras ont réduit les faits de {target}."
        if r.can_answer else
        f"Ces données ne peuvent pas dire si les caméras ont réduit les faits de {target} : un "
        "résultat non significatif ne prouverait pas l'absence d'effet."
    )
    return (
        f"<p>Plus petite baisse détectable avec une puissance de "
        f"{fr_percent(p.power * 100)} (seuil {fr_number(p.alpha, 2)}), toutes zones ensemble : "
        f"<strong>{fr_percent(r.mde_reduction_pct)}</strong>. {verdict} Référence : "
        f"{target} en moyenne sur 41 évaluations (Welsh et Farrington, 2009).</p>"
        "<table><thead><tr><th>Zone</th><th class='num'>Baisse détectable</th>"
        f"<th class='num'>Chance de détecter {target}</th><th>Suffisant seule</th></tr>"
        f"</thead><tbody>{rows}</tbody></table>"
        "<p class='note'>L'étude échelonnée, qui utilise tous les mois, est plus précise que "
        "ce calcul sur 12 mois avant / après.</p>"
    )


def _usefulness_section(study: EvaluationStudy) -> str:
    u = study.usefulness
    if u is None:
        return ("<p>Aucun fichier d'enquêtes fourni (<code>--cases</code>) : l'utilité des "
                "images pour les enquêtes n'est pas mesurée.</p>")
    o = u.overall
    rows = [
        ("Images demandées", o.requested), ("Images disponibles", o.available),
        ("Images utiles", o.useful), ("Disponibles quand demandées", o.available_when_requested),
        ("Utiles quand disponibles", o.useful_when_available),
        ("Affaires élucidées aidées par les images", o.solved_helped),
    ]
    table = "".join(f"<tr><td>{k}</td><td class='num'>{_share(v)}</td></tr>" for k, v in rows)
    cats = "".join(
        f"<tr><td>{_e(f.label)}</td><td class='num'>{f.cases}</td>"
        f"<td class='num'>{_share(f.useful)}</td><td class='num'>{_share(f.solved_helped)}</td>"
        "</tr>" for f in u.by_category)
    cams = "".join(
        f"<tr><td>{_e(f.label)}</td><td class='num'>{f.cases}</td>"
        f"<td class='num'>{f.available.count}</td><td class='num'>{f.useful.count}</td></tr>"
        for f in u.by_camera[:15])
    cost = ""
    if u.cost is not None:
        c = u.cost
        cost = (
            f"<p>Coût : {fr_eur(c.annual_cost_eur)} par an × {fr_number(c.years, 2)} ans = "
            f"{fr_eur(c.total_eur)} ; <strong>{fr_eur(c.per_useful_case_eur)} par affaire où les "
            f"images ont été utiles</strong>, {fr_eur(c.per_solved_helped_eur)} par affaire "
            f"élucidée aidée par les images.</p>"
        )
    else:
        cost = ("<p>Coût par affaire utile : donner le coût annuel du réseau "
                "(<code>--annual-cost</code>) ; le chiffrage du schéma directeur sera utilisable "
                "quand il existera.</p>")
    return (
        f"<p>{fr_number(o.cases)} enquêtes du {fr_date(u.first_date)} au "
        f"{fr_date(u.last_date)}. Intervalles de Wilson à 95 %.</p>"
        f"<table><tbody>{table}</tbody></table>{cost}"
        f"<p>Référence : dans une étude de 1 939 enquêtes de gendarmerie, les images ont aidé à "
        f"en élucider 22 ({fr_percent(REFERENCE_GENDARMERIE['share'], 2, share=True)} ; "
        "Gormand, 2021).</p>"
        "<h3>Par catégorie</h3><table><thead><tr><th>Catégorie</th><th class='num'>Enquêtes"
        "</th><th class='num'>Images utiles</th><th class='num'>Élucidées aidées</th></tr>"
        f"</thead><tbody>{cats}</tbody></table>"
        + ("<h3>Par caméra (15 premières)</h3><table><thead><tr><th>Caméra</th>"
           "<th class='num'>Enquêtes</th><th class='num'>Disponibles</th>"
           f"<th class='num'>Utiles</th></tr></thead><tbody>{cams}</tbody></table>"
           if cams else "")
    )


def _caveats(study: EvaluationStudy) -> str:
    items = []
    if study.synthetic:
        items.append(_e(study.synthetic_note_fr or SYNTHETIC_BANNER_FR))
    if study.staggered.few_areas:
        items.append(
            f"Seulement {study.staggered.n_areas} zones, dont {study.staggered.n_treated} "
            "équipées : les intervalles groupés par zone sont trop étroits en dessous d'une "
            "trentaine de zones ; les résultats sont à lire comme optimistes."
        )
    items.append(
        "Les faits enregistrés ne sont pas la délinquance : la présence de caméras peut "
        "augmenter les faits constatés (détection) autant que les réduire (dissuasion)."
    )
    items.append(
        "Une zone équipée est ce que voient les caméras, pas un quartier : les faits doivent "
        "être géolocalisés précisément (l'évaluation de 2017 à Rennes n'avait pu conclure faute "
        "de faits rapportés au champ des caméras)."
    )
    items.append(
        "D'autres actions (éclairage, présence policière, rénovation urbaine) menées en même "
        "temps que l'installation sont confondues avec l'effet des caméras."
    )
    items += [_e(n) for n in study.notes]
    st = study.staggered
    if st.excluded_areas:
        items.append("Zones écartées de l'estimation (équipées dès le premier mois, ou sans "
                     f"aucun fait avant leurs caméras) : {_e(', '.join(st.excluded_areas))}.")
    if st.pretrend.areas_left_out:
        items.append("Zones écartées du test de pré-tendance (trop peu de mois avant "
                     f"installation) : {_e(', '.join(st.pretrend.areas_left_out))}.")
    if study.panel.filled_zeros:
        items.append(f"{fr_number(study.panel.filled_zeros)} mois × zone absents du panel ont "
                     "été lus comme zéro fait.")
    return "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


def _data_section(study: EvaluationStudy) -> str:
    src = "".join(f"<li>{_e(s)}</li>" for s in study.sources)
    params = ", ".join(f"{k} = {v}" for k, v in study.params.items())
    return (
        (f"<ul>{src}</ul>" if src else "")
        + f"<p>Paramètres : {_e(params)}. Toutes les estimations sont dans "
        "<code>evaluation.json</code>, à côté de ce document.</p>"
        "<p class='muted'>Produit par Sentinelle (<code>sentinelle evaluate report</code>).</p>"
    )


EXTRA_CSS = """
.grid { display: flex; flex-wrap: wrap; gap: 0 2%; }
.grid figure.small { width: 48%; }
"""


def render_report_html(study: EvaluationStudy, *, figures_out: Path | None = None,
                       issued: date | None = None, dpi: int = 150) -> tuple[str, list[Path]]:
    """The report's HTML (figures embedded) and, with ``figures_out``, the figures as PNG."""
    written: list[Path] = []

    def keep(fig, name: str) -> None:
        if figures_out is not None:
            path = figures_out / name
            fig.savefig(path, dpi=dpi)
            written.append(path)

    def figure_img(fig, **kw) -> str:  # noqa: ANN001, ANN003
        return embed(fig, dpi=dpi, **kw)

    es_fig = event_study_plot(study.staggered)
    keep(es_fig, "etude_evenement.png")
    es_html = figure_img(es_fig, alt="Étude d'événement : évolution des faits avant et après "
                         "l'installation des caméras")
    forest_html = ""
    if study.effects is not None:
        ff = forest_plot(study.effects)
        keep(ff, "graphique_en_foret.png")
        forest_html = figure_img(ff, alt="Graphique en forêt des effets zone par zone")
    maps = _maps(study, dpi=dpi)
    for _, name, fig in maps:
        keep(fig, name)
    sections = [
        Section("Ce que mesure cette évaluation", (
            f"<p>Les caméras de vidéoprotection de {_e(study.place)} ont-elles changé le nombre "
            "de faits dans les lieux qu'elles voient, l'ont-elles déplacé aux alentours, et "
            "leurs images aident-elles les enquêtes ? Ce document applique les méthodes "
            "d'évaluation reconnues et dit clairement quand les données ne permettent pas de "
            "conclure.</p>")),
        Section("Zones étudiées", _areas_section(study, maps)),
        Section("Méthode", METHOD_HTML),
        Section("Hypothèses", ASSUMPTIONS_HTML),
        Section("Effet moyen et étude d'événement", _effect_section(study, es_html)),
        Section("Zone par zone (avant / après)", _forest_section(study, forest_html)),
        Section("Déplacement et diffusion", _displacement_section(study)),
        Section("Puissance : ce que les données peuvent dire", _power_section(study)),
        Section("Utilité pour les enquêtes", _usefulness_section(study)),
        Section("Limites et précautions", _caveats(study)),
        Section("Données et reproductibilité", _data_section(study)),
    ]
    banner = None
    if study.synthetic:
        banner = (study.synthetic_note_fr or SYNTHETIC_BANNER_FR)
    page = render_page(
        f"Évaluation de la vidéoprotection — {study.place}",
        sections,
        subtitle="Effet sur les faits constatés, déplacement, utilité pour les enquêtes",
        author="Sentinelle",
        banner=banner,
        summary_html=_summary(study),
        issued=issued,
        extra_css=EXTRA_CSS,
    )
    return page, written


def write_report(study: EvaluationStudy, out_dir: str | Path, *, pdf: bool = True,
                 issued: date | None = None, dpi: int = 150) -> ReportFiles:
    """Write ``rapport_evaluation.html``, ``rapport_evaluation.pdf``, ``evaluation.json`` and
    the figures (PNG) into ``out_dir`` (created if needed)."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        msg = f"--out {out}: cannot create the folder ({exc.strerror or exc})"
        raise InputError(msg) from None
    page, figures = render_report_html(study, figures_out=out, issued=issued, dpi=dpi)
    html_path = out / "rapport_evaluation.html"
    html_path.write_text(page, encoding="utf-8")
    json_path = out / "evaluation.json"
    json_path.write_text(json.dumps(study.to_json(), ensure_ascii=False, indent=2, default=str),
                         encoding="utf-8")
    pdf_path = render_pdf(page, out / "rapport_evaluation.pdf") if pdf else None
    return ReportFiles(html_path, pdf_path, json_path, tuple(figures))
