"""Recording in the Rennes demo: test cameras attached to demo cameras, recorded in background.

While ``sentinelle demo`` serves the web app, `demo_recording` serves a synthetic clip (and
``vtest.avi`` when Debian's opencv-doc is installed) as RTSP test cameras on 127.0.0.1, points
the first demo cameras' main streams at them, and runs ``sentinelle record run`` for those
cameras as a separate process, so that a new user sees recording at work on the control-room
page (``/salle``). Everything stops with the demo. A second run reuses the same cameras (their
streams are only rewritten when the port changes): nothing is duplicated.

The demo clips are light (640×360 at 800 kb/s, vtest at 1 Mb/s): about 0.8 GB of footage per
hour of demo, kept until retention purges it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sentinelle.access.audit import Actor, AuditLog
from sentinelle.access.keys import Keys, load_keys
from sentinelle.db.engine import Database
from sentinelle.errors import RecorderBusy, RecordingError
from sentinelle.record.ffmpeg import find_ffmpeg
from sentinelle.record.supervisor import FolderLock, parent_death_signal, recordings_root
from sentinelle.record.testcam import (
    VTEST,
    ClipSpec,
    TestCameraServer,
    check_gstreamer,
    prepare_clip,
)
from sentinelle.registry.camera import CameraStatus
from sentinelle.registry.store import Registry
from sentinelle.settings import Settings

logger = logging.getLogger(__name__)

DEMO_PORT = 8554
DEMO_CLIP = ClipSpec(width=640, height=360, fps=15, bitrate_kbps=800, duration_s=20)
VTEST_KBPS = 1000


@dataclass
class DemoRecording:
    """What the demo started: the test camera server, the recorder process, the cameras."""

    server: TestCameraServer
    recorder: subprocess.Popen
    cameras: dict[str, str]  # camera id → mount
    log_path: Path


def attach_streams(db: Database, keys: Keys, urls: dict[str, str]) -> dict[str, str]:
    """Point the first demo cameras in service (by id) at the test cameras' URLs.

    Returns the camera id chosen for each mount. Cameras already pointing at the right URL are
    left untouched (no new version in their history, no audit entry); a change is audited
    (``config_change`` by the CLI's user).
    """
    registry = Registry(db, keys=keys)
    cams = [c for c in registry.cameras() if c.status == CameraStatus.in_service]
    chosen: dict[str, str] = {}
    changed = []
    for cam, (mount, url) in zip(cams, urls.items(), strict=False):
        chosen[cam.id] = mount
        if cam.stream_main != url:
            changed.append(cam.model_copy(update={"stream_main": url}))
    if changed:
        with db.session() as s:
            registry.save_cameras(changed, source="Rennes demo: local test cameras", session=s)
            AuditLog(db, keys).record(
                actor=Actor.cli(), action="config_change", object_type="cameras",
                details={"cameras": [c.id for c in changed],
                         "change": "stream_main set to local test cameras (demo)"},
                session=s,
            )
    return chosen


def _port_free(port: int) -> bool:
    import socket

    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@contextlib.contextmanager
def demo_recording(
    settings: Settings, db: Database, *, echo: Callable[[str], None] = print
) -> Iterator[DemoRecording | None]:
    """Serve test cameras and record them while the block runs; stop both after it.

    Yields None, having said why with `echo`, when ffmpeg or GStreamer is missing or another
    recorder already records into this data folder.
    """
    root = recordings_root(settings.home)
    try:
        find_ffmpeg()
        check_gstreamer()
        with FolderLock(root):
            pass
    except (RecordingError, RecorderBusy) as exc:
        echo(f"Recording demo not started: {exc}")
        yield None
        return
    cache = settings.home / "testcam"
    clips = {"cam0": prepare_clip(cache, spec=DEMO_CLIP)}
    if VTEST.is_file():
        clips["cam1"] = prepare_clip(cache, source=VTEST, source_bitrate_kbps=VTEST_KBPS)
    port = DEMO_PORT if _port_free(DEMO_PORT) else 0
    server = TestCameraServer(clips, port=port, die_with_parent=True).start()
    recorder: subprocess.Popen | None = None
    try:
        cameras = attach_streams(db, load_keys(settings), server.urls)
        log_path = settings.home / "recorder.log"
        argv = [sys.executable, "-m", "sentinelle.cli.main", "record", "run"]
        for cid in cameras:
            argv += ["--camera", cid]
        env = {**os.environ, "SENTINELLE_HOME": str(settings.home)}
        if settings.database_url:
            env["SENTINELLE_DATABASE_URL"] = settings.database_url
        with log_path.open("ab") as log:
            recorder = subprocess.Popen(
                argv, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                start_new_session=True, preexec_fn=parent_death_signal(signal.SIGTERM),
            )
        names = ", ".join(f"{cid} ← {server.urls[m]}" for cid, m in cameras.items())
        echo(f"Recording demo: {names} (recorder log: {log_path})")
        yield DemoRecording(server=server, recorder=recorder, cameras=cameras,
                            log_path=log_path)
    finally:
        if recorder is not None and recorder.poll() is None:
            recorder.send_signal(signal.SIGTERM)
            try:
                recorder.wait(timeout=20)
            except subprocess.TimeoutExpired:
                recorder.kill()
                recorder.wait()
        server.stop()
