"""custody: requisitions and their windows, rights requests, legal holds, destruction register

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 03:30:00
"""
import sqlalchemy as sa
from alembic import op

import sentinelle.db.types

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

UTC = sentinelle.db.types.UTCDateTime


def upgrade() -> None:
    op.create_table('custody_requisitions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('authority', sa.String(length=200), nullable=True),
    sa.Column('officer', sa.String(length=200), nullable=True),
    sa.Column('document', sa.String(length=500), nullable=True),
    sa.Column('procedure', sa.String(length=40), nullable=True),
    sa.Column('category', sa.String(length=200), nullable=True),
    sa.Column('incomplete', sa.Boolean(), nullable=False),
    sa.Column('opened_at', UTC(timezone=True), nullable=False),
    sa.Column('opened_by', sa.String(length=100), nullable=False),
    sa.Column('closed_at', UTC(timezone=True), nullable=True),
    sa.Column('closed_by', sa.String(length=100), nullable=True),
    sa.Column('footage_found', sa.Boolean(), nullable=True),
    sa.Column('useful', sa.Boolean(), nullable=True),
    sa.Column('case_solved', sa.Boolean(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('reference')
    )
    op.create_table('custody_rights_requests',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('requester', sa.String(length=200), nullable=False),
    sa.Column('camera_id', sa.String(length=64), nullable=False),
    sa.Column('start_at', UTC(timezone=True), nullable=False),
    sa.Column('end_at', UTC(timezone=True), nullable=False),
    sa.Column('received_at', UTC(timezone=True), nullable=False),
    sa.Column('deadline_at', UTC(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.Column('closed_at', UTC(timezone=True), nullable=True),
    sa.Column('closed_by', sa.String(length=100), nullable=True),
    sa.Column('answer', sa.String(length=40), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('custody_destructions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('run_id', sa.String(length=40), nullable=False),
    sa.Column('camera_id', sa.String(length=64), nullable=False),
    sa.Column('period_start', UTC(timezone=True), nullable=False),
    sa.Column('period_end', UTC(timezone=True), nullable=False),
    sa.Column('segments', sa.Integer(), nullable=False),
    sa.Column('bytes', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('destroyed_at', UTC(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('custody_destructions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_custody_destructions_run_id'), ['run_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_custody_destructions_camera_id'), ['camera_id'],
                              unique=False)

    op.create_table('custody_requisition_windows',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('requisition_id', sa.Integer(), nullable=False),
    sa.Column('camera_id', sa.String(length=64), nullable=False),
    sa.Column('start_at', UTC(timezone=True), nullable=False),
    sa.Column('end_at', UTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['requisition_id'], ['custody_requisitions.id'],
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('custody_requisition_windows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_custody_requisition_windows_requisition_id'),
                              ['requisition_id'], unique=False)

    op.create_table('custody_holds',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('camera_id', sa.String(length=64), nullable=False),
    sa.Column('start_at', UTC(timezone=True), nullable=False),
    sa.Column('end_at', UTC(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('requisition_id', sa.Integer(), nullable=True),
    sa.Column('rights_request_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTC(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('until', UTC(timezone=True), nullable=False),
    sa.Column('released_at', UTC(timezone=True), nullable=True),
    sa.Column('released_by', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['requisition_id'], ['custody_requisitions.id'], ),
    sa.ForeignKeyConstraint(['rights_request_id'], ['custody_rights_requests.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('custody_holds', schema=None) as batch_op:
        batch_op.create_index('ix_custody_holds_camera_start', ['camera_id', 'start_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_custody_holds_requisition_id'),
                              ['requisition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_custody_holds_rights_request_id'),
                              ['rights_request_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('custody_holds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_custody_holds_rights_request_id'))
        batch_op.drop_index(batch_op.f('ix_custody_holds_requisition_id'))
        batch_op.drop_index('ix_custody_holds_camera_start')
    op.drop_table('custody_holds')
    with op.batch_alter_table('custody_requisition_windows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_custody_requisition_windows_requisition_id'))
    op.drop_table('custody_requisition_windows')
    with op.batch_alter_table('custody_destructions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_custody_destructions_camera_id'))
        batch_op.drop_index(batch_op.f('ix_custody_destructions_run_id'))
    op.drop_table('custody_destructions')
    op.drop_table('custody_rights_requests')
    op.drop_table('custody_requisitions')
