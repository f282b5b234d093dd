"""Recording: test cameras, the supervised ffmpeg recorder, the segment index, camera health,
and the control room's log.

Modules, in the order data flows::

    testcam      clips and GStreamer RTSP test cameras (testcam_server runs in Debian's python3)
    sources      which streams to record (one per distinct main stream of the cameras in service)
    ffmpeg       the ffmpeg argument list, and reading ffmpeg's output (credentials scrubbed)
    supervisor   the recorder: one ffmpeg per stream, restarts, watchdog, orphans, lock, recovery
    mp4          timing of fragmented MP4 segments, whole or cut by a crash
    segments     Segment, the index (SHA-256, rebuilt from disk, verified)
    journal      runs, gaps, camera states and the recorder's heartbeat
    health       state, last segment, bitrate, gaps and availability per camera
    logbook      the control room's log (main courante) and maintenance tickets, audited
"""
