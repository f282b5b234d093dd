"""`sentinelle compliance`: the legal rules checked, the records a DPO keeps, the inspection pack.

``check`` runs the rules of LEGAL.md (exit 1 when at least one violation); ``pack`` writes the
inspection pack; ``documents``, ``signs``, ``masks``, ``notifications``, ``configs`` and
``settings`` record what the rules look at. Each record written is also an audit entry.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import typer
from rich.table import Table

from sentinelle.access.audit import Actor, AuditLog
from sentinelle.cli.common import (
    console,
    db_and_keys,
    errors_to_exit,
    get_keys,
    print_json,
)
from sentinelle.errors import InputError

app = typer.Typer(help="Compliance: legal rules, records, inspection pack.",
                  no_args_is_help=True)
documents_app = typer.Typer(help="Pieces of the authorisation files (AIPD, plans…).",
                            no_args_is_help=True)
signs_app = typer.Typer(help="The signage register (R23).", no_args_is_help=True)
masks_app = typer.Typer(help="Privacy masks of the cameras (R07).", no_args_is_help=True)
notifications_app = typer.Typer(help="Notifications to the prefect (R05).",
                                no_args_is_help=True)
configs_app = typer.Typer(help="Settings observed on the equipment (R30, R37).",
                          no_args_is_help=True)
settings_app = typer.Typer(help="The controller's details (R24, R28).", no_args_is_help=True)
app.add_typer(documents_app, name="documents")
app.add_typer(signs_app, name="signs")
app.add_typer(masks_app, name="masks")
app.add_typer(notifications_app, name="notifications")
app.add_typer(configs_app, name="configs")
app.add_typer(settings_app, name="settings")


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option}: {value!r} is not a date (YYYY-MM-DD)") from None


def _store():
    from sentinelle.compliance.store import ComplianceStore

    db, keys = db_and_keys()
    return ComplianceStore(db), AuditLog(db, keys)


def _audit(audit: AuditLog, object_type: str, object_id: str, details: dict) -> None:
    audit.record(actor=Actor.cli(), action="config_change", object_type=object_type,
                 object_id=object_id, details=details)


@app.command("check")
def check(
    today: str | None = typer.Option(None, "--today", help="Judge on this day (YYYY-MM-DD)"),
    json_out: bool = typer.Option(False, "--json", help="JSON on stdout"),
    rule: list[str] = typer.Option(None, "--rule", help="Only these rules (repeatable)"),
    no_dwellings: bool = typer.Option(False, "--no-dwellings",
                                      help="Skip the dwelling computation (R07 not checked)"),
) -> None:
    """Run the compliance rules; exit 1 when there is at least one violation."""
    from sentinelle.compliance.findings import summary
    from sentinelle.compliance.rules import RULES, run_rules
    from sentinelle.compliance.snapshot import load_snapshot

    with errors_to_exit():
        day = _day(today, "--today") or date.today()
        unknown = [r for r in rule or [] if r.upper() not in RULES]
        if unknown:
            raise InputError(f"--rule: unknown rule(s) {', '.join(unknown)}; "
                             f"known: {', '.join(RULES)}")
        snap = load_snapshot(*db_and_keys(), today=day, dwellings=not no_dwellings)
        findings = run_rules(snap, rules=[r.upper() for r in rule] if rule else None)
    counts = summary(findings)
    if json_out:
        print_json({"today": day.isoformat(), "findings": [f.as_dict() for f in findings],
                    "summary": counts})
    else:
        t = Table(title=f"Compliance on {day.isoformat()}: {counts['violation']} violation(s), "
                        f"{counts['warning']} warning(s), {counts['info']} info")
        for col in ("rule", "severity", "subject", "message", "legal reference"):
            t.add_column(col, overflow="fold")
        for f in findings:
            t.add_row(f.rule, str(f.severity), f"{f.subject_type} {f.subject_id}", f.message,
                      f.legal_ref)
        console.print(t)
    if counts["violation"]:
        raise typer.Exit(1)


@app.command("pack")
def pack(
    out: Path = typer.Option(..., "--out", help="Folder to write the pack into"),
    today: str | None = typer.Option(None, "--today", help="YYYY-MM-DD"),
    no_pdf: bool = typer.Option(False, "--no-pdf", help="HTML only"),
) -> None:
    """Write the inspection pack (HTML, PDF, findings JSON) for the prefecture or the CNIL."""
    from sentinelle.compliance.pack import write_pack

    with errors_to_exit():
        day = _day(today, "--today") or date.today()
        files = write_pack(*db_and_keys(), out, today=day, pdf=not no_pdf)
    for f in files:
        console.print(str(f))


# documents ------------------------------------------------------------------------------

@documents_app.command("add")
def documents_add(
    kind: str = typer.Option(..., "--kind", help="aipd, registre_traitements, "
                             "modele_signalisation, plan_masse, plan_detail, "
                             "rapport_presentation, description_technique, "
                             "personnes_habilitees, engagement_conformite"),
    title: str = typer.Option(..., "--title"),
    doc_date: str = typer.Option(..., "--date", help="Date of the document (YYYY-MM-DD)"),
    authorisation: str | None = typer.Option(
        None, "--authorisation", help="Reference; omit for a network-wide piece"),
    version: str | None = typer.Option(None, "--version"),
    dpo_opinion: str | None = typer.Option(None, "--dpo-opinion",
                                           help="Date of the DPO's opinion (AIPD)"),
    location: str | None = typer.Option(None, "--location", help="Where the file is kept"),
) -> None:
    """Record a piece of an authorisation file."""
    with errors_to_exit():
        store, audit = _store()
        doc = store.add_document(kind=kind, title=title, doc_date=_day(doc_date, "--date"),
                                 authorisation=authorisation, version=version,
                                 dpo_opinion_date=_day(dpo_opinion, "--dpo-opinion"),
                                 location=location)
        _audit(audit, "document", str(doc.id), {"kind": kind, "authorisation": authorisation})
    console.print(f"document {doc.id} recorded ({doc.kind})")


@documents_app.command("list")
def documents_list(json_out: bool = typer.Option(False, "--json")) -> None:
    """List the recorded file pieces."""
    with errors_to_exit():
        docs = _store()[0].documents()
    if json_out:
        print_json([d.as_dict() for d in docs])
        return
    t = Table(title=f"{len(docs)} documents")
    for col in ("id", "authorisation", "kind", "title", "date", "DPO opinion"):
        t.add_column(col)
    for d in docs:
        t.add_row(str(d.id), d.authorisation or "(network)", str(d.kind), d.title,
                  str(d.doc_date), str(d.dpo_opinion_date or ""))
    console.print(t)


# signs ----------------------------------------------------------------------------------

_ITEMS = ("pictogram", "controller", "purposes", "rights_contact", "notice_link")


@signs_app.command("add")
def signs_add(
    name: str = typer.Option(..., "--name"),
    lon: float = typer.Option(..., "--lon"),
    lat: float = typer.Option(..., "--lat"),
    cameras: str = typer.Option("", "--cameras", help="Camera ids the sign informs of"),
    shows: str = typer.Option("", "--shows", help="Content present, comma-separated among "
                              "pictogram,controller,purposes,rights_contact,notice_link"),
    photo_date: str | None = typer.Option(None, "--photo-date", help="Date of the photo proof"),
) -> None:
    """Record a sign with its position and content checklist."""
    with errors_to_exit():
        items = {s.strip() for s in shows.split(",") if s.strip()}
        bad = items - set(_ITEMS)
        if bad:
            raise InputError(f"--shows: unknown item(s) {', '.join(sorted(bad))}")
        store, audit = _store()
        sign = store.add_sign(name=name, lon=lon, lat=lat,
                              camera_ids=[c.strip() for c in cameras.split(",") if c.strip()],
                              photo_date=_day(photo_date, "--photo-date"),
                              **{k: k in items for k in _ITEMS})
        _audit(audit, "sign", str(sign.id), {"name": name})
    console.print(f"sign {sign.id} recorded" + (f"; missing: {', '.join(sign.missing_items())}"
                                                 if sign.missing_items() else ""))


def _truthy(v: str | None) -> bool:
    return str(v or "").strip().lower() in ("1", "true", "yes", "oui", "x", "o")


@signs_app.command("import")
def signs_import(file: Path = typer.Argument(..., help="CSV: name,lon,lat,cameras,pictogram,"
                                             "controller,purposes,rights_contact,notice_link,"
                                             "photo_date")) -> None:
    """Import signs from a CSV file (cameras `;`-separated; checklist columns yes/no)."""
    with errors_to_exit():
        try:
            rows = list(csv.DictReader(file.open(encoding="utf-8-sig")))
        except OSError as exc:
            raise InputError(f"{file}: {exc}") from None
        parsed = []
        for i, r in enumerate(rows, start=2):
            try:
                parsed.append(dict(
                    name=(r.get("name") or f"panneau {i - 1}").strip(),
                    lon=float(r["lon"]), lat=float(r["lat"]),
                    camera_ids=[c.strip() for c in (r.get("cameras") or "").replace(
                        ",", ";").split(";") if c.strip()],
                    photo_date=_day(r.get("photo_date") or None, "photo_date"),
                    **{k: _truthy(r.get(k)) for k in _ITEMS}))
            except (KeyError, ValueError, TypeError, InputError) as exc:
                raise InputError.at(file.name, i, None, str(exc)) from None
        store, audit = _store()
        for p in parsed:
            store.add_sign(**p)
        _audit(audit, "sign", file.name, {"imported": len(parsed)})
    console.print(f"{file}: {len(parsed)} sign(s) recorded")


@signs_app.command("list")
def signs_list(json_out: bool = typer.Option(False, "--json")) -> None:
    """List the signage register."""
    with errors_to_exit():
        signs = _store()[0].signs()
    if json_out:
        print_json([s.as_dict() for s in signs])
        return
    t = Table(title=f"{len(signs)} signs")
    for col in ("id", "name", "lon", "lat", "cameras", "missing"):
        t.add_column(col)
    for s in signs:
        t.add_row(str(s.id), s.name, f"{s.lon:.6f}", f"{s.lat:.6f}", ",".join(s.camera_ids),
                  ",".join(s.missing_items()))
    console.print(t)


# masks ----------------------------------------------------------------------------------

@masks_app.command("add")
def masks_add(
    camera: str = typer.Argument(..., help="Camera id"),
    geojson: Path = typer.Option(..., "--geojson", help="GeoJSON polygon(s), WGS84"),
    mode: str = typer.Option("on_camera", "--mode", help="on_camera | encoder | overlay"),
    note: str | None = typer.Option(None, "--note"),
) -> None:
    """Record privacy mask(s) for one camera from a GeoJSON file."""
    import shapely

    with errors_to_exit():
        try:
            doc = json.loads(geojson.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"{geojson}: {exc}") from None
        feats = doc.get("features") if doc.get("type") == "FeatureCollection" else [doc]
        geoms = [shapely.geometry.shape(f.get("geometry", f)) for f in feats]
        store, audit = _store()
        from sentinelle.registry.store import Registry

        Registry(store.db).camera(camera)  # NotFoundError when unknown
        ids = [store.add_mask(camera_id=camera, geometry=g, mode=mode, note=note).id
               for g in geoms]
        _audit(audit, "camera", camera, {"masks_added": ids})
    console.print(f"camera {camera}: mask(s) {', '.join(map(str, ids))} recorded")


@masks_app.command("list")
def masks_list(camera: str | None = typer.Option(None, "--camera"),
               json_out: bool = typer.Option(False, "--json")) -> None:
    """List the privacy masks."""
    with errors_to_exit():
        masks = _store()[0].masks(camera_id=camera)
    if json_out:
        print_json([m.as_dict() for m in masks])
        return
    t = Table(title=f"{len(masks)} masks")
    for col in ("id", "camera", "mode", "note"):
        t.add_column(col)
    for m in masks:
        t.add_row(str(m.id), m.camera_id, m.mode, m.note or "")
    console.print(t)


@masks_app.command("needed")
def masks_needed(
    apply: bool = typer.Option(False, "--apply",
                               help="Record the suggested masks for unmasked façades"),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Which dwellings each camera sees, how much façade is unmasked, and a suggested mask."""
    import shapely

    from sentinelle.adapters.basemap_store import BasemapStore
    from sentinelle.compliance.masks import MIN_UNMASKED_M, dwelling_views, unmasked_m
    from sentinelle.registry.store import Registry

    with errors_to_exit():
        store, audit = _store()
        basemap = BasemapStore(store.db).load()
        if basemap is None or not basemap.buildings.size:
            raise InputError("no base map with buildings: import one (`sentinelle basemap "
                             "import`) or build the demo")
        cams = [c for c in Registry(store.db, keys=get_keys()).cameras()
                if str(c.status) in ("in_service", "planned")]
        views = dwelling_views(cams, basemap)
        masks = store.masks()
        rows = []
        for cid, vs in views.items():
            mine = [m for m in masks if m.camera_id == cid]
            for v in vs:
                left = unmasked_m(v, mine)
                rows.append({"camera_id": cid, "building": v.building_id,
                             "dwellings": v.dwellings, "facade_seen_m": round(v.facade_m, 1),
                             "unmasked_m": round(left, 1),
                             "suggested_mask": shapely.geometry.mapping(v.suggested_mask())})
                if apply and left >= MIN_UNMASKED_M:
                    m = store.add_mask(camera_id=cid, geometry=v.suggested_mask(),
                                       note=f"suggéré : bâtiment {v.building_id}")
                    _audit(audit, "camera", cid, {"mask_added": m.id, "suggested": True})
    if json_out:
        print_json(rows)
        return
    t = Table(title=f"{len(rows)} (camera, dwelling building) pairs")
    for col in ("camera", "building", "dwellings", "façade seen m", "unmasked m"):
        t.add_column(col)
    for r in rows:
        t.add_row(r["camera_id"], r["building"], str(r["dwellings"] or ""),
                  str(r["facade_seen_m"]), str(r["unmasked_m"]))
    console.print(t)


# notifications, configs, settings -------------------------------------------------------

@notifications_app.command("add")
def notifications_add(
    camera: str = typer.Argument(..., help="Camera id"),
    kind: str = typer.Option(..., "--kind", help="ajout | deplacement | mise_en_service | "
                             "modification"),
    notified_on: str = typer.Option(..., "--date", help="Day the prefect was told"),
    authorisation: str | None = typer.Option(None, "--authorisation"),
    reference: str | None = typer.Option(None, "--reference", help="Letter / mail reference"),
) -> None:
    """Record that the prefect was told of a camera's addition, move or commissioning."""
    with errors_to_exit():
        store, audit = _store()
        n = store.add_notification(camera_id=camera, kind=kind,
                                   notified_on=_day(notified_on, "--date"),
                                   authorisation=authorisation, reference=reference)
        _audit(audit, "camera", camera, {"prefect_notification": n.id, "kind": kind})
    console.print(f"notification {n.id} recorded")


@configs_app.command("set")
def configs_set(
    camera: str = typer.Argument(..., help="Camera id"),
    retention_days: int | None = typer.Option(None, "--retention-days"),
    audio: bool = typer.Option(False, "--audio/--no-audio"),
    analytics: bool = typer.Option(False, "--analytics/--no-analytics"),
    legal_basis: str | None = typer.Option(None, "--analytics-legal-basis"),
    until: str | None = typer.Option(None, "--analytics-until", help="YYYY-MM-DD"),
    observed_on: str | None = typer.Option(None, "--observed-on", help="Default: today"),
    source: str | None = typer.Option(None, "--source", help="e.g. VMS export file"),
) -> None:
    """Record the settings observed on one camera / its recorder."""
    from sentinelle.compliance.store import CameraConfig

    with errors_to_exit():
        store, audit = _store()
        store.set_config(CameraConfig(
            camera_id=camera, retention_days=retention_days, audio_enabled=audio,
            analytics_enabled=analytics, analytics_legal_basis=legal_basis,
            analytics_until=_day(until, "--analytics-until"),
            observed_on=_day(observed_on, "--observed-on") or date.today(), source=source))
        _audit(audit, "camera", camera, {"observed_config": True})
    console.print(f"camera {camera}: observed settings recorded")


@settings_app.command("set")
def settings_set(key: str = typer.Argument(..., help="controller, service, contact, "
                                           "dpo_contact, ropa_entry"),
                 value: str = typer.Argument(...)) -> None:
    """Set one of the controller's details."""
    with errors_to_exit():
        store, audit = _store()
        store.set_setting(key, value)
        _audit(audit, "compliance_setting", key, {"value": value})
    console.print(f"{key} set")


@settings_app.command("show")
def settings_show() -> None:
    """Show the controller's details."""
    with errors_to_exit():
        print_json(_store()[0].settings())
