// The public transparency map: camera positions and directions from the open-data export.
"use strict";
(function () {
  const map = L.map("map", { preferCanvas: true }).setView([48.111, -1.68], 13);
  map.attributionControl.setPrefix(false);
  map.createPane("cameras").style.zIndex = 450;  // above the base map
  // The base map is drawn from our own data (no tile server), as on the public map.
  fetch("/api/public/basemap").then((r) => r.json()).then((base) => {
    if (typeof drawBasemap === "function") drawBasemap(map, base);
    (base.attributions || []).forEach((a) => map.attributionControl.addAttribution(a));
  });
  fetch("/api/public/transparence/cameras.geojson").then((r) => r.json()).then((fc) => {
    if (fc.features.some((f) => f.properties.position_supposee)) {
      const note = document.getElementById("assumed-note");
      if (note) note.hidden = false;
    }
    const layer = L.geoJSON(fc, {
      pointToLayer: (f, ll) => L.circleMarker(ll, { pane: "cameras", renderer: L.svg({ pane: "cameras" }), radius: 6, color: f.properties.autorisation_en_vigueur ? "#1f5fa8" : "#b03a2e", weight: 2 }),
      onEachFeature: (f, l) => {
        const p = f.properties;
        const esc = (s) => String(s ?? "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
        l.bindPopup(`<strong>${esc(p.nom || p.id)}</strong><br>${esc(p.statut)}<br>` +
          `Finalités : ${esc(p.finalites_libelles.join(" ; "))}<br>` +
          `Autorisation : ${esc(p.autorisation || "aucune")}<br>` +
          `Conservation : ${p.conservation_jours ? esc(p.conservation_jours) + " jours" : "non renseignée"}`);
      },
    }).addTo(map);
    if (fc.features.length) map.fitBounds(layer.getBounds().pad(0.1));
  });
})();
