"""Evidence export on real recorded footage (ffmpeg segments, SQLite and PostgreSQL): refusals
without a lawful basis, an accepted export that verifies, and tampering detected byte by byte."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import datetime, timedelta, timezone

import pytest

from sentinelle.access.audit import Actor, AuditLog
from sentinelle.errors import InputError, StorageError
from sentinelle.evidence.export import ExportRequest, check_request, export_footage
from sentinelle.evidence.manifest import MANIFEST
from sentinelle.evidence.redaction import parse_subject
from sentinelle.evidence.transmissions import TransmissionRegister, register_csv
from sentinelle.evidence.verify import verify_export
from sentinelle.record.segments import sha256_file
from tests.evidence.conftest import CAMERA, T0

ACTOR = Actor("cli:tester", "cli")


def _request(out, basis="destinataire_L252-3", **kw):
    base = {"camera_id": CAMERA, "start": T0 - timedelta(seconds=5),
            "end": T0 + timedelta(minutes=2), "legal_basis": basis, "out": out,
            "recipient": "Police nationale, commissariat central"}
    base.update(kw)
    return ExportRequest(**base)


def _frames(path) -> int:
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_packets",
                          "-show_entries", "stream=nb_read_packets,codec_name", "-of", "json",
                          str(path)], check=True, capture_output=True, text=True).stdout
    stream = json.loads(out)["streams"][0]
    assert stream["codec_name"] == "h264"
    return int(stream["nb_read_packets"])


def _duration(path) -> float:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of",
                          "csv=p=0", str(path)], check=True, capture_output=True, text=True)
    return float(out.stdout.strip())


@pytest.mark.parametrize(("kw", "needle"), [
    ({"legal_basis": ""}, "--legal-basis is required"),
    ({"legal_basis": "none"}, "not a lawful basis"),
    ({"legal_basis": "requisition_judiciaire", "requisition": None}, "--requisition is required"),
    ({"legal_basis": "requisition_judiciaire", "requisition": "  "}, "--requisition is required"),
    ({"subjects": (parse_subject("2026-11-20T09:00:01Z@0.5,0.5"),)}, "--subject: only for"),
    ({"recipient": None}, "--recipient is required"),
])
def test_refused_without_lawful_basis(db, keys, footage, tmp_path, kw, needle):
    root, _ = footage
    out = tmp_path / "export"
    with pytest.raises(InputError, match=needle):
        export_footage(db, keys, root, _request(out, **kw), actor=ACTOR)
    assert not out.exists()
    assert list(tmp_path.glob(".export.partial-*")) == []
    assert AuditLog(db, keys).entries(action="export") == []
    assert TransmissionRegister(db).list() == []


def test_refused_window_and_folder(tmp_path):
    with pytest.raises(InputError, match="--to .* must be after --from"):
        check_request(_request(tmp_path / "a", end=T0 - timedelta(minutes=1)))
    with pytest.raises(InputError, match="--from .*between 1970 and 9000"):
        check_request(_request(tmp_path / "a", start=datetime(1, 1, 1, tzinfo=timezone(
            timedelta(hours=5)))))
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "x").write_text("x")
    with pytest.raises(InputError, match="--out .*not an empty folder"):
        check_request(_request(busy))


def test_accepted_export_verifies(db, keys, footage, tmp_path):
    root, segs = footage
    out = tmp_path / "export"
    res = export_footage(db, keys, root, _request(out, legal_basis="requisition_judiciaire",
                                                  requisition="PV 2026/1234"),
                         actor=ACTOR, now=T0 + timedelta(days=1))
    # The original segments, byte for byte.
    assert len(res.segments) == 4
    for seg in segs:
        copy = out / "segments" / seg.start.date().isoformat() / seg.path.rsplit("/", 1)[1]
        assert copy.read_bytes() == (root / seg.path).read_bytes()
        assert sha256_file(copy) == seg.sha256
    # One playable MP4 per continuous run: the gap is never hidden; no re-encoding (same
    # H.264 packets as the segments it joins).
    assert len(res.runs) == 2
    for run in res.runs:
        joined = _frames(out / run.path)
        assert joined == sum(_frames(root / s.path) for s in run.segments)
        decode = subprocess.run(["ffmpeg", "-v", "error", "-i", str(out / run.path), "-f",
                                 "null", "-"], capture_output=True, text=True)
        assert decode.returncode == 0 and decode.stderr == "", decode.stderr
        covered = sum(s.duration_s for s in run.segments)
        assert abs(_duration(out / run.path) - covered) < 0.5
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["legal_basis"] == "requisition_judiciaire"
    assert manifest["requisition"]["reference"] == "PV 2026/1234"
    assert manifest["exported_by"]["name"] == "cli:tester"
    assert manifest["reencoded"] is False
    # footage missing in the requested window: before, between the runs, after
    assert len(manifest["gaps"]) == 3
    assert manifest["gaps"][0]["from"] == manifest["requested"]["from"]
    assert manifest["gaps"][2]["to"] == manifest["requested"]["to"]
    gap = manifest["gaps"][1]
    assert gap["from"] == res.runs[0].end.isoformat() and gap["to"] == res.runs[1].start.isoformat()
    assert {f["path"] for f in manifest["files"]} == {
        p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {MANIFEST}
    assert manifest["audit_entries"][-1]["action"] == "export"
    assert manifest["signature"]["algorithm"] == "Ed25519"
    report = verify_export(out)
    assert report.ok, report.problems
    assert report.files_checked == len(manifest["files"]) == 6
    # Audited and in the register of transmissions (R13), in one transaction.
    [entry] = AuditLog(db, keys).entries(action="export")
    assert entry.seq == res.audit_seq and entry.object_id == CAMERA
    assert entry.legal_basis == "requisition_judiciaire"
    assert entry.requisition_ref == "PV 2026/1234"
    [row] = TransmissionRegister(db).list()
    assert row.manifest_sha256 == sha256_file(out / MANIFEST)
    assert row.audit_seq == entry.seq and row.delete_by is None and not row.reencoded
    assert "PV 2026/1234" in register_csv([row])
    assert AuditLog(db, keys).verify().ok


def test_recipient_copy_delete_by_and_earlier_views(db, keys, footage, tmp_path):
    root, _ = footage
    audit = AuditLog(db, keys)
    audit.record(actor=Actor("alice", "operator"), action="replay", object_type="camera",
                 object_id=CAMERA, time_range=(T0, T0 + timedelta(seconds=30)))
    audit.record(actor=Actor("bob", "operator"), action="replay", object_type="camera",
                 object_id="REN-999", time_range=(T0, T0 + timedelta(seconds=30)))
    res = export_footage(db, keys, root, _request(tmp_path / "e"), actor=ACTOR,
                         now=T0 + timedelta(days=3))
    assert res.manifest["recipient_copy_delete_by"].startswith("2026-12-23")
    actors = [e["actor"] for e in res.manifest["audit_entries"]]
    assert actors == ["alice", "cli:tester"]
    assert TransmissionRegister(db).list()[0].delete_by.date().isoformat() == "2026-12-23"


def test_any_changed_byte_is_detected(db, keys, footage, tmp_path):
    root, _ = footage
    out = tmp_path / "export"
    export_footage(db, keys, root, _request(out), actor=ACTOR)
    files = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert len(files) == 7
    for rel in files:
        copy = tmp_path / "copy"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(out, copy)
        data = bytearray((copy / rel).read_bytes())
        pos = len(data) // 2
        data[pos] = (data[pos] + 1) % 256
        (copy / rel).write_bytes(bytes(data))
        try:
            report = verify_export(copy)
        except InputError:  # the manifest no longer reads as JSON: detected too
            assert rel.as_posix() == MANIFEST
            continue
        assert not report.ok, rel
        assert any(rel.as_posix() in p for p in report.problems), (rel, report.problems)
    # A file added after the export is reported too.
    shutil.rmtree(copy)
    shutil.copytree(out, copy)
    (copy / "runs" / "extra.mp4").write_bytes(b"x")
    assert "runs/extra.mp4: not listed" in " ".join(verify_export(copy).problems)


def test_manifest_edit_with_valid_json_breaks_signature(db, keys, footage, tmp_path):
    root, _ = footage
    out = tmp_path / "export"
    export_footage(db, keys, root, _request(out), actor=ACTOR)
    m = json.loads((out / MANIFEST).read_text())
    m["recipient"] = "someone else"
    (out / MANIFEST).write_text(json.dumps(m))
    report = verify_export(out)
    assert not report.ok and not report.signature_ok
    assert "signature does not match" in report.problems[0]


def test_altered_original_refuses_export(db, keys, footage, tmp_path):
    root, segs = footage
    path = root / segs[1].path
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    out = tmp_path / "export"
    with pytest.raises(StorageError, match="differ from the SHA-256"):
        export_footage(db, keys, root, _request(out), actor=ACTOR)
    assert not out.exists()
    assert TransmissionRegister(db).list() == []
    assert AuditLog(db, keys).entries(action="export") == []
