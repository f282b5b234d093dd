"""Analytics fixtures: the YOLOX-Nano model, vtest.avi (Debian opencv-doc, test data only,
fetched into a cache and never committed), short clips cut from it, a camera in a database.

Under CI=true a missing model or video fails; elsewhere it skips.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from sentinelle.access.keys import Keys, load_keys
from sentinelle.registry.camera import Camera
from sentinelle.registry.store import Registry
from sentinelle.settings import Settings

VTEST_MEMBER = "usr/share/doc/opencv-doc/examples/data/vtest.avi"


def _missing(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required under CI=true")
    pytest.skip(f"{what} not available")


def cache_dir() -> Path:
    d = Path(os.environ.get("SENTINELLE_TEST_CACHE",
                            Path.home() / ".cache" / "sentinelle-tests"))
    d.mkdir(parents=True, exist_ok=True)
    return d


def fetch_vtest() -> Path | None:
    """vtest.avi from the cache, else extracted from `apt-get download opencv-doc`."""
    target = cache_dir() / "vtest.avi"
    if target.is_file():
        return target
    if shutil.which("apt-get") is None or shutil.which("dpkg") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        try:
            subprocess.run(["apt-get", "download", "opencv-doc"], cwd=tmp, check=True,
                           capture_output=True, timeout=300)
            deb = next(Path(tmp).glob("opencv-doc_*.deb"))
            subprocess.run(["dpkg", "-x", str(deb), str(Path(tmp) / "x")], check=True,
                           capture_output=True, timeout=300)
        except (subprocess.SubprocessError, StopIteration, OSError):
            return None
        src = Path(tmp) / "x" / VTEST_MEMBER
        if not src.is_file():
            return None
        shutil.copy(src, target.with_suffix(".part"))
        target.with_suffix(".part").replace(target)
    return target


@pytest.fixture(scope="session")
def vtest() -> Path:
    """vtest.avi (768×576, 10 fps, 79.5 s, pedestrians on a walkway)."""
    path = fetch_vtest()
    if path is None:
        _missing("vtest.avi (apt-get download opencv-doc)")
    return path


@pytest.fixture(scope="session")
def yolox() -> Path:
    from sentinelle.errors import ConfigError
    from sentinelle.vision.models import model_path

    try:
        return model_path("yolox_nano")
    except ConfigError as exc:
        _missing(f"the YOLOX-Nano model ({exc})")


@pytest.fixture(scope="session")
def detector(yolox):
    from sentinelle.vision.detector import Detector

    return Detector(yolox)


def cut(vtest: Path, out: Path, start_s: float, duration_s: float) -> Path:
    """A clip of vtest (re-encoded H.264, same size and rate)."""
    if shutil.which("ffmpeg") is None:
        _missing("ffmpeg")
    if not out.exists():
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-ss", str(start_s), "-i", str(vtest),
                        "-t", str(duration_s), "-c:v", "libx264", "-preset", "ultrafast",
                        "-g", "10", "-pix_fmt", "yuv420p", "-an", str(out)],
                       check=True, timeout=120)
    return out


@pytest.fixture(scope="session")
def clip12(vtest, tmp_path_factory) -> Path:
    """Seconds 0–12 of vtest."""
    return cut(vtest, tmp_path_factory.mktemp("vclips") / "vtest-0-12.mp4", 0, 12)


@pytest.fixture
def keys(tmp_path) -> Keys:
    home = tmp_path / "keyhome"
    home.mkdir(exist_ok=True)
    return load_keys(Settings(home=home))


@pytest.fixture
def camera(db, keys) -> str:
    Registry(db, keys=keys).save_cameras([Camera(id="CAM-1", lon=-1.68, lat=48.11,
                                                 name="Place test")])
    return "CAM-1"



