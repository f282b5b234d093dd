// Custody page: legal holds, judicial requisitions, data subjects' access requests.
"use strict";
const LANG = new URLSearchParams(location.search).get("lang") === "en" ? "en" : "fr";
const T = {
  fr: {
    subtitle: "Réquisitions, gels et demandes d'accès", map: "Carte publique", lang: "English",
    holds: "Gels en cours", req: "Réquisitions judiciaires", rr: "Demandes d'accès (RGPD)",
    camera: "Caméra", from: "Du", to: "Au", kind: "Motif", reason: "Raison", until: "Jusqu'au",
    reference: "Numéro", authority: "Autorité", officer: "OPJ / magistrat", document: "Pièce",
    procedure: "Procédure", category: "Infraction", record: "Enregistrer", windows: "Fenêtres",
    state: "État", outcome: "Suite", requester: "Demandeur", received: "Reçue", deadline: "Échéance",
    open: "ouverte", closed: "close", incomplete: "incomplète", overdue: "en retard", close: "Clore",
    kinds: { requisition: "réquisition", rights_request: "demande d'accès", manual: "manuel" },
    found: "Images trouvées ? (oui/non)", useful: "Utiles ? (oui/non)", solved: "Affaire élucidée ? (oui/non)",
    answer: "Réponse (communicated, no_footage, refused, withdrawn) :",
    saved: "Enregistré.", denied: "Accès non autorisé pour votre rôle.", none: "—",
    holdsNote: "Les images sous gel ne sont jamais détruites par la purge.",
  },
  en: {
    subtitle: "Requisitions, holds and access requests", map: "Public map", lang: "Français",
    holds: "Active holds", req: "Judicial requisitions", rr: "Access requests (GDPR)",
    camera: "Camera", from: "From", to: "To", kind: "Kind", reason: "Reason", until: "Until",
    reference: "Number", authority: "Authority", officer: "Officer / magistrate", document: "Document",
    procedure: "Procedure", category: "Offence", record: "Record", windows: "Windows",
    state: "State", outcome: "Outcome", requester: "Requester", received: "Received", deadline: "Deadline",
    open: "open", closed: "closed", incomplete: "incomplete", overdue: "overdue", close: "Close",
    kinds: { requisition: "requisition", rights_request: "access request", manual: "manual" },
    found: "Footage found? (yes/no)", useful: "Useful? (yes/no)", solved: "Case solved? (yes/no)",
    answer: "Answer (communicated, no_footage, refused, withdrawn):",
    saved: "Saved.", denied: "Not allowed for your role.", none: "—",
    holdsNote: "Footage under hold is never destroyed by the purge.",
  },
}[LANG];

const DATE = new Intl.DateTimeFormat(LANG === "fr" ? "fr-FR" : "en-GB", {
  timeZone: "Europe/Paris", dateStyle: "short", timeStyle: "short",
});
function fmt(iso) { return iso ? DATE.format(new Date(iso)) : T.none; }
function cell(tr, text) {
  const td = document.createElement("td");
  td.textContent = text;
  tr.appendChild(td);
  return td;
}
function yes(text) { return /^(o|oui|y|yes|1|true)$/i.test((text || "").trim()); }

async function api(url, opts = {}) {
  const headers = { "Content-Type": "application/json" };
  const csrf = document.querySelector('meta[name="csrf-token"]');
  if (csrf && opts.method && opts.method !== "GET") headers["X-CSRF-Token"] = csrf.content;
  const r = await fetch(url, { headers, credentials: "same-origin", ...opts });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) {
    const err = new Error(typeof body.detail === "string" ? body.detail : `HTTP ${r.status}`);
    err.status = r.status;
    throw err;
  }
  return body;
}

// datetime-local is the browser's local time: send it as an absolute instant.
function instant(value) { return new Date(value).toISOString(); }

async function loadHolds() {
  const d = await api("/api/holds");
  document.querySelector("#holds tbody").replaceChildren(...d.holds.map((h) => {
    const tr = document.createElement("tr");
    cell(tr, h.id); cell(tr, h.camera_id); cell(tr, fmt(h.start)); cell(tr, fmt(h.end));
    cell(tr, T.kinds[h.kind] || h.kind); cell(tr, h.reason); cell(tr, fmt(h.until));
    return tr;
  }));
}

async function loadRequisitions() {
  let d;
  try { d = await api("/api/requisitions"); } catch (e) {
    if (e.status === 403) { document.getElementById("sec-req").hidden = true; return; }
    throw e;
  }
  document.querySelector("#requisitions tbody").replaceChildren(...d.requisitions.map((r) => {
    const tr = document.createElement("tr");
    tr.dataset.reference = r.reference;
    cell(tr, r.reference); cell(tr, r.authority || T.none); cell(tr, r.officer || T.none);
    cell(tr, r.windows.map((w) => `${w.camera_id} ${fmt(w.start)}–${fmt(w.end)}`).join("; ") || T.none);
    const state = r.closed_at ? T.closed : T.open;
    cell(tr, r.incomplete ? `${state}, ${T.incomplete}` : state);
    cell(tr, r.closed_at ? [r.footage_found, r.useful, r.case_solved].map((v) => (v ? "✓" : "✗")).join(" ") : T.none);
    const td = cell(tr, "");
    if (!r.closed_at) {
      const b = document.createElement("button");
      b.textContent = T.close;
      b.addEventListener("click", async () => {
        const found = yes(prompt(T.found)), useful = yes(prompt(T.useful)), solved = yes(prompt(T.solved));
        try {
          await api(`/api/requisitions/${r.id}/close`, { method: "POST",
            body: JSON.stringify({ footage_found: found, useful, case_solved: solved }) });
          await refresh();
        } catch (e) { document.getElementById("req-msg").textContent = e.message; }
      });
      td.appendChild(b);
    }
    return tr;
  }));
}

async function loadRights() {
  let d;
  try { d = await api("/api/rights-requests"); } catch (e) {
    if (e.status === 403) { document.getElementById("sec-rr").hidden = true; return; }
    throw e;
  }
  document.querySelector("#rights tbody").replaceChildren(...d.requests.map((q) => {
    const tr = document.createElement("tr");
    cell(tr, q.id); cell(tr, q.requester); cell(tr, `${q.camera_id} ${fmt(q.start)}–${fmt(q.end)}`);
    cell(tr, fmt(q.received_at)); cell(tr, fmt(q.deadline_at));
    cell(tr, q.closed_at ? `${T.closed} (${q.answer})` : (q.overdue ? T.overdue : T.open));
    const td = cell(tr, "");
    if (!q.closed_at) {
      const b = document.createElement("button");
      b.textContent = T.close;
      b.addEventListener("click", async () => {
        const answer = (prompt(T.answer) || "").trim();
        if (!answer) return;
        try {
          await api(`/api/rights-requests/${q.id}/close`, { method: "POST", body: JSON.stringify({ answer }) });
          await refresh();
        } catch (e) { document.getElementById("rr-msg").textContent = e.message; }
      });
      td.appendChild(b);
    }
    return tr;
  }));
}

async function refresh() { await Promise.all([loadHolds(), loadRequisitions(), loadRights()]); }

document.getElementById("req-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const f = new FormData(ev.target);
  const body = {
    reference: f.get("reference"), authority: f.get("authority"), officer: f.get("officer"),
    document: f.get("document") || null, procedure: f.get("procedure") || null,
    category: f.get("category") || null,
    windows: [{ camera_id: f.get("camera_id"), start: instant(f.get("start")), end: instant(f.get("end")) }],
  };
  const msg = document.getElementById("req-msg");
  try {
    await api("/api/requisitions", { method: "POST", body: JSON.stringify(body) });
    msg.textContent = T.saved; ev.target.reset(); await refresh();
  } catch (e) { msg.textContent = e.status === 403 ? T.denied : e.message; }
});

document.getElementById("rr-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const f = new FormData(ev.target);
  const body = { requester: f.get("requester"), camera_id: f.get("camera_id"),
    start: instant(f.get("start")), end: instant(f.get("end")) };
  const msg = document.getElementById("rr-msg");
  try {
    await api("/api/rights-requests", { method: "POST", body: JSON.stringify(body) });
    msg.textContent = T.saved; ev.target.reset(); await refresh();
  } catch (e) { msg.textContent = e.status === 403 ? T.denied : e.message; }
});

function translate() {
  if (LANG !== "en") return;
  document.documentElement.lang = "en";
  document.getElementById("subtitle").textContent = T.subtitle;
  document.getElementById("nav-map").textContent = T.map;
  const l = document.getElementById("lang");
  l.textContent = T.lang; l.href = "?lang=fr";
  document.getElementById("h-holds").textContent = T.holds;
  document.getElementById("h-req").textContent = T.req;
  document.getElementById("h-rr").textContent = T.rr;
  document.getElementById("holds-note").textContent = T.holdsNote;
  for (const el of document.querySelectorAll("[data-i18n]")) {
    const v = T[el.dataset.i18n];
    if (typeof v === "string") el.textContent = v;
  }
}

translate();
refresh().catch((e) => { document.getElementById("req-msg").textContent = e.message; });
