"""vision: image geometry per camera head (privacy masks, homography)

Revision ID: 0010
Revises: 0006
Create Date: 2026-11-26 03:30:00
"""
import sqlalchemy as sa
from alembic import op

import sentinelle.db.types

revision = '0010'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('vision_head_geometry',
    sa.Column('camera_id', sa.String(length=64), nullable=False),
    sa.Column('head', sa.Integer(), nullable=False),
    sa.Column('image_width', sa.Integer(), nullable=False),
    sa.Column('image_height', sa.Integer(), nullable=False),
    sa.Column('masks', sa.JSON(), nullable=False),
    sa.Column('mask_mode', sa.String(length=20), nullable=False),
    sa.Column('points', sa.JSON(), nullable=True),
    sa.Column('homography', sa.JSON(), nullable=True),
    sa.Column('updated_at', sentinelle.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('camera_id', 'head')
    )


def downgrade() -> None:
    op.drop_table('vision_head_geometry')
