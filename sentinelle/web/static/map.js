// The public map: cameras with their visible areas, zones coloured by coverage, figures.
"use strict";

async function main() {
  setupHeader(T.title, T.subtitle);

  const map = makeMap("map");
  window.sentinelleMap = map;
  const [info, base, zones, cams, coverage, timeline] = await Promise.all([
    getJSON("/api/public/info"),
    getJSON("/api/public/basemap"),
    getJSON("/api/public/zones"),
    getJSON("/api/public/cameras"),
    getJSON("/api/public/coverage"),
    getJSON("/api/public/timeline"),
  ]);
  map.attributionControl.addAttribution(info.attributions.join(" · "));
  PURPOSE_LABELS = info.purpose_labels_fr || {};

  const baseLayer = drawBasemap(map, base);
  const quartiers = drawZones(map, zones, "quartier").addTo(map);
  const iris = drawZones(map, zones, "iris");
  const qpv = drawZones(map, zones, "qpv").addTo(map);

  const views = L.geoJSON(null, { style: viewStyle, interactive: false });
  const markers = L.layerGroup();
  for (const f of cams.features) {
    const p = f.properties;
    if (p.visibility) views.addData({ type: "Feature", geometry: p.visibility, properties: {} });
    const [lon, lat] = f.geometry.coordinates;
    L.marker([lat, lon], { icon: cameraIcon(p.assumed ? "assumed" : ""), title: p.name || p.id, keyboard: true })
      .bindPopup(cameraPopup(p))
      .addTo(markers);
  }
  views.addTo(map);
  markers.addTo(map);

  const overlays = {};
  overlays[T.layers.basemap] = baseLayer;
  overlays[T.layers.quartier] = quartiers;
  overlays[T.layers.iris] = iris;
  overlays[T.layers.qpv] = qpv;
  overlays[T.layers.views] = views;
  overlays[T.layers.cameras] = markers;
  L.control.layers(null, overlays, { collapsed: window.innerWidth < 700 }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);
  if (cams.features.length) map.fitBounds(qpv.getBounds().pad(0.05));

  const byKind = (k) => (coverage.zones || []).filter((z) => z.kind === k);
  const net = coverage.network || {};
  const panel = document.getElementById("figures");
  panel.innerHTML =
    `<p class="network"><b>${T.network}</b>: ${fmt(net.covered_pct, 1)} % ${LANG === "fr" ? "des rues couvertes" : "of streets covered"} · ` +
    `${fmt(cams.features.length)} ${T.cameras.toLowerCase()} · ${T.occlusion} ${T.sources[coverage.source] || coverage.source}</p>` +
    coverageTable(byKind("qpv"), T.coverageQpv) +
    coverageTable(byKind("quartier"), T.coverageQuartier) +
    `<h2>${T.timeline}</h2>` + timelineChart(timelinePoints(timeline)) +
    `<h2>${T.legend}</h2><ul class="legend">` +
    `<li><span class="camera-marker sample"><span></span></span>${T.legendCamera}</li>` +
    `<li><span class="swatch view"></span>${T.legendView}</li>` +
    `<li><span class="swatch ramp"></span>${T.legendZone}</li>` +
    `<li><span class="swatch qpv"></span>${T.legendQpv}</li></ul>` +
    attributionHtml(info);
  document.body.dataset.ready = "true";
}

main().catch((e) => {
  document.getElementById("figures").textContent = `Error: ${e.message}`;
  document.body.dataset.ready = "error";
});
