"""Which streams to record: one per distinct main stream of the cameras in service.

A camera is recorded from its ``stream_main``. Two cameras that name the same stream are
recorded once, under the first. Heads have no stream of their own in the registry yet: a
multi-sensor unit whose heads stream separately cannot be recorded head by head until the
registry's `Head` carries a stream (its footage would then be indexed as ``CAMERA.hN``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sentinelle.registry.camera import Camera, CameraStatus, redact_url

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecordingSource:
    """One stream to record.

    Attributes
    ----------
    camera_id
        The id footage is indexed under.
    url
        The stream URL, credentials included; never print it (use `safe_url`).
    """

    camera_id: str
    url: str

    @property
    def safe_url(self) -> str:
        return redact_url(self.url) or ""

    def __repr__(self) -> str:  # never show credentials
        return f"RecordingSource(camera_id={self.camera_id!r}, url={self.safe_url!r})"


def recording_sources(
    cameras: Iterable[Camera], *, only: Sequence[str] | None = None
) -> list[RecordingSource]:
    """The distinct streams to record among `cameras`.

    Parameters
    ----------
    cameras
        Cameras of the registry; those in service with a main stream are recorded.
    only
        Restrict to these camera ids.
    """
    wanted = set(only) if only else None
    seen: dict[str, str] = {}
    out: list[RecordingSource] = []
    for cam in cameras:
        if wanted is not None and cam.id not in wanted:
            continue
        if cam.status != CameraStatus.in_service or not cam.stream_main:
            continue
        url = cam.stream_main
        if url in seen:
            logger.warning("%s names the same stream as %s: recorded once, under %s",
                           cam.id, seen[url], seen[url])
            continue
        seen[url] = cam.id
        out.append(RecordingSource(cam.id, url))
    return out
