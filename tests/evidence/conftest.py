"""Evidence fixtures: ffmpeg, a small clip, recorded and indexed footage of one camera."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sentinelle.access.keys import Keys, load_keys
from sentinelle.settings import Settings
from tests.evidence.footage import record_runs
from tests.record.conftest import clip, video_tools  # noqa: F401  (fixtures)

T0 = datetime(2026, 11, 20, 9, 0, 0, tzinfo=UTC)
CAMERA = "REN-001"


@pytest.fixture
def keys(tmp_path) -> Keys:
    return load_keys(Settings(home=tmp_path / "home", database_url=None))


@pytest.fixture
def footage(db, tmp_path, clip):  # noqa: F811
    """Two continuous runs of two segments each (about 10 s each), 20 s apart."""
    root = tmp_path / "home" / "recordings"
    segs = record_runs(db, root, CAMERA, clip, start=T0, runs=2, gap_s=20, segment_s=5)
    return root, segs


