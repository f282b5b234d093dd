"""Evidence exports: the original segments unchanged, one playable MP4 per continuous run
joined without re-encoding, a signed manifest, its verification, and the register of
transmissions (LEGAL.md R12, R13, R20, R22)."""
