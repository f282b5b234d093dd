"""``manifest.json`` of an evidence export: what it holds, why, for whom, and its signature.

The manifest lists every file of the export with its SHA-256 and size (``files``), the
original segments with the hash the recording index holds for them (``segments``), the joined
runs and the gaps between them (``runs``, ``gaps``), the legal basis, the requisition, the
recipient, who exported and when, the audit entries about this footage, and an Ed25519
signature over all the rest (``signature``, see `sentinelle.evidence.signing`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from sentinelle.errors import InputError

MANIFEST = "manifest.json"
FORMAT = "sentinelle-evidence/1"
SEGMENTS_DIR = "segments"
RUNS_DIR = "runs"


def body_of(manifest: dict[str, Any]) -> dict[str, Any]:
    """The signed part: everything but the ``signature`` block."""
    return {k: v for k, v in manifest.items() if k != "signature"}


def write_manifest(folder: Path, manifest: dict[str, Any]) -> str:
    """Write ``manifest.json`` (indented, UTF-8); return its SHA-256."""
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    data = text.encode("utf-8")
    (folder / MANIFEST).write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of an export folder.

    Raises
    ------
    InputError
        When the folder or its manifest is missing, or the manifest is not a JSON object of
        this format.
    """
    if not folder.is_dir():
        msg = f"{folder}: not a folder"
        raise InputError(msg)
    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        msg = f"{path}: missing (not an evidence export folder)"
        raise InputError(msg) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        msg = f"{path}: not valid JSON ({exc})"
        raise InputError(msg) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        msg = f"{path}: not a manifest of format {FORMAT}"
        raise InputError(msg)
    return data
