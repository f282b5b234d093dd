"""Sentinelle: plan, operate, account for and evaluate a city's video-protection network."""

import os as _os

__version__ = "0.1.0"

# Nothing of Sentinelle phones home: a city's CSU network is closed. onnxruntime (1.32 on Linux)
# ships Microsoft's 1DS telemetry, which writes a session file (`.ses`) in the temporary folder
# and would post events to events.data.microsoft.com; it reads ORT_DISABLE_TELEMETRY when it is
# first imported, so the switch is set here, before any of our modules can import it (an
# explicit setting in the environment is left as it is). `vision.detector` also turns its
# telemetry events off through onnxruntime's API.
_os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
