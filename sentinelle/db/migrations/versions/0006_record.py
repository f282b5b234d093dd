"""record: segments, runs, gaps, camera and recorder states, control-room log, tickets

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 23:40:00
"""
import sqlalchemy as sa
from alembic import op

import sentinelle.db.types

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('control_log',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sentinelle.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('camera_id', sa.String(length=64), nullable=True),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('control_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_control_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_control_log_camera_id'), ['camera_id'], unique=False)

    op.create_table('maintenance_tickets',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('camera_id', sa.String(length=64), nullable=False),
    sa.Column('fault', sa.Text(), nullable=False),
    sa.Column('opened_at', sentinelle.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('opened_by', sa.String(length=100), nullable=False),
    sa.Column('closed_at', sentinelle.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.String(length=100), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('maintenance_tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_maintenance_tickets_camera_id'), ['camera_id'], unique=False)

    op.create_table('record_cameras',
    sa.Column('camera_id', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('state_since', sentinelle.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorder_id', sa.Integer(), nullable=True),
    sa.Column('first_attempt_at', sentinelle.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_progress_at', sentinelle.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('restarts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('updated_at', sentinelle.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('camera_id')
    )
    op.create_table('record_gaps',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('camera_id', sa.String(length=64), nullable=False),
    sa.Column('start_at', sentinelle.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('end_at', sentinelle.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('record_gaps', schema=None) as batch_op:
        batch_op.create_index('ix_record_gaps_camera_start', ['camera_id', 'start_at'], unique=False)

    op.create_table('record_recorders',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('host', sa.String(length=200), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('recordings', sa.String(length=500), nullable=False),
    sa.Column('started_at', sentinelle.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('heartbeat_at', sentinelle.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('heartbeat_s', sa.Float(), nullable=False),
    sa.Column('offline_after_s', sa.Float(), nullable=False),
    sa.Column('stopped_at', sentinelle.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('record_runs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('camera_id', sa.String(length=64), nullable=False),
    sa.Column('recorder_id', sa.Integer(), nullable=True),
    sa.Column('launched_at', sentinelle.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('first_packet_at', sentinelle.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sentinelle.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('exit_code', sa.Integer(), nullable=True),
    sa.Column('end_reason', sa.String(length=40), nullable=True),
    sa.Column('segment_list', sa.String(length=500), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('record_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_runs_camera_id'), ['camera_id'], unique=False)

    op.create_table('record_segments',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('camera_id', sa.String(length=64), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('start_at', sentinelle.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('end_at', sentinelle.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('duration_s', sa.Float(), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('complete', sa.Boolean(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('indexed_at', sentinelle.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('path')
    )
    with op.batch_alter_table('record_segments', schema=None) as batch_op:
        batch_op.create_index('ix_record_segments_camera_start', ['camera_id', 'start_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_record_segments_end_at'), ['end_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('record_segments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_segments_end_at'))
        batch_op.drop_index('ix_record_segments_camera_start')

    op.drop_table('record_segments')
    with op.batch_alter_table('record_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_runs_camera_id'))

    op.drop_table('record_runs')
    op.drop_table('record_recorders')
    with op.batch_alter_table('record_gaps', schema=None) as batch_op:
        batch_op.drop_index('ix_record_gaps_camera_start')

    op.drop_table('record_gaps')
    op.drop_table('record_cameras')
    with op.batch_alter_table('maintenance_tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_maintenance_tickets_camera_id'))

    op.drop_table('maintenance_tickets')
    with op.batch_alter_table('control_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_control_log_camera_id'))
        batch_op.drop_index(batch_op.f('ix_control_log_at'))

    op.drop_table('control_log')
