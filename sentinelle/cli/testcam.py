"""`sentinelle testcam`: local RTSP test cameras on loopback."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Annotated

import typer

from sentinelle.cli.common import console, err_console, errors_to_exit, fail, get_settings

app = typer.Typer(help="Local RTSP test cameras (GStreamer, loopback only).",
                  no_args_is_help=True)


@app.command("serve")
def serve(
    count: Annotated[int, typer.Option("--count", "-n", help="Number of cameras")] = 1,
    source: Annotated[Path | None, typer.Option(
        "--source", help="Serve this video file (e.g. vtest.avi) instead of the synthetic "
        "clip")] = None,
    port: Annotated[int, typer.Option("--port", help="RTSP port on 127.0.0.1")] = 8554,
    width: Annotated[int, typer.Option("--width", help="Synthetic clip width")] = 1280,
    height: Annotated[int, typer.Option("--height", help="Synthetic clip height")] = 720,
    bitrate: Annotated[int, typer.Option("--bitrate-kbps", help="Synthetic clip bitrate")
                       ] = 4000,
    auth: Annotated[str | None, typer.Option(
        "--auth", help="Require credentials USER:PASSWORD")] = None,
) -> None:
    """Serve N test cameras at rtsp://127.0.0.1:PORT/cam0 … until Ctrl-C.

    Without --source, a synthetic H.264 clip (testsrc2, 720p, ~4 Mb/s) made once with ffmpeg
    and cached in SENTINELLE_HOME/testcam. Clips are served without re-encoding, in a loop.
    """
    from sentinelle.record.testcam import ClipSpec, TestCameraServer, prepare_clip

    if count < 1 or count > 64:
        fail(f"--count must be between 1 and 64, got {count}", 2)
    credentials = None
    if auth is not None:
        user, sep, password = auth.partition(":")
        if not sep or not user or not password:
            fail("--auth must be USER:PASSWORD", 2)
        credentials = (user, password)
    with errors_to_exit():
        try:
            spec = None if source else ClipSpec(width=width, height=height,
                                                bitrate_kbps=bitrate)
        except ValueError as exc:
            fail(str(exc), 2)
        settings = get_settings()
        with console.status("preparing the clip (once, then cached)…"):
            clip = prepare_clip(settings.home / "testcam", source=source, spec=spec)
        server = TestCameraServer({f"cam{i}": clip for i in range(count)}, port=port,
                                  auth=credentials)
        server.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        for name, url in server.urls.items():
            console.print(f"{name}: {url}", highlight=False)
        err_console.print(f"serving {count} camera(s) from {clip.name}; Ctrl-C stops")
        while not stop.wait(1.0):
            if server.proc is None or server.proc.poll() is not None:
                fail("the RTSP server exited")
    finally:
        server.stop()
