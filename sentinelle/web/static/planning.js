// The planning page: edit a scenario (TOML), run it as a background job with its progress,
// see the proposed sites on the map, compare two runs side by side, download the documents.
"use strict";

const YEAR_COLOURS = ["#d62728", "#ff7f0e", "#2ca02c", "#1f77b4", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];
const state = { jobs: [], a: null, b: null, maps: {}, layers: {}, renderers: {}, drawn: {}, polling: null };

function $(id) { return document.getElementById(id); }

function say(text, kind = "") {
  const m = $("message");
  m.textContent = text;
  m.className = kind;
}

async function postJSON(url, body) {
  const headers = { "Content-Type": "application/json" };
  const csrf = document.querySelector('meta[name="csrf-token"]');  // closed page: send it back
  if (csrf) headers["X-CSRF-Token"] = csrf.content;
  const r = await fetch(url, { method: "POST", headers, body: JSON.stringify(body) });
  if (r.status === 401) location.href = `/login?next=${encodeURIComponent(location.pathname)}`;
  const data = await r.json().catch(() => ({}));
  if (!r.ok) {
    const d = data.detail || {};
    const where = d.line ? `ligne ${d.line}` : "";
    const key = d.key ? `clé « ${d.key} »` : "";
    const msg = [where, key].filter(Boolean).join(", ");
    throw new Error((msg ? msg + " : " : "") + (d.reason || d.message || `HTTP ${r.status}`));
  }
  return data;
}

function body() { return { toml: $("scenario").value, label: $("label").value || null }; }

async function validate() {
  try {
    const v = await postJSON("/api/planning/validate", body());
    const target = v.new_cameras != null ? `${v.new_cameras} nouvelles caméras` : `budget ${fmt(v.budget_eur)} €`;
    say(`Scénario valide : « ${v.name} », ${target}, modèles ${v.models.join(", ")}.`, "ok");
  } catch (e) { say(e.message, "error"); }
}

async function run() {
  try {
    const job = await postJSON("/api/planning/jobs", body());
    say(`Calcul ${job.id} lancé.`, "ok");
    if (!state.a) state.a = job.id; else if (!state.b) state.b = job.id;
    await refresh();
    poll();
  } catch (e) { say(e.message, "error"); }
}

function poll() {
  if (state.polling) return;
  state.polling = setInterval(async () => {
    await refresh();
    if (!state.jobs.some((j) => j.status === "queued" || j.status === "running")) {
      clearInterval(state.polling);
      state.polling = null;
    }
  }, 1000);
}

const STATUS = { queued: "en attente", running: "en cours", done: "terminé", failed: "échec" };
const STAGE = { queued: "en attente", demand: "priorités", candidates: "candidats", coverage: "couverture", siting: "choix des sites", figures: "chiffres", done: "terminé", document: "document" };

async function refresh() {
  state.jobs = await getJSON("/api/planning/jobs");
  const running = state.jobs.find((j) => j.status === "running" || j.status === "queued");
  const bar = $("progress");
  if (running) {
    bar.hidden = false;
    bar.value = running.progress;
    say(`${running.label} : ${STAGE[running.stage] || running.stage} (${fmt(100 * running.progress)} %)`);
  } else {
    if (!bar.hidden) say("Calculs terminés.", "ok");
    bar.hidden = true;
  }
  const rows = state.jobs.map((j) => {
    const done = j.status === "done";
    const files = done ? [
      ["schema-directeur.pdf", "PDF"], ["schema-directeur.html", "HTML"], ["plan.json", "JSON"], ["sites.geojson", "GeoJSON"],
    ].filter(([n]) => j.outputs.includes(n)).map(([n, t]) => `<a href="/api/planning/jobs/${j.id}/files/${n}" target="_blank">${t}</a>`).join(" ") : "";
    const st = j.status === "failed" ? `<span title="${esc(j.error)}">échec : ${esc((j.error || "").slice(0, 120))}</span>`
      : j.status === "done" ? `terminé — ${j.summary.new_sites} sites, ${esc(j.summary.status)}`
      : `${STATUS[j.status]} ${fmt(100 * j.progress)} %`;
    const radio = (slot) => `<input type="radio" name="slot-${slot}" value="${j.id}" ${state[slot] === j.id ? "checked" : ""} ${done ? "" : "disabled"} aria-label="${slot.toUpperCase()}">`;
    return `<tr><td>${radio("a")}</td><td>${radio("b")}</td><td>${esc(j.label)}<br><small>${j.id}</small></td><td>${st}</td><td>${files}</td></tr>`;
  });
  $("jobs").innerHTML = rows.length ? rows.join("") : `<tr><td colspan="5">Aucun calcul pour l'instant.</td></tr>`;
  for (const slot of ["a", "b"]) {
    document.querySelectorAll(`input[name=slot-${slot}]`).forEach((el) => el.addEventListener("change", () => { state[slot] = el.value; show(); }));
  }
  show();
}

function jobById(id) { return state.jobs.find((j) => j.id === id); }

async function drawSlot(slot) {
  const job = jobById(state[slot]);
  const ready = job && job.status === "done";
  const key = ready ? job.id : null;
  if (state.drawn[slot] === key) return;  // already drawn (the list refreshes every second)
  state.drawn[slot] = key;
  const map = state.maps[slot];
  if (state.layers[slot]) { map.removeLayer(state.layers[slot]); state.layers[slot] = null; }
  const title = $(`title-${slot}`);
  if (!ready) {
    title.textContent = `${slot.toUpperCase()} — choisir un calcul terminé`;
    return;
  }
  const sites = await getJSON(`/api/planning/jobs/${job.id}/files/sites.geojson`);
  if (state.drawn[slot] !== key) return;  // another run was chosen meanwhile
  const years = [...new Set(sites.features.filter((f) => f.properties.status === "proposed").map((f) => f.properties.year))].sort();
  const colour = (y) => (y == null ? "#555" : YEAR_COLOURS[years.indexOf(y) % YEAR_COLOURS.length]);
  const group = L.layerGroup();
  for (const f of sites.features) {
    const p = f.properties;
    const [lon, lat] = f.geometry.coordinates;
    const existing = p.status === "existing";
    const m = L.circleMarker([lat, lon], {
      renderer: state.renderers[slot], radius: existing ? 5 : 6, weight: existing ? 2 : 1, color: existing ? "#fff" : "#222",
      fillColor: existing ? "#111111" : colour(p.year), fillOpacity: 0.95, className: existing ? "site-existing" : "site-proposed",
    });
    m.bindPopup(existing ? `<b>${esc(p.name || p.id)}</b><br>caméra existante`
      : `<b>n° ${p.rank} — ${esc(p.site_id)}</b><br>${esc(p.name || "")}<br>${esc(p.model_label)}, ${esc(p.resolution)} (${esc(p.dori_level)})<br>` +
        `année ${p.year ?? "hors programme"} — ${fmt(p.cost_eur)} €<br>liaison ${esc(p.transmission)}`);
    m.addTo(group);
  }
  group.addTo(map);
  state.layers[slot] = group;
  const legend = years.map((y) => `<span class="legend-year" style="background:${colour(y)}"></span>${y ?? "hors prog."}`).join("");
  title.innerHTML = `${slot.toUpperCase()} — ${esc(job.label)} <small>${legend}</small>`;
}

function figureRows(a, b) {
  const pct = (v) => (v == null ? "—" : `${fmt(v, 1)} %`);
  const share = (v) => (v == null ? "—" : `${fmt(100 * v, 1)} %`);
  const eur = (v) => (v == null ? "—" : `${fmt(v)} €`);
  const rows = [
    ["Caméras (avant → après)", (s) => `${s.cameras_before} → ${s.cameras_after}`],
    ["Résolution", (s) => `${esc(s.status)}, écart ${share(s.gap)}`],
    ["Rues couvertes (avant → après)", (s) => `${pct(s.street_coverage_before_pct)} → ${pct(s.street_coverage_after_pct)}`],
    ["Priorité couverte (avant → après)", (s) => `${share(s.priority_before)} → ${share(s.priority_after)}`],
  ];
  const names = [...new Set([...(a ? a.qpv : []), ...(b ? b.qpv : [])].map((q) => q.name))];
  for (const n of names) {
    rows.push([`QPV ${esc(n)} : rues couvertes`, (s) => {
      const q = s.qpv.find((x) => x.name === n);
      return q ? `${pct(q.coverage_before_pct)} → ${pct(q.coverage_after_pct)}` : "—";
    }]);
  }
  rows.push(
    ["Investissement (programme)", (s) => eur(s.capex_total_eur)],
    ["Fonctionnement (programme)", (s) => eur(s.opex_total_eur)],
    ["Coût total", (s) => eur(s.total_eur)],
    ["Coût complet par caméra et par an", (s) => eur(s.full_cost_per_camera_year_eur)],
    ["Opérateurs CSU (ETP)", (s) => fmt(s.staffing_fte_after, 1)],
    ["Stockage brut (To)", (s) => fmt(s.storage_raw_tb_after, 1)],
    ["Sites hors programme", (s) => fmt(s.left_over)],
    ["Mises en service par an", (s) => s.years.map((y) => `${y.year} : ${y.new_sites}`).join(", ")],
  );
  return rows;
}

function show() {
  const a = jobById(state.a), b = jobById(state.b);
  drawSlot("a");
  drawSlot("b");
  const sa = a && a.status === "done" ? a.summary : null;
  const sb = b && b.status === "done" ? b.summary : null;
  if (!sa && !sb) return;
  const cell = (s, f) => (s ? f(s) : "—");
  const head = `<tr><th>Indicateur</th><th>A — ${esc(sa ? sa.label : "")}</th><th>B — ${esc(sb ? sb.label : "")}</th></tr>`;
  const body = figureRows(sa, sb).map(([label, f]) => `<tr><td>${label}</td><td>${cell(sa, f)}</td><td>${cell(sb, f)}</td></tr>`).join("");
  $("figures-table").innerHTML = `<table id="comparison">${head}${body}</table>`;
}

async function main() {
  for (const slot of ["a", "b"]) {
    state.maps[slot] = makeMap(`map-${slot}`);
    state.renderers[slot] = L.svg({ padding: 0.3 });  // sites as SVG: a class per marker
  }
  // Keep both maps on the same view.
  let syncing = false;
  for (const [from, to] of [["a", "b"], ["b", "a"]]) {
    state.maps[from].on("moveend", () => {
      if (syncing) return;
      syncing = true;
      state.maps[to].setView(state.maps[from].getCenter(), state.maps[from].getZoom(), { animate: false });
      syncing = false;
    });
  }
  $("validate").addEventListener("click", validate);
  $("run").addEventListener("click", run);
  $("reload").addEventListener("click", async () => { $("scenario").value = await (await fetch("/api/planning/example")).text(); say("Scénario de Rennes rechargé."); });
  $("scenario").value = await (await fetch("/api/planning/example")).text();
  try {
    const [base, zones] = await Promise.all([getJSON("/api/basemap"), getJSON("/api/zones")]);
    for (const slot of ["a", "b"]) {
      drawBasemap(state.maps[slot], base);
      // QPV outlines, on this map's own renderer (a renderer belongs to one map).
      const feats = { type: "FeatureCollection", features: zones.features.filter((f) => f.properties.kind === "qpv") };
      const qpv = L.geoJSON(feats, {
        renderer: state.renderers[slot], interactive: false,
        style: { color: "#6a1b9a", weight: 2.5, dashArray: "6 4", fill: false },
      }).addTo(state.maps[slot]);
      if (qpv.getLayers().length) state.maps[slot].fitBounds(qpv.getBounds().pad(0.05));
    }
  } catch (e) {
    say(`Fond de carte indisponible : ${e.message}`, "error");
  }
  await refresh();
  if (state.jobs.some((j) => j.status === "queued" || j.status === "running")) poll();
}

main();
