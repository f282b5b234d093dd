"""Nothing phones home: onnxruntime's telemetry is off in every Sentinelle process, so running
the detector writes no telemetry session file and sends nothing."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.analytics.conftest import yolox  # noqa: F401  (fixture)


def test_the_detector_leaves_no_telemetry_file_and_turns_telemetry_off(tmp_path,
                                                                      yolox):  # noqa: F811
    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY"}
    env["TMPDIR"] = str(tmp_path)
    code = (
        "import os, numpy as np\n"
        "from datetime import UTC, datetime\n"
        "from sentinelle.vision.detector import Detector\n"
        f"d = Detector({str(yolox)!r})\n"
        "d.detect(np.zeros((240, 320, 3), np.uint8), 'C', datetime.now(UTC))\n"
        "print(os.environ['ORT_DISABLE_TELEMETRY'])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-1] == "1"
    assert list(tmp_path.iterdir()) == []  # onnxruntime's telemetry would leave `.ses` here
