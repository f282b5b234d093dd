"""Recording fixtures: ffmpeg and GStreamer (required under CI=true), a small test clip, real
RTSP test cameras on 127.0.0.1, a recorder running in a thread, and waiting helpers.

Every server and ffmpeg a test starts is stopped by its fixture.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sentinelle.access.keys import Keys, load_keys
from sentinelle.db.engine import Database, open_database
from sentinelle.errors import ToolMissing
from sentinelle.record.supervisor import Recorder, RecorderConfig, find_orphans
from sentinelle.record.testcam import SMALL, TestCameraServer, check_gstreamer, prepare_clip
from sentinelle.registry.camera import Camera
from sentinelle.registry.store import Registry
from sentinelle.settings import Settings

FAST = RecorderConfig(
    segment_time_s=2, rtsp_timeout_s=2, stall_timeout_s=6, backoff_initial_s=1,
    backoff_max_s=2, offline_after_s=4, heartbeat_s=0.5, stop_timeout_s=5, tick_s=0.2,
)


def _missing(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required under CI=true")
    pytest.skip(f"{what} not installed")


def require_video_tools() -> None:
    """ffmpeg and GStreamer's RTSP server (Debian's python3-gi) must be installed: skip
    without them, or fail under CI=true."""
    if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
        _missing("ffmpeg (apt-get install ffmpeg)")
    try:
        check_gstreamer()
    except ToolMissing as exc:
        _missing(str(exc))


@pytest.fixture(scope="session")
def video_tools() -> None:
    """ffmpeg and GStreamer's RTSP server (Debian's python3-gi) must be installed."""
    require_video_tools()


@pytest.fixture(scope="session")
def clip(video_tools, tmp_path_factory) -> Path:
    """A 10 s 320×180 H.264 clip at 300 kb/s, a keyframe each second."""
    return prepare_clip(tmp_path_factory.mktemp("clips"), spec=SMALL)


@pytest.fixture
def testcams(clip) -> Iterator[Callable[..., TestCameraServer]]:
    """Start RTSP test cameras: ``testcams(2)`` serves cam0 and cam1 on a free port."""
    servers: list[TestCameraServer] = []

    def start(count: int = 1, *, port: int = 0, auth=None) -> TestCameraServer:
        server = TestCameraServer({f"cam{i}": clip for i in range(count)}, port=port,
                                  auth=auth)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def rec_home(tmp_path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    return home


@pytest.fixture
def rec_keys(rec_home) -> Keys:
    """The keys of the data folder (its secret.key), as the CLI would load them."""
    return load_keys(Settings(home=rec_home, database_url=None))


@pytest.fixture
def rec_db(rec_home) -> Iterator[Database]:
    db = open_database(f"sqlite:///{rec_home / 'sentinelle.db'}")
    yield db
    db.dispose()


def add_cameras(db: Database, keys: Keys, urls: dict[str, str]) -> None:
    """Put cameras in the registry with these main streams."""
    Registry(db, keys=keys).save_cameras(
        Camera(id=cid, lon=-1.68 + i * 0.001, lat=48.11, stream_main=url)
        for i, (cid, url) in enumerate(urls.items())
    )


class RunningRecorder:
    """A `Recorder` running in a thread, stopped by the fixture."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.stop_event = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            self.recorder.run(self.stop_event)
        except BaseException as exc:  # surfaced by stop()
            self.error = exc

    def start(self) -> RunningRecorder:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(timeout=30)
        assert not self.thread.is_alive(), "recorder did not stop within 30 s"
        if self.error is not None:
            raise self.error


@pytest.fixture
def run_recorder(rec_db, rec_home) -> Iterator[Callable[..., RunningRecorder]]:
    """Start a recorder in a thread over ``rec_home/recordings``; stopped at teardown."""
    running: list[RunningRecorder] = []

    def start(sources, *, config: RecorderConfig = FAST, **kwargs) -> RunningRecorder:
        rec = Recorder(rec_db, rec_home / "recordings", sources, config=config, **kwargs)
        r = RunningRecorder(rec).start()
        running.append(r)
        return r

    yield start
    for r in running:
        if r.thread.is_alive():
            r.stop()
    assert find_orphans(rec_home / "recordings") == []


def wait_for(predicate: Callable[[], object], *, timeout: float, what: str,
             every: float = 0.2) -> object:
    """Poll `predicate` until it returns something true; fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
