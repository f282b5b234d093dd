// The planner's map (internal): drag or turn a camera, see its visible area and the
// per-zone figures update at once through POST /api/preview.
"use strict";

let baseline = null;      // coverage before any change
let selected = null;      // {id, marker, layer, origin: [lat, lon], rotate}
let pending = null;

async function main() {
  setupHeader(`Sentinelle — ${T.plannerTitle}`, T.plannerHelp);

  const map = makeMap("map");
  window.sentinelleMap = map;
  const [info, base, zones, cams, coverage] = await Promise.all([
    getJSON("/api/public/info"), getJSON("/api/basemap"), getJSON("/api/zones"),
    getJSON("/api/cameras"), getJSON("/api/coverage"),
  ]);
  baseline = coverage;
  map.attributionControl.addAttribution(info.attributions.join(" · "));
  drawBasemap(map, base);
  drawZones(map, zones, "quartier", { fill: false }).addTo(map);
  const qpv = drawZones(map, zones, "qpv", { fill: false }).addTo(map);

  const views = {};
  for (const f of cams.features) {
    const p = f.properties;
    const layer = L.geoJSON(p.visibility ? { type: "Feature", geometry: p.visibility } : null, { style: viewStyle, interactive: false }).addTo(map);
    views[p.id] = layer;
    const [lon, lat] = f.geometry.coordinates;
    const marker = L.marker([lat, lon], { icon: cameraIcon(), draggable: true, title: p.name || p.id }).addTo(map);
    marker.on("click", () => select(p, marker, layer));
    marker.on("dragstart", () => select(p, marker, layer));
    marker.on("dragend", () => preview());
  }
  map.fitBounds(qpv.getBounds().pad(0.05));
  renderFigures(coverage, null);
  document.getElementById("rotate").addEventListener("input", (e) => {
    document.getElementById("rotate-value").textContent = `${e.target.value}°`;
    if (selected) { selected.rotate = +e.target.value; preview(); }
  });
  document.getElementById("reset").addEventListener("click", () => {
    if (!selected) return;
    selected.marker.setLatLng(selected.origin);
    selected.rotate = 0;
    document.getElementById("rotate").value = 0;
    document.getElementById("rotate-value").textContent = "0°";
    preview();
  });
  document.body.dataset.ready = "true";
}

function select(p, marker, layer) {
  if (selected && selected.id === p.id) return;
  if (selected) selected.marker._icon.classList.remove("selected");
  const ll = marker.getLatLng();
  selected = { id: p.id, marker, layer, origin: [ll.lat, ll.lng], rotate: 0 };
  marker._icon.classList.add("selected");
  document.getElementById("selected").textContent = `${p.name || p.id} (${p.id})`;
  document.getElementById("rotate").value = 0;
  document.getElementById("rotate-value").textContent = "0°";
}

async function preview() {
  if (!selected) return;
  const ll = selected.marker.getLatLng();
  const body = { camera_id: selected.id, lon: ll.lng, lat: ll.lat, rotate_deg: selected.rotate };
  const ticket = {};
  pending = ticket;
  const t0 = performance.now();
  const res = await getJSON("/api/preview", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  if (pending !== ticket) return; // a newer request superseded this one
  selected.layer.clearLayers();
  if (res.visibility) selected.layer.addData({ type: "Feature", geometry: res.visibility });
  renderFigures(res, performance.now() - t0);
}

function renderFigures(cov, ms) {
  const before = Object.fromEntries(baseline.zones.map((z) => [`${z.kind}:${z.name}`, z.covered_pct]));
  const rows = (k) => cov.zones.filter((z) => z.kind === k).map((z) => {
    const b = before[`${z.kind}:${z.name}`];
    const d = (z.covered_pct ?? 0) - (b ?? 0);
    const delta = Math.abs(d) < 0.05 ? "" : `<span class="delta ${d > 0 ? "up" : "down"}">${d > 0 ? "+" : ""}${fmt(d, 1)}</span>`;
    return `<tr><td>${esc(z.name)}</td><td class="num">${fmt(b, 1)} %</td><td class="num">${fmt(z.covered_pct, 1)} % ${delta}</td></tr>`;
  }).join("");
  const table = (k, title) => `<h2>${title}</h2><table class="coverage" data-kind="${k}"><thead><tr><th>${T.zone}</th><th>${T.before}</th><th>${T.after}</th></tr></thead><tbody>${rows(k)}</tbody></table>`;
  const net = cov.network || {};
  document.getElementById("figures").innerHTML =
    `<p class="network" id="network-figure"><b>${T.network}</b>: ${fmt(net.covered_pct, 2)} % ` +
    `${ms !== null ? `<small>(${fmt(ms)} ms)</small>` : ""}</p>` +
    (cov.visible_area_m2 != null ? `<p>${T.visibleArea}: <b id="visible-area">${fmt(cov.visible_area_m2)} m²</b></p>` : "") +
    table("qpv", T.coverageQpv) + table("quartier", T.coverageQuartier);
}

main().catch((e) => {
  document.getElementById("figures").textContent = `Error: ${e.message}`;
  document.body.dataset.ready = "error";
});
