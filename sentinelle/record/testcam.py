"""Local RTSP test cameras: a clip prepared once with ffmpeg, served by GStreamer on loopback.

`prepare_clip` makes the H.264 MP4 a test camera serves: by default a synthetic ``testsrc2``
clip (720p, 15 fps, about 4 Mb/s, a keyframe each second, no B-frames), or a real file (such as
``vtest.avi`` from Debian's opencv-doc) encoded once the same way. Clips are cached by their
parameters, so the second start is immediate.

`TestCameraServer` runs ``testcam_server.py`` in Debian's system Python (``python3-gi``; the
virtualenv cannot import ``gi``), which serves each clip as it is, looped, at
``rtsp://127.0.0.1:PORT/camN``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import select
import signal
import subprocess
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import TracebackType

from sentinelle.errors import RecordingError, ToolMissing
from sentinelle.record.ffmpeg import find_ffmpeg
from sentinelle.record.supervisor import parent_death_signal

SYSTEM_PYTHON = "/usr/bin/python3"
VTEST = Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi")
GST_PACKAGES = (
    "python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good "
    "gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-rtsp gstreamer1.0-libav"
)


@dataclass(frozen=True)
class ClipSpec:
    """How a test clip is encoded.

    Attributes
    ----------
    width, height
        Picture size in pixels.
    fps
        Frames per second; one keyframe per second.
    bitrate_kbps
        Target bitrate (constant-ish: maxrate equal, buffer of two seconds).
    duration_s
        Length of the clip; it is served in a loop.
    """

    width: int = 1280
    height: int = 720
    fps: int = 15
    bitrate_kbps: int = 4000
    duration_s: float = 10.0

    def __post_init__(self) -> None:
        for name in ("width", "height", "fps", "bitrate_kbps"):
            if getattr(self, name) <= 0:
                msg = f"`{name}` must be positive, got {getattr(self, name)}"
                raise ValueError(msg)
        if self.width % 2 or self.height % 2:
            msg = f"clip size must be even for H.264 4:2:0, got {self.width}×{self.height}"
            raise ValueError(msg)
        if self.duration_s < 1:
            msg = f"`duration_s` must be at least 1 s, got {self.duration_s}"
            raise ValueError(msg)


SMALL = ClipSpec(width=320, height=180, fps=15, bitrate_kbps=300, duration_s=10)
"""A light clip for tests: 320×180, 300 kb/s."""


def server_script() -> Path:
    """The RTSP server script shipped in the package."""
    return Path(str(resources.files("sentinelle.record") / "testcam_server.py"))


def check_gstreamer(python: str = SYSTEM_PYTHON) -> None:
    """Raise `ToolMissing` unless `python` can import GStreamer's RTSP server."""
    probe = (
        "import gi; gi.require_version('Gst', '1.0'); "
        "gi.require_version('GstRtspServer', '1.0'); "
        "from gi.repository import Gst, GstRtspServer; Gst.init(None); "
        "import sys; sys.exit(0 if Gst.ElementFactory.find('h264parse') else 3)"
    )
    if not Path(python).exists():
        msg = f"{python} not found: test cameras need Debian's python3 with {GST_PACKAGES}"
        raise ToolMissing(msg)
    res = subprocess.run([python, "-c", probe], capture_output=True, text=True, timeout=30)
    if res.returncode == 3:
        msg = "GStreamer's h264parse is missing: apt-get install gstreamer1.0-plugins-bad"
        raise ToolMissing(msg)
    if res.returncode != 0:
        msg = (f"GStreamer's RTSP server is not usable from {python}: "
               f"apt-get install {GST_PACKAGES}")
        raise ToolMissing(msg)


def _cache_key(encoding: dict, source: Path | None) -> str:
    data: dict = {"encoding": encoding, "v": 2}
    if source is not None:
        st = source.stat()
        data["source"] = [str(source.resolve()), st.st_size, int(st.st_mtime)]
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def prepare_clip(
    cache_dir: Path,
    *,
    source: Path | None = None,
    spec: ClipSpec | None = None,
    source_bitrate_kbps: int = 2000,
    ffmpeg: str = "ffmpeg",
) -> Path:
    """The MP4 (H.264, a keyframe each second, no B-frames) a test camera serves.

    Made once and cached in `cache_dir`.

    Parameters
    ----------
    cache_dir
        Where clips are kept (``SENTINELLE_HOME/testcam``).
    source
        A video file to serve (any format ffmpeg reads), whole; None for the synthetic
        ``testsrc2`` clip.
    spec
        Size, rate, bitrate and length of the synthetic clip (default 720p15 at 4 Mb/s,
        10 s); for a source file, its size and frame rate when given, else the file keeps its
        own.
    source_bitrate_kbps
        Bitrate of a source file encoded without `spec`.
    ffmpeg
        The program to run.

    Raises
    ------
    ToolMissing
        When ffmpeg is not installed.
    RecordingError
        When ffmpeg cannot make the clip (the message gives ffmpeg's last lines).
    """
    exe = find_ffmpeg(ffmpeg)
    if source is not None and not source.is_file():
        msg = f"test camera source {source} does not exist"
        raise RecordingError(msg)
    if source is None:
        spec = spec or ClipSpec()
        bitrate = spec.bitrate_kbps
        inputs = ["-f", "lavfi", "-i",
                  f"testsrc2=size={spec.width}x{spec.height}:rate={spec.fps}",
                  "-t", f"{spec.duration_s:g}"]
    else:
        bitrate = spec.bitrate_kbps if spec else source_bitrate_kbps
        inputs = ["-i", str(source)]
        if spec is not None:
            inputs += ["-vf", f"scale={spec.width}:{spec.height}", "-r", str(spec.fps)]
    rate = f"{bitrate}k"
    encode = ["-c:v", "libx264", "-preset", "ultrafast", "-b:v", rate, "-maxrate", rate,
              "-bufsize", f"{2 * bitrate}k", "-force_key_frames", "expr:gte(t,n_forced*1)",
              "-sc_threshold", "0", "-bf", "0", "-pix_fmt", "yuv420p", "-an"]
    key = _cache_key({"inputs": inputs if source is None else inputs[2:], "encode": encode},
                     source)
    cache_dir.mkdir(parents=True, exist_ok=True)
    out = cache_dir / f"{'testsrc2' if source is None else source.stem}-{key}.mp4"
    if out.exists() and out.stat().st_size > 0:
        return out
    tmp = out.with_suffix(".part.mp4")
    argv = [exe, "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *inputs, *encode,
            "-movflags", "+faststart", str(tmp)]
    res = subprocess.run(argv, capture_output=True, text=True)
    if res.returncode != 0 or not tmp.exists():
        tmp.unlink(missing_ok=True)
        msg = f"ffmpeg could not make the test clip: {res.stderr.strip()[-500:]}"
        raise RecordingError(msg)
    tmp.replace(out)
    return out


class TestCameraServer:
    """GStreamer RTSP test cameras on loopback, in a subprocess of Debian's system Python.

    Parameters
    ----------
    clips
        The file each camera serves, by mount name (``{"cam0": clip, …}``).
    port
        TCP port; 0 picks a free one.
    host
        Address to listen on (loopback).
    auth
        ``(user, password)`` to require HTTP Basic credentials.
    python
        The Python that has ``gi`` and GStreamer's RTSP server.
    die_with_parent
        Stop the server (SIGTERM) when the process that started it dies, even by SIGKILL.
        Linux ties this to the starting *thread*: start it from one that lives as long.

    Examples
    --------
    >>> with TestCameraServer({"cam0": clip}) as server:  # doctest: +SKIP
    ...     server.urls["cam0"]
    'rtsp://127.0.0.1:41123/cam0'
    """

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        clips: dict[str, Path],
        *,
        port: int = 0,
        host: str = "127.0.0.1",
        auth: tuple[str, str] | None = None,
        python: str = SYSTEM_PYTHON,
        die_with_parent: bool = False,
    ) -> None:
        if not clips:
            msg = "`clips` is empty: a test camera server needs at least one camera"
            raise ValueError(msg)
        self.clips = dict(clips)
        self.host = host
        self.port = port
        self.auth = auth
        self.python = python
        self.die_with_parent = die_with_parent
        self.proc: subprocess.Popen | None = None

    @property
    def pid(self) -> int:
        if self.proc is None:
            msg = "the test camera server is not running"
            raise RecordingError(msg)
        return self.proc.pid

    @property
    def urls(self) -> dict[str, str]:
        """Each camera's URL (credentials included when `auth` is set)."""
        cred = f"{self.auth[0]}:{self.auth[1]}@" if self.auth else ""
        return {m: f"rtsp://{cred}{self.host}:{self.port}/{m}" for m in self.clips}

    def start(self, *, timeout_s: float = 15.0) -> TestCameraServer:
        """Start the server and wait until it listens.

        Raises
        ------
        ToolMissing
            When Debian's python3 with GStreamer's RTSP server is missing.
        RecordingError
            When the server does not come up within `timeout_s`.
        """
        if not Path(self.python).exists():
            msg = f"{self.python} not found: test cameras need apt-get install {GST_PACKAGES}"
            raise ToolMissing(msg)
        port = self.port or _free_port(self.host)
        argv = [self.python, str(server_script()), "--host", self.host, "--port", str(port)]
        for mount, clip in self.clips.items():
            argv += ["--mount", f"{mount}={Path(clip).resolve()}"]
        if self.auth:
            argv += ["--auth", f"{self.auth[0]}:{self.auth[1]}"]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=env, start_new_session=True,
            preexec_fn=parent_death_signal(signal.SIGTERM) if self.die_with_parent else None,
        )
        deadline = time.monotonic() + timeout_s
        line = b""
        assert self.proc.stdout is not None
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if ready:
                line = self.proc.stdout.readline()
                if line.startswith(b"READY"):
                    self.port = int(line.split()[1])
                    return self
            if self.proc.poll() is not None:
                break
        err = b""
        if self.proc.poll() is not None and self.proc.stderr is not None:
            err = self.proc.stderr.read()
        self.stop()
        text = err.decode(errors="replace").strip()
        if "Namespace GstRtspServer not available" in text or "No module named 'gi'" in text:
            msg = f"GStreamer's RTSP server is missing: apt-get install {GST_PACKAGES}"
            raise ToolMissing(msg)
        msg = f"test camera server did not start on {self.host}:{port}: {text[-500:]}"
        raise RecordingError(msg)

    def stop(self, *, timeout_s: float = 5.0) -> None:
        """Stop the server: SIGTERM, then SIGKILL after `timeout_s`."""
        proc = self.proc
        if proc is None:
            return
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGCONT)  # a frozen server must be able to quit
                proc.terminate()
            try:
                proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
        self.proc = None

    def freeze(self) -> None:
        """Stop the server process (SIGSTOP): its cameras keep their connections, send nothing."""
        os.kill(self.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        """Resume a frozen server (SIGCONT)."""
        os.kill(self.pid, signal.SIGCONT)

    def __enter__(self) -> TestCameraServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _free_port(host: str) -> int:
    import socket

    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]
