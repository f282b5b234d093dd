"""The no-biometrics guard (CI): no face recognition, biometrics, emotion recognition or plate
reading package or code path — and proof that the guard itself catches each kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentinelle.vision.guard import (
    check_all,
    check_distributions,
    check_pyproject,
    check_source,
    check_tree,
    identifier_reason,
)

ROOT = Path(__file__).resolve().parents[2]


def test_the_code_base_and_environment_are_clean():
    findings = check_all(ROOT)
    assert findings == [], "forbidden packages or code paths:\n" + "\n".join(
        f"  - {f}" for f in findings)


@pytest.mark.parametrize("dist", ["face_recognition", "dlib", "deepface", "insightface",
                                  "facenet-pytorch", "fer", "openalpr", "easyocr",
                                  "Fast_ALPR", "opencv-contrib-python-headless"])
def test_a_forbidden_installed_distribution_is_reported(dist):
    found = check_distributions(["numpy", dist, "onnxruntime"])
    assert [f.where for f in found] == ["installed"] and len(found) == 1


def test_a_forbidden_declared_dependency_is_reported(tmp_path):
    p = tmp_path / "pyproject.toml"
    p.write_text('[project]\nname = "x"\ndependencies = ["numpy>=1", "deepface==0.0.93"]\n'
                 '[project.optional-dependencies]\nocr = ["easyocr; python_version>\'3\'"]\n')
    found = check_pyproject(p)
    assert [(f.where, f.what) for f in found] == [
        ("pyproject.toml [dependencies]", "deepface==0.0.93"),
        ("pyproject.toml [optional-dependencies.ocr]", "easyocr; python_version>'3'"),
    ]


def test_forbidden_imports_and_identifiers_are_reported_with_their_line():
    src = "\n".join([
        "import numpy as np",
        "import face_recognition",
        "from insightface.app import FaceAnalysis",
        "from cv2 import face",
        "import cv2.face",
        "def read_plate(img): ...",
        "class FaceEmbedder: ...",
        "emotion = 1",
        "x.compute_face_descriptor(img)",
        "def f(anpr_client): ...",
        "BiometricTemplate = None",
        "reid_model = None",
        # allowed: detection for blurring, plate blurring, templates, strings, comments
        "face_detector = FaceDetector()",
        "blur_plates = True",
        "template = 'face recognition is forbidden'  # emotion recognition too",
    ])
    found = check_source(src, "mod.py")
    lines = sorted({int(f.where.split(":")[1]) for f in found})
    assert lines == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    assert all(f.where.startswith("mod.py:") and f.reason for f in found)


def test_identifier_words():
    assert identifier_reason("faceRecognizer") is not None
    assert identifier_reason("match_faces") is not None
    assert identifier_reason("licence_plate_ocr") is not None
    assert identifier_reason("head_region") is None
    assert identifier_reason("render_template") is None
    assert identifier_reason("FaceDetector") is None


def test_check_tree_reads_the_product_folders(tmp_path):
    (tmp_path / "sentinelle").mkdir()
    (tmp_path / "sentinelle" / "ok.py").write_text("x = 1\n")
    (tmp_path / "bench").mkdir()
    (tmp_path / "bench" / "bad.py").write_text("import dlib\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "ignored.py").write_text("import dlib\n")
    assert [f.where for f in check_tree(tmp_path)] == ["bench/bad.py:1"]
