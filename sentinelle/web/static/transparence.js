// The public transparency map: camera positions and directions from the open-data export.
"use strict";
(function () {
  const map = L.map("map").setView([48.111, -1.68], 13);
  map.attributionControl.setPrefix(false);
  fetch("/api/public/transparence/cameras.geojson").then((r) => r.json()).then((fc) => {
    const layer = L.geoJSON(fc, {
      pointToLayer: (f, ll) => L.circleMarker(ll, { radius: 6, color: f.properties.autorisation_en_vigueur ? "#1f5fa8" : "#b03a2e", weight: 2 }),
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
