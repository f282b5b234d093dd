"""Video analysis: models shipped at setup, image geometry per camera head, blurring.

Nothing here identifies anyone: no face recognition, no biometrics, no emotion recognition, no
plate reading (LEGAL.md §3; guarded by tests/vision/test_guard.py).
"""
