"""Right-of-access (``droit_acces_rgpd``) export on real footage: vtest.avi cut into H.264
segments and indexed, YOLOX-Nano and BlazeFace on every frame, ffmpeg re-encoding. The
designated subject's head stays sharp, another person's head is blurred, no original segment
leaves, and the export verifies (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import timedelta

import numpy as np
import pytest

from sentinelle.access.audit import Actor, AuditLog
from sentinelle.custody.rights_requests import RightsRequestStore
from sentinelle.errors import InputError
from sentinelle.evidence.export import ExportRequest, check_request, export_footage
from sentinelle.evidence.redaction import parse_subject
from sentinelle.evidence.transmissions import TransmissionRegister
from sentinelle.evidence.verify import verify_export
from sentinelle.record.segments import sha256_file
from sentinelle.vision.blur import head_region
from sentinelle.vision.geometry import GeometryStore
from tests.evidence.conftest import CAMERA, T0
from tests.evidence.footage import record_runs
from tests.vision.vtest import YoloxPeople, read_frames, vtest_avi  # noqa: F401  (fixture)

ACTOR = Actor("cli:tester", "cli")
OFFSET = "2.5"  # seconds into vtest.avi: four people walking by at the probe frame
SECONDS = 3  # of vtest footage (10 fps): 30 frames
PROBE = 15  # frame where the subject is designated and the heads compared
W, H = 768, 576


@pytest.fixture(scope="session")
def vtest_clip(vtest_avi, tmp_path_factory):  # noqa: F811
    """The first seconds of vtest.avi as H.264 (a keyframe each second), as a camera records."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg not installed")
    out = tmp_path_factory.mktemp("vtest") / "vtest.mp4"
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-i", str(vtest_avi),
                    "-ss", OFFSET, "-t", str(SECONDS), "-an", "-c:v", "libx264",
                    "-preset", "veryfast", "-g", "10", "-pix_fmt", "yuv420p", str(out)],
                   check=True, timeout=120)
    return out


def _apart(a, b) -> bool:
    ha, hb = head_region(a), head_region(b)
    return ha[2] < hb[0] or hb[2] < ha[0] or ha[3] < hb[1] or hb[3] < ha[1]


@pytest.fixture(scope="session")
def probe_people(vtest_clip):
    """The source frame at PROBE and two people in it: the subject (a large box whose head
    region touches nobody else's) and a third party."""
    frame = read_frames(vtest_clip, [PROBE])[PROBE]
    found = YoloxPeople()(frame)
    people = [b for b in found if b[3] - b[1] > 90 and b[4] > 0.5]
    assert len(people) >= 2, "vtest frame should show several people"
    for subject in people:
        if all(_apart(subject, b) for b in found if b is not subject):
            return frame, subject, next(b for b in people if b is not subject)
    pytest.fail("no person with a head apart from the others on the probe frame")


@pytest.fixture
def vtest_footage(db, tmp_path, vtest_clip):
    root = tmp_path / "home" / "recordings"
    segs = record_runs(db, root, CAMERA, vtest_clip, start=T0, runs=1, segment_s=1.5)
    return root, segs


def _request(out, **kw):
    base = {"camera_id": CAMERA, "start": T0, "end": T0 + timedelta(seconds=SECONDS),
            "legal_basis": "droit_acces_rgpd", "out": out, "recipient": "M. Dupont (demandeur)"}
    base.update(kw)
    return ExportRequest(**base)


def _head(img, box):
    x0, y0, x1, y1 = head_region(box)
    x0, y0 = max(0, int(x0) + 2), max(0, int(y0) + 2)
    x1, y1 = min(img.shape[1], int(x1) - 2), min(img.shape[0], int(y1) - 2)
    return img[y0:y1, x0:x1].astype(np.float32)


def _detail(region) -> float:
    """Mean absolute horizontal and vertical gradient: high for a sharp head, ~0 for a blur."""
    g = region.mean(axis=2)
    return float(np.abs(np.diff(g, axis=1)).mean() + np.abs(np.diff(g, axis=0)).mean())


def _changed(out, src, box) -> float:
    return float(np.abs(_head(out, box) - _head(src, box)).mean())


def test_subject_kept_third_parties_blurred_and_export_verifies(db, keys, vtest_footage,
                                                                 probe_people, tmp_path):
    root, segs = vtest_footage
    src, subject, other = probe_people
    cx, cy = (subject[0] + subject[2]) / 2 / W, (subject[1] + subject[3]) / 2 / H
    t = T0 + timedelta(seconds=PROBE / 10)
    designation = parse_subject(f"{t.isoformat()}@{cx:.4f},{cy:.4f}")
    seen = []
    out = tmp_path / "acces"
    result = export_footage(db, keys, root, _request(out, subjects=(designation,)),
                            actor=ACTOR, now=T0 + timedelta(days=1),
                            progress=lambda done, total: seen.append((done, total)))
    # progress reported up to completion
    assert seen and seen[-1][0] == seen[-1][1] >= 2 * SECONDS * 10
    # no original segment: only the re-encoded run and the manifest
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    [run] = [f for f in files if f.startswith("runs/")]
    assert files == ["manifest.json", run] and run.endswith("_redacted.mp4")
    digests = {sha256_file(root / s.path) for s in segs}
    assert sha256_file(out / run) not in digests
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["legal_basis"] == "droit_acces_rgpd" and manifest["reencoded"] is True
    assert manifest["segments"] == []
    assert [(s["original_path"], s["index_sha256"]) for s in manifest["source_segments"]] == \
        [(s.path, s.sha256) for s in segs]
    red = manifest["redaction"]
    assert red["detector"]["model"] == "yolox_nano"
    assert red["face_detector"]["model"] == "blazeface_full_range"
    assert red["subject_designation"]["points"] == [designation.as_dict()]
    assert red["frames_processed"] == SECONDS * 10
    assert red["persons_blurred"] >= 2 and red["subject_boxes_kept"] >= 10
    assert red["person_boxes_blurred"] > red["subject_boxes_kept"]
    report = verify_export(out)
    assert report.ok, report.problems
    # the designated subject's head is as in the source; the other person's is blurred
    frames = read_frames(out / run, [PROBE])
    redacted = frames[PROBE]
    assert redacted.shape == src.shape
    assert _changed(redacted, src, subject) < 8
    assert _detail(_head(redacted, subject)) > 0.6 * _detail(_head(src, subject))
    assert _changed(redacted, src, other) > 2 * _changed(redacted, src, subject)
    assert _detail(_head(redacted, other)) < 0.5 * _detail(_head(src, other))
    # audited and registered as a re-encoded (blurred) right-of-access transmission
    [entry] = AuditLog(db, keys).entries(action="export")
    assert entry.legal_basis == "droit_acces_rgpd" and entry.details["reencoded"] is True
    [row] = TransmissionRegister(db).list()
    assert row.legal_basis == "droit_acces_rgpd" and row.reencoded
    assert row.manifest_sha256 == result.manifest_sha256
    # an original segment slipped into the folder is caught
    (out / "segments").mkdir()
    shutil.copyfile(root / segs[0].path, out / "segments" / "x.mp4")
    problems = " ".join(verify_export(out).problems)
    assert "not listed" in problems and "original segment" in problems


def test_without_subject_everyone_blurred_and_masks_filled(db, keys, vtest_footage,
                                                            probe_people, tmp_path):
    root, _ = vtest_footage
    src, subject, other = probe_people
    mask = [(0.0, 0.0), (0.15, 0.0), (0.15, 0.15), (0.0, 0.15)]
    GeometryStore(db).set(CAMERA, image_width=W, image_height=H, masks=[mask])
    asked = RightsRequestStore(db, keys).add(
        requester="M. Dupont", camera_id=CAMERA, start=T0, end=T0 + timedelta(seconds=SECONDS),
        actor=ACTOR, now=T0 + timedelta(days=1), keys=keys)
    out = tmp_path / "tous"
    result = export_footage(db, keys, root, _request(out, rights_request=asked.id),
                            actor=ACTOR)
    assert verify_export(out).ok
    assert result.manifest["rights_request"]["id"] == asked.id
    [entry] = AuditLog(db, keys).entries(action="export")
    assert entry.details["rights_request"] == asked.id
    red = result.manifest["redaction"]
    assert red["subject_designation"]["points"] == []
    assert red["subject_boxes_kept"] == 0 and red["privacy_masks"] == 1
    [run] = result.runs
    redacted = read_frames(out / run.path, [PROBE])[PROBE]
    for person in (subject, other):
        assert _detail(_head(redacted, person)) < 0.5 * _detail(_head(src, person))
    corner = redacted[: int(0.15 * H) - 4, : int(0.15 * W) - 4]
    assert corner.max() <= 24 and src[: int(0.15 * H), : int(0.15 * W)].mean() > 40


def test_refusals_leave_nothing(db, keys, vtest_footage, tmp_path):
    root, _ = vtest_footage
    out = tmp_path / "refus"
    t = (T0 + timedelta(seconds=1)).isoformat()
    # a point in no person box (the top-left corner is a wall), a time outside the footage
    for text, needle in ((f"{t}@0.01,0.01", "no person box contains point"),
                         (f"{(T0 + timedelta(hours=1)).isoformat()}@0.5,0.5", "no frame near")):
        with pytest.raises(InputError, match=needle):
            export_footage(db, keys, root, _request(out, subjects=(parse_subject(text),)),
                           actor=ACTOR)
    with pytest.raises(InputError, match="--rights-request 999: no such rights request"):
        export_footage(db, keys, root, _request(out, rights_request=999), actor=ACTOR)
    assert not out.exists() and list(tmp_path.glob(".refus.partial-*")) == []
    assert AuditLog(db, keys).entries(action="export") == []
    assert TransmissionRegister(db).list() == []


@pytest.mark.parametrize(("text", "needle"), [
    ("2026-11-20T09:00:01Z", "expected TIME@X,Y"),
    ("hier@0.5,0.5", "not an ISO 8601 time"),
    ("2026-11-20T09:00:01Z@0.5", "not a point X,Y"),
    ("2026-11-20T09:00:01Z@1.5,0.5", "outside the image"),
])
def test_subject_syntax(text, needle):
    with pytest.raises(InputError, match=f"--subject `.*`: .*{needle}"):
        parse_subject(text)


def test_parse_subject_reads_utc_and_offsets():
    s = parse_subject("2026-11-20T10:00:01+01:00@0.25,0.75")
    assert s.t == T0 + timedelta(seconds=1) and (s.x, s.y) == (0.25, 0.75)
    assert parse_subject("2026-11-20T09:00:01@0,1").t == T0 + timedelta(seconds=1)


def test_subject_and_rights_request_only_for_the_access_right(tmp_path):
    subject = parse_subject("2026-11-20T09:00:01Z@0.5,0.5")
    for basis, kw in (("destinataire_L252-3", {}),
                      ("requisition_judiciaire", {"requisition": "PV-1"})):
        with pytest.raises(InputError, match="--subject: only for --legal-basis droit_acces"):
            check_request(_request(tmp_path / "x", legal_basis=basis, subjects=(subject,),
                                   **kw))
        with pytest.raises(InputError, match="--rights-request: only for"):
            check_request(_request(tmp_path / "x", legal_basis=basis, rights_request=1, **kw))
    assert check_request(_request(tmp_path / "x", subjects=(subject,))).subjects == (subject,)
