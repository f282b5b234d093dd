"""RTSP test cameras: GStreamer's RTSP server on loopback, serving pre-encoded H.264 in a loop.

This script runs in Debian's system Python (``/usr/bin/python3`` with ``python3-gi``), not in
Sentinelle's virtualenv, which cannot import ``gi``: it uses the standard library and ``gi``
only, and `sentinelle.record.testcam` starts it as a subprocess.

Each mount serves an MP4 file holding H.264 as it is (``filesrc ! qtdemux ! h264parse !
rtph264pay``): nothing is decoded or encoded, so a simulated camera costs little CPU. Each
client gets its own pipeline, which loops the clip with segment seeks (one once playing, then one
at each segment-done, none flushing), so the stream never ends. The server gives each client a
thread of its own.

Usage::

    /usr/bin/python3 testcam_server.py --port 8554 --mount cam0=clip.mp4 [--mount cam1=…]
        [--auth USER:PASSWORD]

It prints ``READY <port>`` on stdout once it listens, and stops on SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

Gst.init(None)  # before subclassing: the media's signals need GStreamer's types

LAUNCH = (
    "( filesrc location=\"{location}\" ! qtdemux ! h264parse ! "
    "rtph264pay name=pay0 pt=96 config-interval=1 )"
)


class LoopingMedia(GstRtspServer.RTSPMedia):
    """A media whose pipeline loops its file forever with segment seeks.

    Once the pipeline plays, a segment seek back to the start makes the demuxer post
    SEGMENT_DONE instead of EOS at the end of the file; each SEGMENT_DONE gets the next segment
    seek. None of them flushes: a flushing seek made while a client's data waits to be sent
    deadlocks the server's media when clients come and go (seen with 8 clients connecting and
    leaving in rounds); without the flush, at most the first second is sent twice.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._looping = False

    @staticmethod
    def _seek(pipeline: Gst.Element) -> None:
        pipeline.seek(1.0, Gst.Format.TIME, Gst.SeekFlags.SEGMENT, Gst.SeekType.SET, 0,
                      Gst.SeekType.NONE, -1)

    def do_handle_message(self, message: Gst.Message) -> bool:
        src = message.src
        if isinstance(src, Gst.Pipeline):
            if message.type == Gst.MessageType.STATE_CHANGED and not self._looping:
                _old, new, _pending = message.parse_state_changed()
                if new == Gst.State.PLAYING:
                    self._looping = True
                    self._seek(src)
            elif message.type == Gst.MessageType.SEGMENT_DONE:
                self._seek(src)
        return GstRtspServer.RTSPMedia.do_handle_message(self, message)


def make_factory(location: str, *, auth: bool) -> GstRtspServer.RTSPMediaFactory:
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(LAUNCH.format(location=GLib.strescape(location)))
    factory.set_shared(False)
    factory.set_media_gtype(LoopingMedia)
    if auth:
        perms = GstRtspServer.RTSPPermissions()
        perms.add_role_from_structure(Gst.Structure.new_from_string(
            "camera, media.factory.access=(boolean)true, media.factory.construct=(boolean)true"
        ))
        factory.set_permissions(perms)
    return factory


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="RTSP test cameras on loopback")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8554)
    p.add_argument("--mount", action="append", default=[], metavar="NAME=FILE",
                   help="serve FILE (MP4 with H.264) at rtsp://HOST:PORT/NAME")
    p.add_argument("--auth", default=None, metavar="USER:PASSWORD",
                   help="require HTTP Basic credentials")
    args = p.parse_args(argv)
    if not args.mount:
        p.error("at least one --mount NAME=FILE is needed")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    server = GstRtspServer.RTSPServer()
    # One thread per client (the default pool has a single thread, so that one client leaving
    # while another's data waits to be sent can stall every camera of the server).
    server.get_thread_pool().set_max_threads(-1)
    server.set_address(args.host)
    server.set_service(str(args.port))
    if args.auth:
        user, _, password = args.auth.partition(":")
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "camera")
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
        server.set_auth(auth)
    mounts = server.get_mount_points()
    for spec in args.mount:
        name, sep, location = spec.partition("=")
        if not sep or not name or not location:
            print(f"testcam_server: bad --mount {spec!r}, expected NAME=FILE", file=sys.stderr)
            return 2
        mounts.add_factory(f"/{name}", make_factory(location, auth=bool(args.auth)))
    try:
        server_id = server.attach(None)
    except GLib.Error as exc:  # pragma: no cover - depends on the port
        print(f"testcam_server: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    if server_id == 0:
        print(f"testcam_server: cannot listen on {args.host}:{args.port}", file=sys.stderr)
        return 1
    loop = GLib.MainLoop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_HIGH, sig, loop.quit)
    print(f"READY {server.get_bound_port()}", flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
