"""Anonymous statistics from the cameras (CNIL 2022): the legal-basis switch per camera, the
zones and lines counted, the aggregate counts and the supervisor that runs the pipelines.

Off by default. Only aggregates are stored; frames and detections never leave memory (R36).
"""
