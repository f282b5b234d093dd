// Sentinelle: French by default, English available (?lang=en).
"use strict";
const I18N = {
  fr: {
    title: "Sentinelle — vidéoprotection de Rennes",
    subtitle: "Carte publique du réseau de vidéoprotection",
    plannerTitle: "Carte du planificateur",
    honesty: "Positions approximatives et modèles supposés : seuls neuf sites de caméras de Rennes sont publics ; chaque caméra est modélisée comme un multicapteur 360° à 6 m.",
    coverageQpv: "Couverture des rues par quartier prioritaire (QPV)",
    coverageQuartier: "Couverture des rues par quartier",
    zone: "Zone", streets: "Rues (km)", covered: "Couvert", cameras: "Caméras",
    network: "Réseau", timeline: "Caméras sur la voie publique (chiffres publiés)",
    legend: "Légende", legendCamera: "Caméra (unité)", legendView: "Champ visible (occultation par le bâti)",
    legendZone: "Zone colorée selon la part de rues couvertes", legendQpv: "Quartier prioritaire (QPV)",
    attributions: "Sources", occlusion: "Occultation calculée à partir de",
    sources: { buildings: "bâtiments réels", derived_blocks: "îlots déduits des rues", mixed: "bâtiments réels et îlots déduits des rues" },
    type: "Type", status: "État", installed: "Mise en service", height: "Hauteur", heads: "Têtes",
    purposes: "Finalités", visibleArea: "Surface visible", assumed: "Position approximative, modèle supposé",
    statuses: { in_service: "en service", planned: "prévue", out_of_service: "hors service", removed: "déposée" },
    types: { fixed: "fixe", ptz: "mobile (PTZ)", dome: "dôme", multisensor: "multicapteur 360°" },
    unknown: "inconnue", layers: { zones: "Zones", qpv: "QPV", quartier: "Quartiers", iris: "IRIS", views: "Champs visibles", cameras: "Caméras", basemap: "Fond de carte" },
    plannerHelp: "Déplacez une caméra (glisser) ou tournez-la : son champ visible et les chiffres par zone se mettent à jour.",
    rotate: "Rotation", selected: "Caméra sélectionnée", none: "aucune", reset: "Rétablir",
    before: "avant", after: "après", lang: "English", publicMap: "Carte publique", planner: "Planificateur",
  },
  en: {
    title: "Sentinelle — Rennes video protection",
    subtitle: "Public map of the video-protection network",
    plannerTitle: "Planner's map",
    honesty: "Approximate positions and assumed models: only nine Rennes camera sites are public; each camera is modelled as a 360° multi-sensor unit at 6 m.",
    coverageQpv: "Street coverage per priority neighbourhood (QPV)",
    coverageQuartier: "Street coverage per quartier",
    zone: "Zone", streets: "Streets (km)", covered: "Covered", cameras: "Cameras",
    network: "Network", timeline: "Cameras on public space (published figures)",
    legend: "Legend", legendCamera: "Camera (unit)", legendView: "Visible area (occlusion by buildings)",
    legendZone: "Zone coloured by share of streets covered", legendQpv: "Priority neighbourhood (QPV)",
    attributions: "Sources", occlusion: "Occlusion computed from",
    sources: { buildings: "real buildings", derived_blocks: "blocks derived from streets", mixed: "real buildings and blocks derived from streets" },
    type: "Type", status: "Status", installed: "Installed", height: "Height", heads: "Heads",
    purposes: "Purposes", visibleArea: "Visible area", assumed: "Approximate position, assumed model",
    statuses: { in_service: "in service", planned: "planned", out_of_service: "out of service", removed: "removed" },
    types: { fixed: "fixed", ptz: "PTZ", dome: "dome", multisensor: "360° multi-sensor" },
    unknown: "unknown", layers: { zones: "Zones", qpv: "QPV", quartier: "Quartiers", iris: "IRIS", views: "Visible areas", cameras: "Cameras", basemap: "Base map" },
    plannerHelp: "Drag a camera or turn it: its visible area and the per-zone figures update at once.",
    rotate: "Rotate", selected: "Selected camera", none: "none", reset: "Reset",
    before: "before", after: "after", lang: "Français", publicMap: "Public map", planner: "Planner",
  },
};
const LANG = (new URLSearchParams(location.search).get("lang") || localStorage.getItem("lang") || "fr").startsWith("en") ? "en" : "fr";
localStorage.setItem("lang", LANG);
const T = I18N[LANG];
document.documentElement.lang = LANG;

function fmt(n, digits = 0) {
  if (n === null || n === undefined || Number.isNaN(n)) return "—";
  return Number(n).toLocaleString(LANG === "fr" ? "fr-FR" : "en-GB", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
function esc(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}
function switchLangLink() {
  const other = LANG === "fr" ? "en" : "fr";
  const u = new URL(location.href);
  u.searchParams.set("lang", other);
  return u.pathname + u.search;
}
