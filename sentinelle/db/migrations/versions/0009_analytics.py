"""analytics: enablements, zones and lines, aggregate counts, pipeline states

Revision ID: 0009
Revises: 0010 (0006 on its own branch; re-chained after merging blur)
Create Date: 2026-11-26 03:40:00
"""
import sqlalchemy as sa
from alembic import op

import sentinelle.db.types

revision = '0009'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('analytics_enablements',
    sa.Column('camera_id', sa.String(length=64), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('dpia_ref', sa.String(length=200), nullable=False),
    sa.Column('legal_basis', sa.String(length=200), nullable=False),
    sa.Column('until', sa.Date(), nullable=False),
    sa.Column('changed_at', sentinelle.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('changed_by', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('camera_id')
    )
    op.create_table('analytics_shapes',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('camera_id', sa.String(length=64), nullable=False),
    sa.Column('head', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('points', sa.Text(), nullable=False),
    sa.Column('imported_at', sentinelle.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('analytics_shapes', schema=None) as batch_op:
        batch_op.create_index('ix_analytics_shapes_camera', ['camera_id', 'head'], unique=False)

    op.create_table('analytics_counts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('camera_id', sa.String(length=64), nullable=False),
    sa.Column('start_at', sentinelle.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('bucket_s', sa.Integer(), nullable=False),
    sa.Column('zone', sa.String(length=100), nullable=True),
    sa.Column('line', sa.String(length=100), nullable=True),
    sa.Column('direction', sa.String(length=10), nullable=True),
    sa.Column('cls', sa.String(length=20), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('analytics_counts', schema=None) as batch_op:
        batch_op.create_index('ix_analytics_counts_camera_start', ['camera_id', 'start_at'], unique=False)

    op.create_table('analytics_cameras',
    sa.Column('camera_id', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('since', sentinelle.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('frames', sa.Integer(), nullable=False),
    sa.Column('detected', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('updated_at', sentinelle.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('camera_id')
    )


def downgrade() -> None:
    op.drop_table('analytics_cameras')
    with op.batch_alter_table('analytics_counts', schema=None) as batch_op:
        batch_op.drop_index('ix_analytics_counts_camera_start')
    op.drop_table('analytics_counts')
    with op.batch_alter_table('analytics_shapes', schema=None) as batch_op:
        batch_op.drop_index('ix_analytics_shapes_camera')
    op.drop_table('analytics_shapes')
    op.drop_table('analytics_enablements')
