"""The no-biometrics guard: packages and code paths Sentinelle must never contain.

A city may count people anonymously and blur faces and plates; it may not recognise faces,
process biometric data to identify anyone, infer emotions, or read plates (LEGAL.md §3: CNIL
2022 position on augmented cameras, AI Act art. 5(1)(f) and (h), CSI L233-1). CI runs
``tests/vision/test_guard.py``, which fails on any finding of `check_all`:

- a forbidden distribution installed in the running environment (``importlib.metadata``);
- a forbidden distribution declared in ``pyproject.toml`` (dependencies and extras);
- in the product's Python code (``sentinelle/``, ``bench/``, ``scripts/``): an import of a
  forbidden module, or an identifier (function, class, variable, attribute, argument) whose
  words name such a capability (``face`` + ``recognition``/``embedding``/``match``…,
  ``emotion``, ``biometric``, ``plate`` + ``reading``/``ocr``…, ``anpr``/``alpr``/``lapi``,
  ``reid``). Strings and comments are not code paths and are not read (the docs say what is
  forbidden); face *detection* for blurring is allowed.
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

#: Distribution (PEP 503 normalised) → why it is forbidden. A denylist, not a use: these names
#: appear here only so that CI fails if one is ever installed, declared or imported.
FORBIDDEN_DISTRIBUTIONS: dict[str, str] = {
    "face-recognition": "face recognition (dlib embeddings)",
    "face-recognition-models": "face recognition models",
    "dlib": "face recognition / landmark embeddings",
    "deepface": "face recognition, emotion, age and gender inference",
    "insightface": "face recognition (ArcFace embeddings)",
    "facenet-pytorch": "face recognition (FaceNet embeddings)",
    "keras-facenet": "face recognition (FaceNet embeddings)",
    "facenet": "face recognition (FaceNet embeddings)",
    "arcface": "face recognition (ArcFace embeddings)",
    "compreface-sdk": "face recognition service client",
    "face-recognition-api": "face recognition",
    "opencv-contrib-python": "contains cv2.face (LBPH/Eigen/Fisher face recognisers)",
    "opencv-contrib-python-headless": "contains cv2.face (LBPH/Eigen/Fisher face recognisers)",
    "fer": "facial emotion recognition",
    "hsemotion": "facial emotion recognition",
    "hsemotion-onnx": "facial emotion recognition",
    "py-feat": "facial expression / emotion analysis",
    "rmn": "facial emotion recognition",
    "emotion-recognition": "emotion recognition",
    "openalpr": "licence plate reading",
    "python-openalpr": "licence plate reading",
    "fast-alpr": "licence plate reading",
    "fast-plate-ocr": "licence plate reading",
    "hyperlpr": "licence plate reading",
    "hyperlpr3": "licence plate reading",
    "easyocr": "OCR used for licence plate reading",
    "paddleocr": "OCR used for licence plate reading",
    "torchreid": "person re-identification",
}

#: Top-level module → why it is forbidden (imports in our code).
FORBIDDEN_MODULES: dict[str, str] = {
    "face_recognition": "face recognition", "dlib": "face recognition / embeddings",
    "deepface": "face recognition and emotion inference", "insightface": "face recognition",
    "facenet_pytorch": "face recognition", "keras_facenet": "face recognition",
    "fer": "emotion recognition", "hsemotion": "emotion recognition",
    "hsemotion_onnx": "emotion recognition", "feat": "emotion analysis (py-feat)",
    "openalpr": "plate reading", "fast_alpr": "plate reading",
    "fast_plate_ocr": "plate reading", "hyperlpr": "plate reading", "hyperlpr3": "plate reading",
    "easyocr": "OCR (plate reading)", "paddleocr": "OCR (plate reading)",
    "torchreid": "person re-identification", "cv2.face": "face recognisers (opencv-contrib)",
}

_FACE = {"face", "faces", "facial"}
_FACE_BAD = {
    "recognition", "recognize", "recognise", "recognizer", "recogniser", "recognized",
    "encoding", "encodings", "encode", "encoder", "embedding", "embeddings", "embed",
    "embedder", "embedders", "descriptor", "descriptors", "identify", "identification",
    "identity", "verify", "verification",
    "match", "matching", "matcher", "compare", "comparison", "similarity", "signature",
    "template", "templates", "print", "id", "ids", "gallery", "enrol", "enroll", "enrolment",
}
_PLATE = {"plate", "plates", "licenseplate", "licenceplate", "numberplate"}
_PLATE_BAD = {
    "read", "reader", "reading", "ocr", "recognition", "recognize", "recognise", "text",
    "number", "numbers", "lookup", "string", "chars", "characters", "decode",
}
_ALONE = {
    "biometric": "biometrics", "biometrics": "biometrics", "emotion": "emotion recognition",
    "emotions": "emotion recognition", "anpr": "plate reading", "alpr": "plate reading",
    "lapi": "plate reading (lecture automatique de plaques)", "reid": "re-identification",
    "reidentification": "re-identification", "reidentify": "re-identification",
}


@dataclass(frozen=True)
class GuardFinding:
    """One thing the guard refuses: where and why."""

    where: str
    what: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what} — {self.reason}"


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def words(identifier: str) -> list[str]:
    """Lower-case words of an identifier (snake_case and CamelCase split)."""
    parts = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", identifier)
    parts = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", parts)
    return [w for w in re.split(r"[_\W]+", parts.lower()) if w]


def identifier_reason(identifier: str) -> str | None:
    """Why `identifier` names a forbidden capability, or None."""
    ws = set(words(identifier))
    for w in ws:
        if w in _ALONE:
            return _ALONE[w]
    if ws & _FACE and ws & _FACE_BAD:
        return "face recognition / biometric matching"
    if ws & _PLATE and ws & _PLATE_BAD:
        return "plate reading"
    if "faceprint" in ws or "faceid" in ws:
        return "face recognition / biometric matching"
    return None


def check_distributions(dists: Iterable[str] | None = None) -> list[GuardFinding]:
    """Forbidden distributions among `dists` (default: those installed in this environment)."""
    if dists is None:
        dists = [d.metadata["Name"] or "" for d in metadata.distributions()]
    out = []
    for name in sorted({_norm(d) for d in dists if d}):
        if name in FORBIDDEN_DISTRIBUTIONS:
            out.append(GuardFinding("installed", name, FORBIDDEN_DISTRIBUTIONS[name]))
    return out


def _requirement_name(req: str) -> str:
    m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", req)
    return _norm(m.group(1)) if m else ""


def check_pyproject(path: Path) -> list[GuardFinding]:
    """Forbidden distributions declared in `path` (dependencies and optional dependencies)."""
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    project = doc.get("project", {})
    declared: list[tuple[str, str]] = [("dependencies", r) for r in project.get("dependencies", [])]
    for extra, reqs in project.get("optional-dependencies", {}).items():
        declared += [(f"optional-dependencies.{extra}", r) for r in reqs]
    out = []
    for where, req in declared:
        name = _requirement_name(req)
        if name in FORBIDDEN_DISTRIBUTIONS:
            out.append(GuardFinding(f"{path.name} [{where}]", req,
                                    FORBIDDEN_DISTRIBUTIONS[name]))
    return out


def _module_reason(module: str) -> str | None:
    for bad, why in FORBIDDEN_MODULES.items():
        if module == bad or module.startswith(bad + "."):
            return why
    return None


def check_source(source: str, where: str) -> list[GuardFinding]:
    """Forbidden imports and identifiers in one Python source (strings and comments ignored)."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return [GuardFinding(where, "unparsable", f"cannot be checked: {exc.msg}")]
    out = []

    def flag(node: ast.AST, what: str, why: str) -> None:
        out.append(GuardFinding(f"{where}:{getattr(node, 'lineno', '?')}", what, why))

    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            for a in node.names:
                if (why := _module_reason(a.name)) is not None:
                    flag(node, f"import {a.name}", why)
                names.append(a.asname or "")
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if (why := _module_reason(mod)) is not None:
                flag(node, f"from {mod} import …", why)
            for a in node.names:
                if (why := _module_reason(f"{mod}.{a.name}")) is not None and mod:
                    flag(node, f"from {mod} import {a.name}", why)
                names += [a.name, a.asname or ""]
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Name):
            names.append(node.id)
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
        elif isinstance(node, ast.arg):
            names.append(node.arg)
        elif isinstance(node, ast.keyword) and node.arg:
            names.append(node.arg)
        for n in names:
            if n and (why := identifier_reason(n)) is not None:
                flag(node, f"identifier `{n}`", why)
    return out


def check_tree(root: Path, folders: Iterable[str] = ("sentinelle", "bench", "scripts")
               ) -> list[GuardFinding]:
    """`check_source` on every ``.py`` file under `folders` of `root`."""
    out = []
    for folder in folders:
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*.py")):
            if any(p.startswith(".") or p == "__pycache__" for p in path.relative_to(root).parts):
                continue
            out += check_source(path.read_text(encoding="utf-8"), str(path.relative_to(root)))
    return out


def check_all(root: Path) -> list[GuardFinding]:
    """Every finding: installed distributions, ``pyproject.toml`` and the code under `root`."""
    return check_distributions() + check_pyproject(root / "pyproject.toml") + check_tree(root)
