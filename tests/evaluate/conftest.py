"""Fixtures for the evaluation tests: the example counts and a writer of small CSV files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def example_counts() -> Path:
    return DATA / "counts_example.csv"


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[[str], Path]:
    """Write CSV text (dedented lines) to a file and return its path."""

    def write(text: str, name: str = "counts.csv") -> Path:
        path = tmp_path / name
        lines = [ln.strip() for ln in text.strip().splitlines()]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    return write
