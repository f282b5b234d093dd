// Control room: camera health (refreshed every 5 s), the log (main courante), maintenance tickets.
"use strict";
const LANG = new URLSearchParams(location.search).get("lang") === "en" ? "en" : "fr";
const T = {
  fr: {
    subtitle: "Salle de supervision", map: "Carte publique", lang: "English", health: "Santé des caméras",
    log: "Main courante", tickets: "Tickets de maintenance", camera: "Caméra", state: "État",
    lastSegment: "Dernier segment", bitrate: "Débit (kb/s)", gaps: "Coupures 24 h",
    avail24: "Disponibilité 24 h", avail30: "Disponibilité 30 j", category: "Catégorie", text: "Texte",
    add: "Ajouter", time: "Heure (Paris)", author: "Auteur", fault: "Panne", open: "Ouvrir",
    opened: "Ouvert", closed: "Fermé", resolution: "Résolution", close: "Fermer",
    resolutionPrompt: "Résolution (facultatif) :",
    recorderOn: (r) => `Enregistreur actif (pid ${r.pid}, ${r.host}) depuis ${fmt(r.started_at)}`,
    recorderOff: "Aucun enregistreur actif : aucune caméra n'est enregistrée.",
    silent: (c) => `${c.id} : aucune image depuis ${Math.round(c.silent_s)} s`,
    states: { recording: "enregistre", reconnecting: "reconnexion", offline: "hors ligne", stopped: "arrêtée" },
    categories: { incident: "incident", signalement: "signalement", maintenance: "maintenance", other: "autre" },
    none: "—",
  },
  en: {
    subtitle: "Control room", map: "Public map", lang: "Français", health: "Camera health",
    log: "Control-room log", tickets: "Maintenance tickets", camera: "Camera", state: "State",
    lastSegment: "Last segment", bitrate: "Bitrate (kb/s)", gaps: "Gaps 24 h",
    avail24: "Availability 24 h", avail30: "Availability 30 d", category: "Category", text: "Text",
    add: "Add", time: "Time (Paris)", author: "Author", fault: "Fault", open: "Open",
    opened: "Opened", closed: "Closed", resolution: "Resolution", close: "Close",
    resolutionPrompt: "Resolution (optional):",
    recorderOn: (r) => `Recorder running (pid ${r.pid}, ${r.host}) since ${fmt(r.started_at)}`,
    recorderOff: "No recorder running: no camera is being recorded.",
    silent: (c) => `${c.id}: no footage for ${Math.round(c.silent_s)} s`,
    states: { recording: "recording", reconnecting: "reconnecting", offline: "offline", stopped: "stopped" },
    categories: { incident: "incident", signalement: "report", maintenance: "maintenance", other: "other" },
    none: "—",
  },
}[LANG];

const DATE = new Intl.DateTimeFormat(LANG === "fr" ? "fr-FR" : "en-GB", {
  timeZone: "Europe/Paris", dateStyle: "short", timeStyle: "medium",
});
function fmt(iso) { return iso ? DATE.format(new Date(iso)) : T.none; }
function pct(x) { return x === null || x === undefined ? T.none : `${(100 * x).toFixed(1)} %`; }
function cell(tr, text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  tr.appendChild(td);
  return td;
}

async function api(url, opts = {}) {
  const headers = { "Content-Type": "application/json" };
  const csrf = document.querySelector('meta[name="csrf-token"]');
  if (csrf && opts.method && opts.method !== "GET") headers["X-CSRF-Token"] = csrf.content;
  const r = await fetch(url, { headers, credentials: "same-origin", ...opts });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(typeof body.detail === "string" ? body.detail : `HTTP ${r.status}`);
  return body;
}

async function refreshHealth() {
  const s = await api("/api/record/status");
  document.getElementById("recorder").textContent = s.recorder.running ? T.recorderOn(s.recorder) : T.recorderOff;
  const alerts = document.getElementById("alerts");
  alerts.replaceChildren(...s.cameras.filter((c) => c.alert).map((c) => {
    const li = document.createElement("li");
    li.textContent = T.silent(c);
    return li;
  }));
  const tbody = document.querySelector("#health tbody");
  tbody.replaceChildren(...s.cameras.map((c) => {
    const tr = document.createElement("tr");
    tr.dataset.camera = c.id;
    cell(tr, c.id);
    const st = cell(tr, "");
    const badge = document.createElement("span");
    badge.className = `state state-${c.state}`;
    badge.textContent = T.states[c.state] || c.state;
    st.appendChild(badge);
    cell(tr, fmt(c.last_segment));
    cell(tr, c.bitrate_kbps === null ? T.none : Math.round(c.bitrate_kbps), "num");
    cell(tr, c.gaps_24h, "num");
    cell(tr, pct(c.availability_24h), "num");
    cell(tr, pct(c.availability_30d), "num");
    return tr;
  }));
  document.getElementById("camera-ids").replaceChildren(...s.cameras.map((c) => {
    const o = document.createElement("option");
    o.value = c.id;
    return o;
  }));
}

async function refreshLog() {
  const { entries } = await api("/api/log?limit=100");
  document.querySelector("#log tbody").replaceChildren(...entries.map((e) => {
    const tr = document.createElement("tr");
    cell(tr, fmt(e.at)); cell(tr, e.camera_id || T.none);
    cell(tr, T.categories[e.category] || e.category); cell(tr, e.author); cell(tr, e.text);
    return tr;
  }));
}

async function refreshTickets() {
  const { tickets } = await api("/api/tickets");
  document.querySelector("#tickets tbody").replaceChildren(...tickets.map((t) => {
    const tr = document.createElement("tr");
    cell(tr, t.id, "num"); cell(tr, t.camera_id); cell(tr, t.fault);
    cell(tr, `${fmt(t.opened_at)} (${t.opened_by})`);
    cell(tr, t.closed_at ? `${fmt(t.closed_at)} (${t.closed_by})` : T.none);
    cell(tr, t.resolution || T.none);
    const td = cell(tr, "");
    if (t.open) {
      const b = document.createElement("button");
      b.type = "button"; b.textContent = T.close; b.dataset.ticket = t.id;
      b.addEventListener("click", async () => {
        const resolution = prompt(T.resolutionPrompt) || null;
        try {
          await api(`/api/tickets/${t.id}/close`, { method: "POST", body: JSON.stringify({ resolution }) });
          document.getElementById("ticket-msg").textContent = "";
        } catch (err) { document.getElementById("ticket-msg").textContent = err.message; }
        refreshTickets();
      });
      td.appendChild(b);
    }
    return tr;
  }));
}

function formJSON(form) {
  const data = Object.fromEntries(new FormData(form).entries());
  for (const k of Object.keys(data)) if (data[k] === "") data[k] = null;
  return data;
}

function bindForm(id, url, msgId, after) {
  document.getElementById(id).addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const msg = document.getElementById(msgId);
    try {
      await api(url, { method: "POST", body: JSON.stringify(formJSON(ev.target)) });
      msg.textContent = "";
      ev.target.reset();
    } catch (err) { msg.textContent = err.message; }
    after();
  });
}

function translate() {
  document.documentElement.lang = LANG;
  document.getElementById("subtitle").textContent = T.subtitle;
  document.getElementById("nav-map").textContent = T.map;
  const lang = document.getElementById("lang");
  lang.textContent = T.lang;
  lang.href = LANG === "en" ? "?lang=fr" : "?lang=en";
  document.getElementById("h-health").textContent = T.health;
  document.getElementById("h-log").textContent = T.log;
  document.getElementById("h-tickets").textContent = T.tickets;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = T[el.dataset.i18n];
  for (const o of document.querySelectorAll("select[name=category] option")) o.textContent = T.categories[o.value];
}

translate();
bindForm("log-form", "/api/log", "log-msg", refreshLog);
bindForm("ticket-form", "/api/tickets", "ticket-msg", refreshTickets);
refreshHealth(); refreshLog(); refreshTickets();
setInterval(() => refreshHealth().catch(() => {}), 5000);
setInterval(() => { refreshLog().catch(() => {}); refreshTickets().catch(() => {}); }, 15000);
