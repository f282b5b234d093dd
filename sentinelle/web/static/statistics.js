// Anonymous statistics: counts per interval (chart and table) and the zones and lines drawn on
// a blurred still of the camera (shown only to users with a live habilitation).
"use strict";
(() => {
  const LANG = document.documentElement.lang === "en" ? "en" : "fr";
  const T = {
    fr: { legal: "Comptages anonymes (CNIL 2022) : les images sont analysées en mémoire puis supprimées aussitôt ; seuls des totaux par intervalle, zone ou ligne, sens et classe sont conservés.",
      camera: "Caméra", from: "Du", to: "Au", interval: "Intervalle", show: "Afficher", start: "Début (Paris)",
      zoneOrLine: "Zone / ligne", direction: "Sens", class: "Classe", count: "Nombre",
      none: "Aucune caméra n'a de statistiques activées.", noData: "Aucun comptage sur la période.",
      basis: (c) => `${c.legal_basis} — jusqu'au ${c.until} — AIPD ${c.dpia_ref} — ${c.purpose}` + (c.active ? "" : " (inactive)"),
      noStill: "Image non affichée : habilitation « direct » requise ; zones et lignes sur fond neutre.",
      still: "Image floutée (personnes floutées, masques remplis), non conservée.",
      classes: { person: "personnes", bicycle: "vélos", motor_vehicle: "véhicules motorisés", bag: "sacs" },
      dirs: { a_to_b: "a → b", b_to_a: "b → a" } },
    en: { legal: "Anonymous counts (CNIL 2022): frames are analysed in memory and deleted at once; only totals per interval, zone or line, direction and class are kept.",
      camera: "Camera", from: "From", to: "To", interval: "Interval", show: "Show", start: "Start (Paris)",
      zoneOrLine: "Zone / line", direction: "Direction", class: "Class", count: "Count",
      none: "No camera has statistics enabled.", noData: "No count over the period.",
      basis: (c) => `${c.legal_basis} — until ${c.until} — DPIA ${c.dpia_ref} — ${c.purpose}` + (c.active ? "" : " (inactive)"),
      noStill: "Image not shown: a live habilitation is required; zones and lines on a neutral background.",
      still: "Blurred image (people blurred, masks filled), not kept.",
      classes: { person: "people", bicycle: "bicycles", motor_vehicle: "motor vehicles", bag: "bags" },
      dirs: { a_to_b: "a → b", b_to_a: "b → a" } },
  }[LANG];
  const $ = (id) => document.getElementById(id);
  document.querySelectorAll("[data-i18n]").forEach((el) => { const v = T[el.dataset.i18n]; if (typeof v === "string") el.textContent = v; });
  const SVGNS = "http://www.w3.org/2000/svg";
  const el = (name, attrs, text) => { const e = document.createElementNS(SVGNS, name); for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v); if (text) e.textContent = text; return e; };
  let cameras = [];
  const local = (d) => new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  const now = new Date();
  $("st-to").value = local(now);
  $("st-from").value = local(new Date(now.getTime() - 86400000));

  function drawShapes(cam) {
    const svg = $("st-shapes");
    svg.replaceChildren();
    for (const s of cam.shapes) {
      const pts = s.points.map((p) => p.join(",")).join(" ");
      svg.append(el(s.kind === "zone" ? "polygon" : "polyline", { points: pts }));
      const [x, y] = s.points[0];
      svg.append(el("text", { x, y }, s.name + (s.kind === "line" ? " (a→b)" : "")));
    }
    const img = $("st-still");
    img.onerror = () => { img.setAttribute("src", ""); $("st-caption").textContent = T.noStill; };
    img.onload = () => { $("st-caption").textContent = T.still; };
    img.setAttribute("src", `/api/analytics/cameras/${encodeURIComponent(cam.camera_id)}/still?t=${Date.now()}`);
  }

  const fmt = new Intl.DateTimeFormat(LANG === "fr" ? "fr-FR" : "en-GB", { timeZone: "Europe/Paris", dateStyle: "short", timeStyle: "short" });

  function label(r) { return r.zone !== null ? r.zone : `${r.line} ${T.dirs[r.direction] || ""}`; }

  function drawChart(series) {
    const svg = $("st-chart");
    svg.replaceChildren();
    $("st-legend").replaceChildren();
    if (!series.length) { svg.append(el("text", { x: 20, y: 150 }, T.noData)); return; }
    // Every interval from the first count to the last, empty ones at zero.
    const step = { "10s": 10e3, "1min": 60e3, "15min": 900e3, "1h": 3600e3, "1d": 86400e3 }[$("st-interval").value] || 900e3;
    const seen = [...new Set(series.map((r) => r.start))].sort();
    const first = Date.parse(seen[0]), last = Date.parse(seen[seen.length - 1]);
    const starts = [];
    for (let t = first; t <= last && starts.length < 2000; t += step) starts.push(new Date(t).toISOString().replace(".000Z", "Z"));
    for (const s of seen) if (!starts.includes(s)) starts.push(s);
    starts.sort();
    const keys = [...new Set(series.map((r) => `${label(r)} — ${T.classes[r.class] || r.class}`))];
    const max = Math.max(...series.map((r) => r.count), 1);
    const W = 640, H = 300, L = 40, B = 30, bw = (W - L - 10) / starts.length;
    const colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];
    svg.append(el("line", { x1: L, y1: H - B, x2: W - 5, y2: H - B, stroke: "#333" }));
    svg.append(el("text", { x: 4, y: 14, "font-size": 11 }, String(max)));
    keys.forEach((k, ki) => {
      const pts = starts.map((s, i) => {
        const r = series.find((x) => x.start === s && `${label(x)} — ${T.classes[x.class] || x.class}` === k);
        const y = (H - B) - ((r ? r.count : 0) / max) * (H - B - 20);
        return `${L + bw * (i + 0.5)},${y}`;
      }).join(" ");
      const c = colours[ki % colours.length];
      svg.append(el("polyline", { points: pts, fill: "none", stroke: c, "stroke-width": 2 }));
      const item = document.createElement("span");
      item.style.color = c; item.textContent = `■ ${k}  `;
      $("st-legend").append(item);
    });
    [0, starts.length - 1].forEach((i) => svg.append(el("text", { x: L + bw * i, y: H - 10, "font-size": 11 }, fmt.format(new Date(starts[i])))));
  }

  function drawTable(series) {
    const body = $("st-table").querySelector("tbody");
    body.replaceChildren();
    for (const r of series) {
      const tr = document.createElement("tr");
      for (const v of [fmt.format(new Date(r.start)), r.zone ?? r.line, r.direction ? T.dirs[r.direction] : "—", T.classes[r.class] || r.class, r.count]) {
        const td = document.createElement("td"); td.textContent = String(v); tr.append(td);
      }
      body.append(tr);
    }
  }

  async function show() {
    const cam = cameras.find((c) => c.camera_id === $("st-camera").value);
    if (!cam) return;
    $("st-basis").textContent = T.basis(cam);
    drawShapes(cam);
    const q = new URLSearchParams({ camera: cam.camera_id, interval: $("st-interval").value,
      from: new Date($("st-from").value).toISOString(), to: new Date($("st-to").value).toISOString() });
    const res = await fetch(`/api/analytics/stats?${q}`);
    const data = res.ok ? await res.json() : { series: [] };
    drawChart(data.series);
    drawTable(data.series);
  }

  $("st-form").addEventListener("submit", (ev) => { ev.preventDefault(); show(); });
  $("st-camera").addEventListener("change", show);
  fetch("/api/analytics/cameras").then((r) => r.json()).then((data) => {
    cameras = data.cameras;
    if (!cameras.length) {
      $("st-basis").textContent = T.none;
      for (const id of ["st-form", "st-view", "st-chart-box", "st-table"]) $(id).style.display = "none";
      return;
    }
    for (const c of cameras) { const o = document.createElement("option"); o.value = o.textContent = c.camera_id; $("st-camera").append(o); }
    show();
  });
})();
