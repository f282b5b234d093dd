"""events: décret 2023-828 legal bases, alerts with decisions, pipeline sessions

Revision ID: 0011
Revises: 0009
Create Date: 2026-11-26 04:00:00
"""
import sqlalchemy as sa
from alembic import op

import sentinelle.db.types

revision = '0011'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('event_bases',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('text_ref', sa.String(length=300), nullable=False),
    sa.Column('decision_ref', sa.String(length=300), nullable=False),
    sa.Column('camera_ids', sa.JSON(), nullable=False),
    sa.Column('start_at', sentinelle.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('end_at', sentinelle.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('events', sa.JSON(), nullable=False),
    sa.Column('created_at', sentinelle.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('event_alerts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('camera_id', sa.String(length=64), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('ts', sentinelle.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('basis_id', sa.Integer(), nullable=False),
    sa.Column('tracks', sa.JSON(), nullable=False),
    sa.Column('zone', sa.String(length=100), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('thumbnail', sa.LargeBinary(), nullable=True),
    sa.Column('thumbnail_until', sentinelle.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('decided_by', sa.String(length=100), nullable=True),
    sa.Column('decided_at', sentinelle.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_at', sentinelle.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('event_alerts', schema=None) as batch_op:
        batch_op.create_index('ix_event_alerts_camera_ts', ['camera_id', 'ts'], unique=False)
        batch_op.create_index('ix_event_alerts_state', ['state'], unique=False)
    op.create_table('event_sessions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('camera_id', sa.String(length=64), nullable=False),
    sa.Column('basis_id', sa.Integer(), nullable=False),
    sa.Column('events', sa.JSON(), nullable=False),
    sa.Column('started_at', sentinelle.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('stopped_at', sentinelle.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('stop_reason', sa.String(length=100), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('event_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_event_sessions_camera', ['camera_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('event_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_event_sessions_camera')
    op.drop_table('event_sessions')
    with op.batch_alter_table('event_alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_event_alerts_state')
        batch_op.drop_index('ix_event_alerts_camera_ts')
    op.drop_table('event_alerts')
    op.drop_table('event_bases')
