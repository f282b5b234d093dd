"""The compliance dashboard (``/conformite``) for the DPO, the auditor and the admin.

Findings of the rules of LEGAL.md by rule and by camera, on the map, with the legal reference.
Reading only: records are kept with ``sentinelle compliance …``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from sentinelle.compliance.rules import RULES, run_rules
from sentinelle.compliance.snapshot import load_snapshot
from sentinelle.web.deps import CurrentSession, DbDep, KeysDep
from sentinelle.web.pages import render

router = APIRouter(tags=["internal"])


def compliance_report(db: Any, keys: Any, *, today: date) -> dict[str, Any]:
    """The check's JSON plus findings grouped by rule and by camera, and camera positions."""
    snap = load_snapshot(db, keys, today=today)
    findings = [f.as_dict() for f in run_rules(snap)]
    by_rule: dict[str, Counter] = defaultdict(Counter)
    by_camera: dict[str, Counter] = defaultdict(Counter)
    for f in findings:
        by_rule[f["rule"]][f["severity"]] += 1
        if f["subject_type"] == "camera":
            by_camera[f["subject_id"]][f["severity"]] += 1
    return {
        "today": today.isoformat(),
        "findings": findings,
        "summary": {s: sum(1 for f in findings if f["severity"] == s)
                    for s in ("violation", "warning", "info")},
        "rules": {code: {"legal_ref": r.legal_ref, "title_fr": r.title_fr,
                         **{s: by_rule[code][s] for s in ("violation", "warning", "info")}}
                  for code, r in RULES.items()},
        "cameras": [{"id": c.id, "name": c.name, "lon": c.lon, "lat": c.lat,
                     "status": str(c.status),
                     **{s: by_camera[c.id][s] for s in ("violation", "warning", "info")}}
                    for c in snap.cameras if str(c.status) != "removed"],
    }


def _today(value: str | None) -> date:
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise HTTPException(422, f"today={value!r} is not a date (YYYY-MM-DD)") from None


@router.get("/conformite", include_in_schema=False)
def compliance_page(request: Request, session: CurrentSession, db: DbDep, keys: KeysDep,
                    today: str | None = None) -> HTMLResponse:
    report = compliance_report(db, keys, today=_today(today))
    return render(request, "conformite.html", session=session, report=report)


@router.get("/api/compliance/findings")
def compliance_findings(db: DbDep, keys: KeysDep, today: str | None = None) -> dict[str, Any]:
    """Findings of every rule on `today` (default: the server's day), grouped."""
    return compliance_report(db, keys, today=_today(today))
