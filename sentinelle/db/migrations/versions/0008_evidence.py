"""evidence: the register of transmissions (evidence exports)

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

import sentinelle.db.types

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def _ts() -> sa.types.TypeEngine:
    return sentinelle.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table('evidence_transmissions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('transmitted_at', _ts(), nullable=False),
    sa.Column('camera_id', sa.String(length=64), nullable=False),
    sa.Column('start_at', _ts(), nullable=False),
    sa.Column('end_at', _ts(), nullable=False),
    sa.Column('legal_basis', sa.String(length=40), nullable=False),
    sa.Column('requisition_ref', sa.String(length=200), nullable=True),
    sa.Column('recipient', sa.String(length=200), nullable=True),
    sa.Column('exported_by', sa.String(length=100), nullable=False),
    sa.Column('out_dir', sa.Text(), nullable=False),
    sa.Column('manifest_sha256', sa.String(length=64), nullable=False),
    sa.Column('files', sa.Integer(), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('reencoded', sa.Boolean(), nullable=False),
    sa.Column('delete_by', _ts(), nullable=True),
    sa.Column('audit_seq', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('evidence_transmissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_transmissions_camera_id'), ['camera_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_transmissions_transmitted_at'),
                              ['transmitted_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('evidence_transmissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_transmissions_transmitted_at'))
        batch_op.drop_index(batch_op.f('ix_evidence_transmissions_camera_id'))
    op.drop_table('evidence_transmissions')
