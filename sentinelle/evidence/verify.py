"""`verify_export(folder)`: does an evidence export still hold what its manifest says?

Checks, in order: the manifest reads; its Ed25519 signature matches the manifest with the
public key it carries (and the expected fingerprint, when the recipient gives one); every
listed file exists with its size and SHA-256; no file is there that the manifest does not list;
every original segment's hash equals the recording index's hash recorded at export; a
``droit_acces_rgpd`` export carries its ``redaction`` block and no original segment. Any byte
changed in any file — footage, joined run or manifest — makes the verification fail, naming the
file. Needs nothing of the exporting installation: a recipient runs it on the folder alone.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from sentinelle.evidence import signing
from sentinelle.evidence.manifest import MANIFEST, SEGMENTS_DIR, body_of, read_manifest
from sentinelle.record.segments import sha256_file


@dataclass
class ExportVerification:
    """What `verify_export` found; ``ok`` when nothing is wrong."""

    folder: str
    files_checked: int = 0
    signature_ok: bool = False
    public_key_sha256: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.signature_ok and not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


def _safe(rel: str) -> bool:
    p = PurePosixPath(rel)
    return bool(rel) and not p.is_absolute() and ".." not in p.parts


def verify_export(folder: Path, *, expected_key_sha256: str | None = None
                  ) -> ExportVerification:
    """Verify an export folder (see the module's text).

    Raises
    ------
    InputError
        When the folder has no readable manifest of this format.
    """
    manifest = read_manifest(folder)
    report = ExportVerification(folder=str(folder))
    sig = manifest.get("signature")
    problem = signing.check(body_of(manifest), sig)
    if problem:
        report.problems.append(f"{MANIFEST}: {problem}")
    else:
        report.signature_ok = True
        report.public_key_sha256 = sig["public_key_sha256"]
        if expected_key_sha256 and sig["public_key_sha256"] != expected_key_sha256.lower():
            report.signature_ok = False
            report.problems.append(
                f"{MANIFEST}: signed by key {sig['public_key_sha256']}, not by the expected "
                f"key {expected_key_sha256}")
    files = manifest.get("files")
    if not isinstance(files, list):
        report.problems.append(f"{MANIFEST}: `files` is missing or not a list")
        files = []
    listed: set[str] = set()
    for i, f in enumerate(files):
        rel = f.get("path") if isinstance(f, dict) else None
        if not isinstance(rel, str) or not _safe(rel):
            report.problems.append(f"{MANIFEST}: files[{i}] has no valid relative path")
            continue
        listed.add(rel)
        path = folder / rel
        report.files_checked += 1
        if not path.is_file():
            report.problems.append(f"{rel}: missing")
            continue
        size = path.stat().st_size
        if size != f.get("size_bytes"):
            report.problems.append(f"{rel}: {size} bytes, the manifest says {f.get('size_bytes')}")
        digest = sha256_file(path)
        if digest != f.get("sha256"):
            report.problems.append(f"{rel}: SHA-256 {digest} differs from the manifest's "
                                   f"{f.get('sha256')}: file altered")
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            rel = path.relative_to(folder).as_posix()
            if rel != MANIFEST and rel not in listed:
                report.problems.append(f"{rel}: not listed in the manifest (added after export)")
    by_path = {f.get("path"): f for f in files if isinstance(f, dict)}
    for seg in manifest.get("segments") or []:
        rel = seg.get("path")
        if rel not in by_path:
            report.problems.append(f"{MANIFEST}: segment {rel} is not among the files")
        elif seg.get("sha256") != seg.get("index_sha256") or \
                by_path[rel].get("sha256") != seg.get("index_sha256"):
            report.problems.append(f"{rel}: hash differs from the recording index's at export")
    if manifest.get("legal_basis") == "droit_acces_rgpd":
        # A right-of-access export shows third parties blurred only: no original footage.
        if not isinstance(manifest.get("redaction"), dict):
            report.problems.append(f"{MANIFEST}: a droit_acces_rgpd export without its "
                                   "`redaction` block")
        if manifest.get("segments"):
            report.problems.append(f"{MANIFEST}: lists original segments in a "
                                   "droit_acces_rgpd export")
        on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
        for rel in sorted(listed | on_disk):
            if PurePosixPath(rel).parts[0] == SEGMENTS_DIR:
                report.problems.append(f"{rel}: an original segment in a droit_acces_rgpd "
                                       "export (third parties unblurred)")
    return report
