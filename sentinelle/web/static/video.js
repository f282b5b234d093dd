// Playback and live view: the indexed segments (fragmented MP4, H.264, as recorded) played one
// after the other in an HTML5 <video>; the server answers Range requests (206).
"use strict";
const LANG = new URLSearchParams(location.search).get("lang") === "en" ? "en" : "fr";
const T = {
  fr: {
    subtitle: "Lecture et direct", room: "Salle de supervision", lang: "English", pick: "Choisir",
    player: "Images", camera: "Caméra", from: "Du", to: "Au", purpose: "Motif", play: "Lire",
    live: "Direct", none: "Aucune caméra ne vous est ouverte (habilitation requise).",
    empty: "Aucun enregistrement sur cette période.", refused: "Accès refusé",
    gap: (g) => `Coupure du ${fmt(g.from)} au ${fmt(g.to)}`, liveOn: "Direct",
    basis: "Base légale", requisition: "Réquisition n°", recipient: "Destinataire",
    export: "Exporter", exportTitle: "Export (réquisition, destinataire désigné, droit d'accès)",
    subjects: "Personne concernée (cliquer sur elle dans l'image ; vide : tout le monde flouté)",
    redacted: (d) => ` ; tiers floutés : ${d.persons_blurred} personne(s) sur ${d.frames_processed} images, aucun segment original`,
    redacting: (p) => `Floutage en cours : ${p.done} / ${p.total} images (${Math.round(100 * p.fraction)} %)`,
    queued: "Export en attente (un autre export est en cours)…",
    exported: (r) => `Export n° ${r.id} écrit dans ${r.out_dir} (${r.segments} segments, ${r.runs.length} séquence(s) continue(s)) ; empreinte du manifeste ${r.manifest_sha256}`,
    legal: "Seules les personnes individuellement désignées et habilitées peuvent visionner les images (CSI L252-2). Chaque ouverture est inscrite au journal d'audit.",
  },
  en: {
    subtitle: "Playback and live view", room: "Control room", lang: "Français", pick: "Pick",
    player: "Footage", camera: "Camera", from: "From", to: "To", purpose: "Purpose", play: "Play",
    live: "Live", none: "No camera is open to you (habilitation required).",
    empty: "No footage in this window.", refused: "Access refused",
    gap: (g) => `Gap from ${fmt(g.from)} to ${fmt(g.to)}`, liveOn: "Live",
    basis: "Legal basis", requisition: "Requisition no.", recipient: "Recipient",
    export: "Export", exportTitle: "Export (requisition, designated recipient, right of access)",
    subjects: "Data subject (click on them in the image; empty: everyone blurred)",
    redacted: (d) => `; third parties blurred: ${d.persons_blurred} person(s) over ${d.frames_processed} frames, no original segment`,
    redacting: (p) => `Blurring: ${p.done} / ${p.total} frames (${Math.round(100 * p.fraction)} %)`,
    queued: "Export waiting (another export is running)…",
    exported: (r) => `Export no. ${r.id} written to ${r.out_dir} (${r.segments} segments, ${r.runs.length} continuous run(s)); manifest hash ${r.manifest_sha256}`,
    legal: "Only individually designated and habilitated persons may view images (CSI L252-2). Every opening is written in the audit log.",
  },
}[LANG];
const DATE = new Intl.DateTimeFormat(LANG === "fr" ? "fr-FR" : "en-GB", {
  timeZone: "Europe/Paris", dateStyle: "short", timeStyle: "medium",
});
function fmt(iso) { return iso ? DATE.format(new Date(iso)) : "—"; }
const $ = (id) => document.getElementById(id);
const video = $("player");
const state = { segments: [], index: -1, live: false, timer: null, camera: null };
window.sentinellePlayer = state;

async function api(url) {
  const r = await fetch(url, { credentials: "same-origin" });
  let body = null;
  try { body = await r.json(); } catch (e) { body = null; }
  if (!r.ok) {
    const err = new Error((body && body.detail) || r.statusText);
    err.status = r.status;
    throw err;
  }
  return body;
}

function say(text, bad) {
  const m = $("msg");
  m.textContent = text || "";
  m.className = bad ? "msg error" : "msg";
}

function toLocalInput(d) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
function fromInput(v) { return v ? new Date(v).toISOString() : ""; }

function listSegments(segs, gaps) {
  const ol = $("segments");
  ol.textContent = "";
  const items = segs.map((s, i) => ({ t: s.start, text: `${fmt(s.start)} → ${fmt(s.end)}`, i }))
    .concat((gaps || []).map((g) => ({ t: g.from, text: T.gap(g), gap: true })));
  items.sort((a, b) => a.t.localeCompare(b.t));
  for (const it of items) {
    const li = document.createElement("li");
    li.textContent = it.text;
    if (it.gap) li.className = "gap";
    else { li.dataset.index = it.i; li.addEventListener("click", () => playAt(it.i)); }
    ol.appendChild(li);
  }
}

function playAt(i) {
  if (i < 0 || i >= state.segments.length) return;
  state.index = i;
  video.dataset.segmentIndex = String(i);
  video.src = state.segments[i].url;
  video.play().catch(() => {});
  for (const li of document.querySelectorAll("#segments li")) {
    li.classList.toggle("current", li.dataset.index === String(i));
  }
}

video.addEventListener("ended", () => {
  if (state.index + 1 < state.segments.length) playAt(state.index + 1);
});
video.addEventListener("timeupdate", () => {
  const s = state.segments[state.index];
  if (!s) return;
  const at = new Date(new Date(s.start).getTime() + video.currentTime * 1000);
  $("position").textContent = (state.live ? `${T.liveOn} · ` : "") + fmt(at.toISOString());
  video.dataset.position = at.toISOString();
});

function stopLive() {
  state.live = false;
  if (state.timer) clearInterval(state.timer);
  state.timer = null;
}

async function replay(ev) {
  if (ev) ev.preventDefault();
  stopLive();
  const cam = $("camera").value;
  const q = new URLSearchParams({ from: fromInput($("from").value), to: fromInput($("to").value) });
  if ($("purpose").value) q.set("purpose", $("purpose").value);
  try {
    const body = await api(`/api/video/${encodeURIComponent(cam)}/segments?${q}`);
    state.segments = body.segments;
    listSegments(body.segments, body.gaps);
    if (!body.segments.length) { say(T.empty); return; }
    say("");
    playAt(0);
  } catch (e) {
    say(`${T.refused} : ${e.message}`, true);
  }
}

async function live() {
  stopLive();
  const cam = $("camera").value;
  try {
    const body = await api(`/api/video/${encodeURIComponent(cam)}/live`);
    state.segments = body.segments;
    state.live = true;
    listSegments(body.segments, []);
    if (!body.segments.length) { say(T.empty); } else { say(""); playAt(body.segments.length - 1); }
    state.timer = setInterval(async () => {
      const last = state.segments[state.segments.length - 1];
      const q = new URLSearchParams({ opening: "false" });
      if (last) q.set("after", last.start);
      try {
        const more = await api(`/api/video/${encodeURIComponent(cam)}/live?${q}`);
        if (more.segments.length) {
          const wasAtEnd = video.ended || state.index < 0;
          state.segments = state.segments.concat(more.segments);
          listSegments(state.segments, []);
          if (wasAtEnd) playAt(state.index + 1);
        }
      } catch (e) { say(`${T.refused} : ${e.message}`, true); stopLive(); }
    }, (body.poll_s || 2) * 1000);
  } catch (e) {
    say(`${T.refused} : ${e.message}`, true);
  }
}

let CAMS = [];
function showExport() {
  const cam = CAMS.find((c) => c.id === $("camera").value);
  $("export-section").hidden = !(cam && cam.rights.includes("export"));
}

// Right of access: the operator designates the data subject by clicking on them in the image;
// the point (normalised 0–1 in the picture, letterbox excluded) and the footage time are sent.
function showSubjects() {
  $("subjects-label").hidden = $("legal-basis").value !== "droit_acces_rgpd";
}

function designate(ev) {
  const video = $("player");
  if ($("legal-basis").value !== "droit_acces_rgpd" || !video.dataset.position || !video.videoWidth) return;
  const box = video.getBoundingClientRect();
  const scale = Math.min(box.width / video.videoWidth, box.height / video.videoHeight);
  const w = video.videoWidth * scale, h = video.videoHeight * scale;
  const x = (ev.clientX - box.left - (box.width - w) / 2) / w;
  const y = (ev.clientY - box.top - (box.height - h) / 2) / h;
  if (x < 0 || x > 1 || y < 0 || y > 1) return;
  ev.preventDefault();
  const point = `${video.dataset.position}@${x.toFixed(4)},${y.toFixed(4)}`;
  $("subjects").value = ($("subjects").value + " " + point).trim();
}

// A right-of-access export redacts every frame (minutes): it runs in the background and the
// page shows its progress, polling the job once a second.
async function waitForJob(url, bar, msg) {
  for (;;) {
    await new Promise((ok) => setTimeout(ok, 1000));
    const job = await api(url);
    if (job.state === "done") return job.result;
    if (job.state === "failed") throw new Error(job.error.detail);
    bar.hidden = false;
    bar.max = Math.max(1, job.progress.total);
    bar.value = job.progress.done;
    msg.textContent = job.state === "queued" ? T.queued : T.redacting(job.progress);
  }
}

async function exportFootage(ev) {
  ev.preventDefault();
  const msg = $("export-msg");
  const bar = $("export-progress");
  const redacting = $("legal-basis").value === "droit_acces_rgpd";
  msg.className = "msg busy";
  msg.textContent = "…";
  delete msg.dataset.outDir;
  $("export").disabled = true;
  try {
    const me = await api("/api/me");
    const r = await fetch("/api/exports", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": me.csrf_token },
      body: JSON.stringify({
        camera_id: $("camera").value, from: fromInput($("from").value), to: fromInput($("to").value),
        legal_basis: $("legal-basis").value, requisition: $("requisition").value || null,
        recipient: $("recipient").value || null,
        subjects: redacting ? $("subjects").value.split(/\s+/).filter(Boolean) : [],
        background: redacting,
      }),
    });
    let body = await r.json();
    if (!r.ok) throw new Error(typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail));
    if (r.status === 202) body = await waitForJob(body.url, bar, msg);
    msg.className = "msg ok";
    msg.textContent = T.exported(body) + (body.redaction ? T.redacted(body.redaction) : "");
    msg.dataset.outDir = body.out_dir;
  } catch (e) {
    msg.className = "msg error";
    msg.textContent = `${T.refused} : ${e.message}`;
  } finally {
    bar.hidden = true;
    $("export").disabled = false;
  }
}

async function init() {
  $("subtitle").textContent = T.subtitle;
  $("nav-room").textContent = T.room;
  $("lang").textContent = T.lang;
  $("lang").href = LANG === "en" ? "?lang=fr" : "?lang=en";
  $("h-pick").textContent = T.pick;
  $("h-player").textContent = T.player;
  $("legal").textContent = T.legal;
  $("h-export").textContent = T.exportTitle;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = T[el.dataset.i18n];
  const params = new URLSearchParams(location.search);
  const now = new Date();
  $("to").value = params.get("to") ? toLocalInput(new Date(params.get("to"))) : toLocalInput(now);
  $("from").value = params.get("from") ? toLocalInput(new Date(params.get("from")))
    : toLocalInput(new Date(now.getTime() - 3600 * 1000));
  const sel = $("camera");
  const wanted = params.get("camera");
  let cams = [];
  try { cams = (await api("/api/video/cameras")).cameras; } catch (e) { say(e.message, true); }
  CAMS = cams;
  for (const c of cams) {
    const o = document.createElement("option");
    o.value = c.id;
    o.textContent = c.id + (c.rights.length ? ` (${c.rights.join(", ")})` : "");
    sel.appendChild(o);
  }
  if (wanted && !cams.some((c) => c.id === wanted)) {
    const o = document.createElement("option");  // asked for: the server decides (and audits)
    o.value = wanted; o.textContent = wanted;
    sel.appendChild(o);
  }
  if (wanted) sel.value = wanted;
  if (!cams.length && !wanted) say(T.none);
  $("pick").addEventListener("submit", replay);
  $("live").addEventListener("click", live);
  sel.addEventListener("change", showExport);
  $("export-form").addEventListener("submit", exportFootage);
  $("legal-basis").addEventListener("change", showSubjects);
  video.addEventListener("click", designate);
  showExport();
  document.body.dataset.ready = "1";
  if (params.get("autoplay") === "1" && sel.value) replay();
}
init();
