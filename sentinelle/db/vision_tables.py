"""ORM tables of video analysis geometry (see ``sentinelle.vision.geometry``).

Only ``sentinelle.vision.geometry.GeometryStore`` queries them. One row per camera head: its
image privacy masks (normalised image coordinates) and its optional image-to-ground homography.
Camera ids are plain text, as in the recording tables.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from sentinelle.db.tables import Base
from sentinelle.db.types import UTCDateTime


class HeadGeometryRow(Base):
    """Image geometry of one camera head: privacy masks and image↔ground homography."""

    __tablename__ = "vision_head_geometry"

    camera_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    head: Mapped[int] = mapped_column(Integer, primary_key=True)  # index in the camera's heads
    image_width: Mapped[int] = mapped_column(Integer)
    image_height: Mapped[int] = mapped_column(Integer)
    masks: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [[[x, y], ...], ...] in 0–1
    mask_mode: Mapped[str] = mapped_column(String(20))
    points: Mapped[list[Any] | None] = mapped_column(JSON)  # [{"pixel": [u, v], "map": [x, y]}]
    homography: Mapped[list[Any] | None] = mapped_column(JSON)  # 3×3, pixel → EPSG:2154
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(200))
