// The compliance dashboard's map: each camera coloured by its worst finding.
"use strict";
(function () {
  const map = L.map("map").setView([48.111, -1.68], 13);
  map.attributionControl.setPrefix(false);
  const today = new URLSearchParams(location.search).get("today");
  fetch("/api/compliance/findings" + (today ? `?today=${encodeURIComponent(today)}` : ""))
    .then((r) => r.json()).then((d) => {
      const esc = (s) => String(s ?? "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
      const pts = [];
      for (const c of d.cameras) {
        const colour = c.violation ? "#b03a2e" : c.warning ? "#d68910" : "#1e8449";
        const mine = d.findings.filter((f) => f.subject_type === "camera" && f.subject_id === c.id);
        const lines = mine.map((f) => `<li>${esc(f.rule)} (${esc(f.legal_ref)}) : ${esc(f.message)}</li>`).join("");
        L.circleMarker([c.lat, c.lon], { radius: 7, color: colour, weight: 2, fillOpacity: 0.6 })
          .bindPopup(`<strong>${esc(c.name || c.id)}</strong><ul>${lines || "<li>aucun constat</li>"}</ul>`).addTo(map);
        pts.push([c.lat, c.lon]);
      }
      if (pts.length) map.fitBounds(L.latLngBounds(pts).pad(0.1));
    });
})();
