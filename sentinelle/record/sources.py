"""Which streams to record: one per distinct main stream of the cameras in service.

A camera is recorded from its ``stream_main``. Heads have no stream of their own in the
registry yet; when they get one, each head carrying its own stream becomes a source of its own
(``CAMERA.hN``). Two cameras that name the same stream are recorded once, under the first.
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
        The id footage is indexed under (a camera id, or ``CAMERA.hN`` for a head's stream).
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
        candidates = [(cam.id, cam.stream_main)]
        for i, head in enumerate(cam.heads):
            url = getattr(head, "stream_main", None)
            if url and url != cam.stream_main:
                candidates.append((f"{cam.id}.h{i}", url))
        for key, url in candidates:
            if url in seen:
                logger.warning("%s names the same stream as %s: recorded once, under %s",
                               key, seen[url], seen[url])
                continue
            seen[url] = key
            out.append(RecordingSource(key, url))
    return out
