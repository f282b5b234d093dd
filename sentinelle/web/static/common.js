// Shared map drawing: base map from our own vector data, zones, visible areas, camera markers.
"use strict";

async function getJSON(url, opts = {}) {
  // Closed pages carry their session's CSRF token; state-changing requests send it back.
  const csrf = document.querySelector('meta[name="csrf-token"]');
  if (csrf && opts.method && opts.method !== "GET") {
    opts.headers = { ...(opts.headers || {}), "X-CSRF-Token": csrf.content };
  }
  const r = await fetch(url, opts);
  if (r.status === 401 && !url.startsWith("/api/public/")) {
    location.href = `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
  }
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r.json();
}

function makeMap(el) {
  const map = L.map(el, { preferCanvas: true, zoomSnap: 0.25, attributionControl: true });
  map.attributionControl.setPrefix(false);
  map.setView([48.111, -1.68], 13);
  return map;
}

const STREET_WEIGHT = { trunk: 3, primary: 3, secondary: 2.5, tertiary: 2, residential: 1.2, living_street: 1.2, pedestrian: 1.5, unclassified: 1.2 };

function drawBasemap(map, base) {
  const group = L.layerGroup();
  const renderer = L.canvas({ padding: 0.3 });
  if (base.blocks && base.blocks.features.length) {
    L.geoJSON(base.blocks, { renderer, interactive: false, style: { stroke: false, fillColor: "#e3ded6", fillOpacity: 1 } }).addTo(group);
  }
  if (base.buildings && base.buildings.features.length) {
    L.geoJSON(base.buildings, { renderer, interactive: false, style: { color: "#b7aea1", weight: 0.5, fillColor: "#d2c9bc", fillOpacity: 1 } }).addTo(group);
  }
  if (base.streets && base.streets.features.length) {
    L.geoJSON(base.streets, {
      renderer, interactive: false,
      style: (f) => ({ color: "#ffffff", weight: (STREET_WEIGHT[f.properties.highway] || 1) + 1.5, opacity: 1 }),
    }).addTo(group);
    L.geoJSON(base.streets, {
      renderer, interactive: false,
      style: (f) => ({ color: "#9a9a9a", weight: (STREET_WEIGHT[f.properties.highway] || 0.8) * 0.5, opacity: 0.9 }),
    }).addTo(group);
  }
  group.addTo(map);
  return group;
}

function coverageColour(pct) {
  if (pct === null || pct === undefined) return "#cccccc";
  const stops = [[0, "#fff5eb"], [5, "#fdd0a2"], [15, "#fd8d3c"], [30, "#d94801"], [50, "#7f2704"]];
  let c = stops[0][1];
  for (const [v, col] of stops) if (pct >= v) c = col;
  return c;
}

const SVG = L.svg({ padding: 0.2 });

function drawZones(map, zones, kind, opts = {}) {
  const feats = { type: "FeatureCollection", features: zones.features.filter((f) => f.properties.kind === kind) };
  return L.geoJSON(feats, {
    renderer: SVG,
    className: `zone zone-${kind}`,
    style: (f) => ({
      color: kind === "qpv" ? "#6a1b9a" : "#555",
      weight: kind === "qpv" ? 2.5 : 1,
      dashArray: kind === "qpv" ? "6 4" : null,
      fillColor: coverageColour(f.properties.covered_pct),
      fillOpacity: opts.fill === false ? 0 : 0.35,
    }),
    onEachFeature: (f, layer) => {
      const p = f.properties;
      layer.bindTooltip(`<b>${esc(p.name)}</b><br>${T.covered}: ${fmt(p.covered_pct, 1)} %`, { sticky: true });
    },
  });
}

function viewStyle() {
  return { color: "#1565c0", weight: 1, fillColor: "#1e88e5", fillOpacity: 0.35 };
}

function cameraIcon(extra = "") {
  return L.divIcon({ className: `camera-marker ${extra}`, iconSize: [14, 14], html: "<span></span>" });
}

let PURPOSE_LABELS = {};

function cameraPopup(p) {
  const heads = (p.heads || []).map((h) => `${fmt(h.azimuth_deg)}°/${fmt(h.hfov_deg)}°`).join(", ");
  const rows = [
    [T.type, T.types[p.type] || p.type || T.unknown],
    [T.status, T.statuses[p.status] || p.status],
    [T.installed, p.installed || p.installed_raw || T.unknown],
    [T.height, p.height_m != null ? `${fmt(p.height_m, 1)} m` : T.unknown],
    [T.heads, heads || T.unknown],
    [T.purposes, (p.purposes || []).map((c) => (LANG === "fr" && PURPOSE_LABELS[c]) || c).join(" ; ") || T.unknown],
    [T.visibleArea, p.visible_area_m2 != null ? `${fmt(p.visible_area_m2)} m²` : T.unknown],
  ];
  return `<div class="camera-popup"><h3>${esc(p.name || p.id)}</h3><p class="camid">${esc(p.id)}</p>` +
    `<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join("")}</table>` +
    (p.assumed ? `<p class="assumed">⚠ ${esc(T.assumed)}</p>` : "") + `</div>`;
}

function coverageTable(rows, title) {
  const body = rows.map((z) => `<tr><td>${esc(z.name)}</td><td class="num">${fmt(z.street_m / 1000, 1)}</td>` +
    `<td class="num"><span class="bar" style="--w:${Math.min(100, z.covered_pct || 0)}%"></span>${fmt(z.covered_pct, 1)} %</td>` +
    `<td class="num">${fmt(z.cameras)}</td></tr>`).join("");
  return `<h2>${esc(title)}</h2><table class="coverage"><thead><tr><th>${T.zone}</th><th>${T.streets}</th><th>${T.covered}</th><th>${T.cameras}</th></tr></thead><tbody>${body}</tbody></table>`;
}

function timelineChart(points) {
  // points: [{year: 2010.2, n: 7, label}] drawn as a step chart in SVG.
  const W = 320, H = 130, L0 = 30, B = 20, T0 = 10, R = 10;
  const xs = (y) => L0 + ((y - 2010) / (2026 - 2010)) * (W - L0 - R);
  const ymax = 180;
  const ys = (n) => H - B - (n / ymax) * (H - B - T0);
  let path = "", dots = "";
  points.forEach((p, i) => {
    path += `${i ? "L" : "M"}${xs(p.year).toFixed(1)},${ys(p.n).toFixed(1)} `;
    dots += `<circle cx="${xs(p.year).toFixed(1)}" cy="${ys(p.n).toFixed(1)}" r="3.5" class="${p.planned ? "planned" : ""}"><title>${esc(p.label)}: ${p.n}</title></circle>`;
  });
  let axis = "";
  for (let y = 2010; y <= 2026; y += 4) axis += `<text x="${xs(y)}" y="${H - 5}" text-anchor="middle">${y}</text>`;
  for (const n of [0, 50, 100, 150]) axis += `<text x="${L0 - 4}" y="${ys(n) + 4}" text-anchor="end">${n}</text><line x1="${L0}" x2="${W - R}" y1="${ys(n)}" y2="${ys(n)}" class="grid"/>`;
  return `<svg class="timeline" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(T.timeline)}">${axis}<path d="${path}"/>${dots}</svg>`;
}

function timelinePoints(rows) {
  const out = [];
  for (const r of rows) {
    const n = parseInt(String(r.n_cameras_total_reported || "").replace("~", ""), 10);
    if (!n) continue;
    const m = String(r.date).match(/(\d{4})(?:-(\d{2}))?/);
    if (!m) continue;
    const year = +m[1] + (m[2] ? (+m[2] - 1) / 12 : 0.5);
    out.push({ year, n, label: r.date, planned: /planned|prévu/.test(r.date) });
  }
  return out.sort((a, b) => a.year - b.year);
}

function attributionHtml(info) {
  return `<h2>${T.attributions}</h2><ul class="attrib">${info.attributions.map((a) => `<li>${esc(a)}</li>`).join("")}</ul>`;
}

function setupHeader(title, subtitle) {
  document.title = title;
  document.getElementById("title").textContent = title;
  document.getElementById("subtitle").textContent = subtitle;
  document.getElementById("honesty").textContent = T.honesty;
  const langLink = document.getElementById("lang");
  langLink.textContent = T.lang;
  langLink.href = switchLangLink();
}
