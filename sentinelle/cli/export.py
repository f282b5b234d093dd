"""`sentinelle export`: evidence export of a camera's footage, its verification, the register
of transmissions.

``sentinelle export --camera ID --from ISO --to ISO --legal-basis BASIS [--requisition REF]
[--recipient NAME] [--subject T@X,Y ...] [--rights-request ID] --out DIR`` exports (a
``droit_acces_rgpd`` export blurs every third party, with a progress bar);
``sentinelle export verify DIR`` checks an export.
The CLI acts as the machine's operator (``cli:<os user>``): exempt from habilitations, audited.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from sentinelle.cli.common import (
    console,
    errors_to_exit,
    fail,
    get_database,
    get_keys,
    get_settings,
    parse_time,
    print_json,
)

app = typer.Typer(
    help="Evidence export (lossless, signed) and its verification; register of transmissions.",
    invoke_without_command=True,
)

BASES = "requisition_judiciaire|destinataire_L252-3|droit_acces_rgpd"


def _time(value: str | None, name: str) -> datetime:
    if not value:
        fail(f"{name} is required (ISO 8601, e.g. 2026-11-25T10:00:00Z)", 2)
    return parse_time(value, name)


def requisition_resolver(db: Any, keys: Any, actor: Any, now: datetime):
    """The requisition as the custody store knows it; an unknown reference is recorded there,
    flagged incomplete (audited ``requisition_change``)."""
    from sentinelle.custody.requisitions import RequisitionStore
    from sentinelle.evidence.export import describe_requisition

    store = RequisitionStore(db)

    def resolve(reference: str) -> dict[str, Any]:
        return describe_requisition(store.ensure(reference, actor=actor, keys=keys, now=now))

    return resolve


@contextmanager
def _progress(show: bool):
    """A rich progress bar over the frames redacted (both passes), or None."""
    if not show:
        yield None
        return
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TimeRemainingColumn

    with Progress("[progress.description]{task.description}", BarColumn(),
                  TaskProgressColumn(), TimeRemainingColumn(), console=console,
                  transient=True) as bar:
        task = bar.add_task("blurring third parties", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


@app.callback()
def export(
    ctx: typer.Context,
    camera: Annotated[str | None, typer.Option("--camera", help="Camera id")] = None,
    from_: Annotated[str | None, typer.Option(
        "--from", help="Start, ISO 8601 (UTC when no offset)")] = None,
    to: Annotated[str | None, typer.Option(
        "--to", help="End, ISO 8601 (UTC when no offset)")] = None,
    legal_basis: Annotated[str | None, typer.Option(
        "--legal-basis", help=BASES)] = None,
    requisition: Annotated[str | None, typer.Option(
        "--requisition", help="Requisition reference (required for requisition_judiciaire)")
    ] = None,
    recipient: Annotated[str | None, typer.Option(
        "--recipient", help="Who receives the export (service or person)")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="New (or empty) folder to write the export into")] = None,
    subject: Annotated[list[str] | None, typer.Option(
        "--subject", help="droit_acces_rgpd: the data subject, designated as TIME@X,Y (ISO "
        "time; point in normalised image coordinates 0–1 inside their person box; "
        "repeatable). Without it every person is blurred")] = None,
    rights_request: Annotated[int | None, typer.Option(
        "--rights-request", help="droit_acces_rgpd: id of the rights request answered "
        "(`sentinelle requisitions` / rights requests)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON")] = False,
) -> None:
    """Export a camera's footage over a window, unchanged and signed, for a lawful recipient.

    Writes the original segments, one MP4 per continuous run (joined without re-encoding; a
    gap starts a new file) and manifest.json (SHA-256 of every file, legal basis, requisition,
    recipient, who and when, audit entries, Ed25519 signature). Audited (`export`) and entered
    in the register of transmissions. A droit_acces_rgpd export holds no original segment:
    one re-encoded H.264 MP4 per run, every person but the designated subject blurred.
    """
    if ctx.invoked_subcommand is not None:
        return
    from sentinelle.access.audit import Actor
    from sentinelle.evidence.export import ExportRequest, export_footage
    from sentinelle.record.supervisor import recordings_root

    if not legal_basis:
        fail(f"--legal-basis is required: an export needs a lawful basis ({BASES})", 2)
    if camera is None:
        fail("--camera is required", 2)
    if out is None:
        fail("--out is required (a new or empty folder)", 2)
    start, end = _time(from_, "--from"), _time(to, "--to")
    from sentinelle.evidence.redaction import parse_subject

    with errors_to_exit():
        subjects = tuple(parse_subject(s) for s in subject or ())
        settings = get_settings()
        db = get_database(settings)
        keys = get_keys(settings)
        actor = Actor.cli()
        now = datetime.now(UTC)
        request = ExportRequest(camera_id=camera, start=start, end=end,
                                legal_basis=legal_basis, out=out, requisition=requisition,
                                recipient=recipient, subjects=subjects,
                                rights_request=rights_request)
        from sentinelle.evidence.export import check_request

        check_request(request)  # refuse before a requisition record is created
        with _progress(request.legal_basis == "droit_acces_rgpd" and not as_json) as progress:
            result = export_footage(
                db, keys, recordings_root(settings.home), request, actor=actor, now=now,
                resolve_requisition=requisition_resolver(db, keys, actor, now),
                progress=progress,
            )
    if as_json:
        print_json({"out": str(result.out), "manifest_sha256": result.manifest_sha256,
                    "runs": [r.path for r in result.runs], "segments": len(result.segments),
                    "transmission_id": result.transmission_id, "audit_seq": result.audit_seq,
                    "redaction": result.manifest.get("redaction")})
        return
    console.print(f"exported {len(result.segments)} segment(s) of {camera} in "
                  f"{len(result.runs)} continuous run(s) to {result.out}", highlight=False)
    for r in result.runs:
        console.print(f"  {r.path}", highlight=False)
    redaction = result.manifest.get("redaction")
    if redaction:
        console.print(f"re-encoded with third parties blurred: {redaction['frames_processed']} "
                      f"frame(s), {redaction['persons_blurred']} person(s) blurred, "
                      f"{redaction['subject_boxes_kept']} subject box(es) kept; no original "
                      "segment included", highlight=False)
    console.print(f"manifest SHA-256 {result.manifest_sha256}; register entry "
                  f"#{result.transmission_id}; audit seq {result.audit_seq}", highlight=False)


@app.command("verify")
def verify(
    folder: Annotated[Path, typer.Argument(help="The export folder")],
    key: Annotated[str | None, typer.Option(
        "--key", help="Expected public-key fingerprint (SHA-256 hex, from "
        "`sentinelle export public-key`)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Check an export's files against its manifest and the manifest's Ed25519 signature.

    Exit 0 when intact, 1 when a file or the manifest was altered, 2 when not an export.
    """
    from sentinelle.evidence.verify import verify_export

    with errors_to_exit():
        report = verify_export(folder, expected_key_sha256=key)
    if as_json:
        print_json(report.as_dict())
    elif report.ok:
        console.print(f"OK: {report.files_checked} file(s) match the manifest; Ed25519 "
                      f"signature valid (key {report.public_key_sha256})", highlight=False,
                      soft_wrap=True)
    else:
        for p in report.problems:
            console.print(f"[red]FAILED:[/] {p}", highlight=False, soft_wrap=True)
    if not report.ok:
        raise typer.Exit(1)


@app.command("register")
def register(
    camera: Annotated[str | None, typer.Option("--camera", help="Only this camera")] = None,
    csv_out: Annotated[Path | None, typer.Option(
        "--csv", help="Write the register as CSV to this file")] = None,
) -> None:
    """The register of transmissions (R13): every export, oldest first, as JSON or CSV."""
    from sentinelle.evidence.transmissions import TransmissionRegister, register_csv

    with errors_to_exit():
        rows = TransmissionRegister(get_database()).list(camera_id=camera)
    if csv_out is not None:
        csv_out.write_text(register_csv(rows), encoding="utf-8")
        console.print(f"{len(rows)} transmission(s) written to {csv_out}", highlight=False)
        return
    print_json([r.as_dict() for r in rows])


@app.command("public-key")
def public_key() -> None:
    """The installation's Ed25519 public key and its fingerprint, to give to recipients."""
    from sentinelle.evidence import signing

    with errors_to_exit():
        keys = get_keys()
        text = signing.public_key_text(keys)
    import base64

    print_json({"algorithm": signing.ALGORITHM, "public_key": text,
                "public_key_sha256": signing.fingerprint(base64.b64decode(text))})
