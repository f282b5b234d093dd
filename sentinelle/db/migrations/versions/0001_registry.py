"""registry: cameras, heads, versions, zones, authorisations

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 22:54:03.057058
"""
import sqlalchemy as sa
from alembic import op

import sentinelle.db.types

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('authorisations',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('issued', sa.Date(), nullable=False),
    sa.Column('expires', sa.Date(), nullable=False),
    sa.Column('purposes', sa.JSON(), nullable=False),
    sa.Column('max_retention_days', sa.Integer(), nullable=False),
    sa.Column('min_retention_days', sa.Integer(), nullable=True),
    sa.Column('perimeter_wkt', sa.Text(), nullable=True),
    sa.Column('camera_ids', sa.JSON(), nullable=False),
    sa.Column('authority', sa.String(length=200), nullable=True),
    sa.Column('updated_at', sentinelle.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('reference')
    )
    op.create_table('camera_versions',
    sa.Column('pk', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('camera_id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('change', sa.String(length=10), nullable=False),
    sa.Column('recorded_at', sentinelle.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('pk'),
    sa.UniqueConstraint('camera_id', 'version')
    )
    with op.batch_alter_table('camera_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_camera_versions_camera_id'), ['camera_id'], unique=False)

    op.create_table('cameras',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=True),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('height_m', sa.Float(), nullable=True),
    sa.Column('type', sa.String(length=20), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('mount', sa.String(length=40), nullable=True),
    sa.Column('installed', sa.Date(), nullable=True),
    sa.Column('installed_precision', sa.String(length=5), nullable=True),
    sa.Column('installed_raw', sa.String(length=200), nullable=True),
    sa.Column('removed_on', sa.Date(), nullable=True),
    sa.Column('removed_precision', sa.String(length=5), nullable=True),
    sa.Column('removed_raw', sa.String(length=200), nullable=True),
    sa.Column('purposes', sa.JSON(), nullable=False),
    sa.Column('retention_days', sa.Integer(), nullable=True),
    sa.Column('authorisation', sa.String(length=100), nullable=True),
    sa.Column('stream_main', sa.Text(), nullable=True),
    sa.Column('stream_sub', sa.Text(), nullable=True),
    sa.Column('assumed', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sentinelle.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('cameras', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cameras_authorisation'), ['authorisation'], unique=False)

    op.create_table('zones',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=True),
    sa.Column('geometry_wkt', sa.Text(), nullable=False),
    sa.Column('properties', sa.JSON(), nullable=False),
    sa.Column('updated_at', sentinelle.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kind', 'name')
    )
    with op.batch_alter_table('zones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_zones_kind'), ['kind'], unique=False)

    op.create_table('camera_heads',
    sa.Column('pk', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('camera_id', sa.String(length=64), nullable=False),
    sa.Column('idx', sa.Integer(), nullable=False),
    sa.Column('azimuth_deg', sa.Float(), nullable=True),
    sa.Column('hfov_deg', sa.Float(), nullable=True),
    sa.Column('tilt_deg', sa.Float(), nullable=True),
    sa.Column('range_m', sa.Float(), nullable=True),
    sa.Column('focal_mm', sa.Float(), nullable=True),
    sa.Column('sensor_width_mm', sa.Float(), nullable=True),
    sa.Column('image_width_px', sa.Integer(), nullable=True),
    sa.Column('pan_min_deg', sa.Float(), nullable=True),
    sa.Column('pan_max_deg', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['camera_id'], ['cameras.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pk'),
    sa.UniqueConstraint('camera_id', 'idx')
    )
    with op.batch_alter_table('camera_heads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_camera_heads_camera_id'), ['camera_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('camera_heads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_camera_heads_camera_id'))

    op.drop_table('camera_heads')
    with op.batch_alter_table('zones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_zones_kind'))

    op.drop_table('zones')
    with op.batch_alter_table('cameras', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cameras_authorisation'))

    op.drop_table('cameras')
    with op.batch_alter_table('camera_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_camera_versions_camera_id'))

    op.drop_table('camera_versions')
    op.drop_table('authorisations')

